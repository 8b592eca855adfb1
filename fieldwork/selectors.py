"""Who sees and does what in the field, and the reads the pages and the API share.

- PPS: the worklist of its kelurahan, records findings there and closes it.
- PPK: the worklists of its kecamatan (read), closes the kecamatan, reopens its kelurahan.
- KPU: everything in its area; starts stages, moves windows, corrects closed kelurahan,
  answers advice, closes and reopens the levels it owns.
- Bawaslu: a PKD (area = one kelurahan) sees that kelurahan's worklist, attests denials, files
  Form A reports and advice; Bawaslu above a kelurahan reads counts, reports and advice only.
- A team: its own pair's tasks with result and reason, never the statement behind a denial.
"""

from __future__ import annotations

from django.db.models import QuerySet

from candidates import selectors as candidates
from candidates.models import Pair
from electorate.access import (
    code_within,
    is_commission,
    is_committee,
    is_supervisor,
    user_area,
    user_role,
)
from electorate.models import Role
from fieldwork.models import Advice, Report, Stage, Task
from fieldwork.supervision import advice_owner


def stages_visible(*, user, pair: Pair) -> QuerySet[Stage]:
    if not candidates.pairs_visible(user=user).filter(pk=pair.pk).exists():
        return Stage.objects.none()
    return Stage.objects.filter(pair=pair).order_by("number")


def _area_depth(area: str | None) -> int:
    return 0 if not area else area.count(".") + 1


def is_pkd(user) -> bool:
    """A village supervisor: Bawaslu whose area is one kelurahan."""
    return is_supervisor(user) and _area_depth(user_area(user)) == 4


def tasks_visible(*, user, stage: Stage) -> QuerySet[Task]:
    """The worklist rows the user may see (with names): see the module docstring."""
    tasks = Task.objects.filter(stage=stage)
    if candidates.is_own_team(user=user, pair=stage.pair):
        return tasks
    area = user_area(user)
    if area is None or not (is_commission(user) or is_committee(user) or is_pkd(user)):
        return Task.objects.none()
    if area == "":
        return tasks
    return tasks.filter(kelurahan_code__startswith=area + ".") | tasks.filter(kelurahan_code=area)


def may_record(*, user, task: Task) -> bool:
    """PPS (and PPK) of the supporter's area; the KPU for sheets and corrections."""
    return (is_committee(user) or is_commission(user)) and code_within(
        task.kelurahan_code, user_area(user)
    )


def may_correct(*, user, stage: Stage) -> bool:
    """Corrections after a kelurahan is closed: the KPU kab/kota (or above) running it."""
    return candidates.manages_pair(user=user, pair=stage.pair)


def may_attest(*, user, task: Task) -> bool:
    return is_supervisor(user) and code_within(task.kelurahan_code, user_area(user))


def may_advise(*, user, region_code: str) -> bool:
    return is_supervisor(user) and code_within(region_code, user_area(user))


def may_answer(*, user, advice: Advice) -> bool:
    """The KPU owning the advice's area (its kab/kota; the province for the whole province)."""
    return is_commission(user) and code_within(advice_owner(advice), user_area(user))


def may_manage_stage(*, user, pair: Pair) -> bool:
    """Start a stage, move its window, close it as a whole: the KPU running the election."""
    return candidates.manages_pair(user=user, pair=pair)


def may_close(*, user, region_code: str) -> bool:
    """Each level closes its own area: PPS its kelurahan, PPK its kecamatan, KPU kab/kota its
    kab/kota, KPU provinsi the province. The KPU above may act for a level below."""
    area = user_area(user)
    if area is None:
        return False
    role = user_role(user)
    if role in (Role.PPS, Role.PPK):
        return area == region_code
    return is_commission(user) and code_within(region_code, area)


def may_reopen(*, user, region_code: str) -> bool:
    """The level above the area: PPK reopens a kelurahan, KPU kab/kota a kecamatan, KPU
    provinsi a kab/kota (and superusers anything)."""
    area = user_area(user)
    if area is None:
        return False
    parent = region_code.rsplit(".", 1)[0] if "." in region_code else ""
    if user_role(user) == Role.PPK:
        return area == parent
    if not is_commission(user):
        return False
    return area == "" or (parent != "" and code_within(parent, area))


def advice_visible(*, user, stage: Stage) -> QuerySet[Advice]:
    """Open advice is visible up the hierarchy: KPU and Bawaslu of the area and above, the
    committee of the area. Teams see no advice."""
    if not (is_commission(user) or is_supervisor(user) or is_committee(user)):
        return Advice.objects.none()
    area = user_area(user)
    return _within(Advice.objects.filter(stage=stage), area)


def reports_visible(*, user, stage: Stage) -> QuerySet[Report]:
    if not (is_commission(user) or is_supervisor(user)):
        return Report.objects.none()
    return _within(Report.objects.filter(stage=stage), user_area(user))


def _within(qs: QuerySet, area: str | None) -> QuerySet:
    if area is None:
        return qs.none()
    if area == "":
        return qs
    return qs.filter(region_code__startswith=area + ".") | qs.filter(region_code=area)
