"""Who sees and does what in the field, and the reads the pages and the API share.

- PPS: the worklist of its kelurahan, records findings there and closes it.
- PPK: the worklists of its kecamatan (read), closes the kecamatan, reopens its kelurahan.
- KPU: everything in its area; starts stages, moves windows, corrects closed kelurahan,
  answers advice, closes and reopens the levels it owns.
- Bawaslu: a PKD (area = one kelurahan) sees that kelurahan's worklist, attests denials, files
  Form A reports and advice; Bawaslu above a kelurahan reads counts, reports and advice only.
- A team: its own pair's tasks with result and reason, never the statement behind a denial.

Selectors are reads: querysets of what a user may reach, the rules of who may do what, and
what the pages show as plain data (the area table, a team's results, a task's offers and
history). Writes and their rules are the services' (fieldwork/services.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from candidates import selectors as candidates
from candidates.models import Pair
from electorate.areas import (
    KELURAHAN,
    code_ancestor,
    code_depth,
    code_parent,
    code_sort_key,
    rows_collapsed,
)
from electorate.models import Region
from fieldwork import findings
from fieldwork.closing import AreaState, close_refusal
from fieldwork.counts import (
    active_closures,
    add_counts,
    empty_counts,
    kelurahan_counts,
)
from fieldwork.models import Advice, Report, Result, Sheet, Stage, Task
from fieldwork.rules import TO_VISIT, bring_in_deadline
from fieldwork.supervision import advice_owner
from staff.access import code_within, is_committee, may, q_within, user_area
from staff.access import is_pkd as is_pkd  # the pages ask selectors.is_pkd
from staff.capabilities import Capability


def stages_visible(*, user, pair: Pair) -> QuerySet[Stage]:
    if not candidates.pairs_visible(user=user).filter(pk=pair.pk).exists():
        return Stage.objects.none()
    return Stage.objects.filter(pair=pair).order_by("number")


def tasks_visible(*, user, stage: Stage) -> QuerySet[Task]:
    """The worklist rows the user may see (with names): see the module docstring."""
    tasks = Task.objects.filter(stage=stage)
    if candidates.is_own_team(user=user, pair=stage.pair):
        return tasks
    area = user_area(user)
    if area is None or not may(user, Capability.READ_WORKLIST):
        return Task.objects.none()
    if area == "":
        return tasks
    return tasks.filter(kelurahan_code__startswith=area + ".") | tasks.filter(kelurahan_code=area)


def may_record(*, user, task: Task) -> bool:
    """PPS (and PPK) of the supporter's area; the KPU for sheets and corrections."""
    return may(user, Capability.RECORD_FINDINGS, task.kelurahan_code)


def may_correct(*, user, stage: Stage) -> bool:
    """Corrections after a kelurahan is closed: the KPU kab/kota (or above) running it."""
    return candidates.manages_pair(user=user, pair=stage.pair)


def may_attest(*, user, task: Task) -> bool:
    return may(user, Capability.ATTEST, task.kelurahan_code)


def may_advise(*, user, region_code: str) -> bool:
    return may(user, Capability.FILE_ADVICE, region_code)


def may_answer(*, user, advice: Advice) -> bool:
    """The KPU owning the advice's area (its kab/kota; the province for the whole province)."""
    return may(user, Capability.ANSWER_ADVICE, advice_owner(advice))


def may_manage_stage(*, user, pair: Pair) -> bool:
    """Start a stage, move its window, close it as a whole: the KPU running the election."""
    return candidates.manages_pair(user=user, pair=pair)


def may_close(*, user, region_code: str) -> bool:
    """Each level closes its own area: PPS its kelurahan, PPK its kecamatan, KPU kab/kota its
    kab/kota, KPU provinsi the province. The KPU above may act for a level below."""
    area = user_area(user)
    if area is None or not may(user, Capability.CLOSE_AREA):
        return False
    if is_committee(user):
        return area == region_code
    return code_within(region_code, area)


def may_reopen(*, user, region_code: str) -> bool:
    """The level above the area: PPK reopens a kelurahan, KPU kab/kota a kecamatan, KPU
    provinsi a kab/kota (and superusers anything)."""
    area = user_area(user)
    if area is None or not may(user, Capability.REOPEN_AREA):
        return False
    parent = code_parent(region_code) or ""
    if is_committee(user):
        return area == parent
    return area == "" or (parent != "" and code_within(parent, area))


def may_see_advice(user) -> bool:
    """Correction advice is read by the KPU, Bawaslu and the committees (not the teams)."""
    return may(user, Capability.READ_ADVICE)


def may_see_reports(user) -> bool:
    """Form A reports: the KPU and Bawaslu."""
    return may(user, Capability.READ_REPORTS)


def may_file_report(user) -> bool:
    return may(user, Capability.FILE_REPORT)


def may_file_advice(user) -> bool:
    """Bawaslu (a PKD included) files correction advice (each area: may_advise)."""
    return may(user, Capability.FILE_ADVICE)


def may_advise_stage(*, user, stage: Stage) -> bool:
    """Bawaslu advises corrections while the stage is open (each area: may_advise)."""
    return may(user, Capability.FILE_ADVICE) and stage.status == Stage.Status.OPEN


def advice_visible(*, user, stage: Stage) -> QuerySet[Advice]:
    """Open advice is visible up the hierarchy: KPU and Bawaslu of the area and above, the
    committee of the area. Teams see no advice."""
    if not may(user, Capability.READ_ADVICE):
        return Advice.objects.none()
    area = user_area(user)
    return _within(Advice.objects.filter(stage=stage), area)


def reports_visible(*, user, stage: Stage) -> QuerySet[Report]:
    if not may(user, Capability.READ_REPORTS):
        return Report.objects.none()
    return _within(Report.objects.filter(stage=stage), user_area(user))


def _within(qs: QuerySet, area: str | None) -> QuerySet:
    if area is None:
        return qs.none()
    if area == "":
        return qs
    return qs.filter(region_code__startswith=area + ".") | qs.filter(region_code=area)


# --- what the pages and the API fetch objects from (outside: 404) and the rules they add --------


def may_see_worklist(user) -> bool:
    """The worklist name by name: KPU, PPK/PPS and the PKD of the kelurahan. Bawaslu above a
    kelurahan reads counts only; a team reads its results on the pair's page."""
    return may(user, Capability.READ_WORKLIST)


def stages_reachable(*, user) -> QuerySet[Stage]:
    """Every stage of the pairs the user sees."""
    return Stage.objects.filter(pair__in=candidates.pairs_visible(user=user))


def area_in_reach(*, user, stage: Stage, code: str) -> bool:
    """An area of the stage's election that the user works in or above: inside the user's
    area, or one of its ancestors (a PPS sees that its kecamatan exists, and is refused there).
    The pair's own team reaches every area of its election."""
    if not code_within(code, stage.pair.election.region_id):
        return False
    if candidates.is_own_team(user=user, pair=stage.pair):
        return True
    area = user_area(user)
    return area is not None and (code_within(code, area) or code_within(area, code))


def _in_reach(qs: QuerySet, *, user, field: str, pair: str = "pair") -> QuerySet:
    qs = qs.filter(**{f"{pair}__in": candidates.pairs_visible(user=user)})
    if candidates.user_pair_id(user) is not None:
        return qs  # a team: all of its own pair, never another's (pairs_visible)
    return qs.filter(q_within(field, user_area(user)))


def tasks_in_reach(*, user) -> QuerySet[Task]:
    """Tasks of the pairs the user sees, lying in the user's area (a team: all of its pair's).
    The pages show the rows through tasks_visible; this only tells 404 from 403."""
    return _in_reach(Task.objects.all(), user=user, field="kelurahan_code")


def advice_in_reach(*, user) -> QuerySet[Advice]:
    advice = Advice.objects.select_related("stage__pair__election")
    return _in_reach(advice, user=user, field="region_code", pair="stage__pair")


def may_submit_sheet(*, user, pair: Pair) -> bool:
    """A typed-in paper sheet: the PPS/PPK (rows only inside their area: fieldwork.sheets) and
    the KPU."""
    return may(user, Capability.SUBMIT_SHEET)


def sheets_visible(*, user) -> QuerySet[Sheet]:
    """A sheet: whoever uploaded it, and the KPU running the pair's election."""
    if not getattr(user, "is_authenticated", False):
        return Sheet.objects.none()
    mine = Sheet.objects.filter(uploaded_by=user, pair__in=candidates.pairs_visible(user=user))
    return mine | Sheet.objects.filter(pair__in=candidates.pairs_managed(user=user))


def worklists_for(*, user) -> list[dict]:
    """The worklists of a PPS or PKD (its kelurahan) or of a PPK (each kelurahan of its
    kecamatan) in every open stage it sees, with how many supporters are still to meet."""
    area = user_area(user)
    if not may_see_worklist(user) or code_depth(area) not in (3, 4):
        return []
    rows = (
        Task.objects.filter(
            Q(kelurahan_code=area) | Q(kelurahan_code__startswith=f"{area}."),
            stage__status=Stage.Status.OPEN,
            stage__pair__in=candidates.pairs_visible(user=user),
        )
        .values("stage", "kelurahan_code")
        .annotate(total=Count("pk"), todo=Count("pk", filter=TO_VISIT))
        .order_by()
    )
    counts = {(row["stage"], row["kelurahan_code"]): row for row in rows}
    stages = Stage.objects.filter(pk__in={stage for stage, _code in counts}).select_related("pair")
    names = dict(
        Region.objects.filter(code__in={code for _stage, code in counts}).values_list(
            "code", "name"
        )
    )
    by_pk = {s.pk: s for s in stages}
    return [
        {
            "stage": by_pk[stage],
            "code": code,
            "name": names.get(code, code) if code != area else "",
            "total": row["total"],
            "todo": row["todo"],
        }
        for (stage, code), row in sorted(
            counts.items(), key=lambda item: (by_pk[item[0][0]].pair.name, item[0][1])
        )
    ]


def worklist_statuses() -> dict[str, Q]:
    """The worklist's status filters ("dihadirkan": the findings that start the bring-in clock,
    read from the findings table when asked). "belum" is not the TMS without a visit (a double
    who chose another pair, one struck off): they are listed under TMS, the note saying why."""
    return {
        "belum": TO_VISIT,
        "MS": Q(result=Result.MS),
        "TMS": Q(result=Result.TMS),
        "dihadirkan": Q(finding__in=findings.not_met_codes(), result=Result.PENDING),
    }


def worklist_filter(tasks: QuerySet[Task], *, q: str = "", status: str = "") -> QuerySet[Task]:
    """Search a worklist by name or by RT/RW ("3", "003/8"), and filter by status: belum, MS,
    TMS, dihadirkan (not met, may still be brought in), saksi (denials to attest)."""
    q = (q or "").strip()
    if q:
        parts = [p.strip() for p in q.split("/")]
        if all(p.isdigit() and len(p) <= 3 for p in parts) and len(parts) <= 2:
            tasks = tasks.filter(supporter__rt=parts[0].zfill(3))
            if len(parts) == 2:
                tasks = tasks.filter(supporter__rw=parts[1].zfill(3))
        else:
            tasks = tasks.filter(supporter__name__icontains=q)
    statuses = worklist_statuses()
    if status in statuses:
        tasks = tasks.filter(statuses[status])
    elif status == "saksi":
        tasks = tasks.filter(to_attest())
    return tasks


def to_attest() -> Q:
    """Denials a PKD may still attest: a finding the table lets a supervisor witness, not yet
    witnessed (the findings table read when asked). The worklist's filter "saksi"."""
    codes = [kind.code for kind in findings.kinds() if findings.attestable(kind.code)]
    return Q(finding__in=codes, attested=False)


# --- what the field pages show: plain data, read once per page ----------------------------------

LEVEL_NAMES = {
    1: _lazy("Provinsi"),
    2: _lazy("Kab/Kota"),
    3: _lazy("Kecamatan"),
    4: _lazy("Kelurahan/Desa"),
}


def region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def area_label(code: str, names: dict[str, str] | None = None) -> str:
    names = region_names([code]) if names is None else names
    return f"{names.get(code, '')} ({code})".strip()


def scope_of(*, user, pair: Pair) -> str:
    """The area whose figures the user sees: the election's region, or the user's own area
    inside it (a PPS sees its kelurahan, a KPU Kab/Kota its kab/kota of a governor election)."""
    top = pair.election.region_id
    if candidates.is_own_team(user=user, pair=pair):
        return top
    area = user_area(user) or ""
    return area if area and code_within(area, top) else top


@dataclass(frozen=True)
class AreaTable:
    rows: list[dict]
    collapsed: bool  # more than areas.AREA_ROWS_ALL rows: one branch open at a time
    counts: dict  # the scope's totals (counts.empty_counts' shape)


def area_table(
    *, user, stage: Stage, scope: str, focus: str = "", as_of: dt.date | None = None
) -> AreaTable:
    """The scope and every area below it with supporters: counts, closure, and whether this
    user may close it (closing.close_refusal, the rule area_close applies, says it is ready)
    or reopen it. One GROUP BY over the stage's tasks (108k for DKI) serves the table and the
    scope's totals. `as_of`: the day asked about (today)."""
    per_kelurahan = kelurahan_counts(stage, scope)
    totals: dict[str, dict] = {}
    top = code_depth(scope)
    for kel, counts in per_kelurahan.items():
        for level in range(top, KELURAHAN + 1):
            add_counts(totals.setdefault(code_ancestor(kel, level), empty_counts()), counts)
    closures = active_closures(stage, scope)
    names = region_names(totals)
    days, today = stage.pair.election.bring_in_days, as_of or timezone.localdate()
    worklist = may_see_worklist(user)
    children_of: dict[str, list[str]] = {}
    for code in totals:
        if code_depth(code) > top:
            children_of.setdefault(code_parent(code) or "", []).append(code)
    advice = Advice.objects.filter(stage=stage, status=Advice.Status.OPEN)
    advised = list(advice.values_list("region_code", flat=True))
    rows = []
    for code in sorted(totals, key=code_sort_key):
        closure = closures.get(code)
        level = code_depth(code)
        if level == KELURAHAN:
            last = per_kelurahan[code]["not_met_last"]
            state = AreaState(code, todo=totals[code]["todo"], not_met_last=last)
        else:
            below = tuple(c for c in children_of.get(code, []) if c not in closures)
            inside = sum(code_within(a, code) for a in advised)
            state = AreaState(code, open_below=below, open_advice=inside)
        ready = close_refusal(state, bring_in_days=days, as_of=today) is None
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "level": level - top + 1,
                "depth": level,
                "kind": LEVEL_NAMES[level],
                **{k: totals[code][k] for k in ("MS", "TMS", "PENDING", "total", "todo")},
                "closure": closure,
                "may_close": closure is None
                and ready
                and stage.status == Stage.Status.OPEN
                and may_close(user=user, region_code=code),
                "may_reopen": closure is not None and may_reopen(user=user, region_code=code),
                "worklist": level == KELURAHAN and worklist,
            }
        )
    scope_counts = empty_counts()
    for counts in per_kelurahan.values():
        add_counts(scope_counts, counts)
    shown, collapsed = rows_collapsed(rows, focus, shown_depth=top + 1, root=scope)
    return AreaTable(rows=shown, collapsed=collapsed, counts=scope_counts)


def kelurahan_may_close(*, user, stage: Stage, code: str, counts: dict, closed: bool) -> bool:
    """Whether this user may close the kelurahan now (the worklist's button): the area table's
    answer for its row (closing.close_refusal, the rule area_close applies). `counts`: the
    kelurahan's kelurahan_counts entry, which the page has read for its counters."""
    state = AreaState(code, todo=counts["todo"], not_met_last=counts["not_met_last"])
    days, today = stage.pair.election.bring_in_days, timezone.localdate()
    return (
        not closed
        and close_refusal(state, bring_in_days=days, as_of=today) is None
        and stage.status == Stage.Status.OPEN
        and may_close(user=user, region_code=code)
    )


def bring_in_waiting(*, user, stage: Stage, limit: int = 500) -> list[Task]:
    """A team's supporters not met that it may still bring to the PPS office, oldest first,
    each with its deadline and kelurahan's name."""
    tasks = tasks_visible(user=user, stage=stage).select_related("supporter")
    waiting = list(
        tasks.filter(finding__in=findings.not_met_codes(), result=Result.PENDING).order_by(
            "not_met_on", "position", "pk"
        )[:limit]
    )
    days = stage.pair.election.bring_in_days
    for task in task_rows(waiting):
        task.deadline = bring_in_deadline(task.not_met_on, days)
    return waiting


def task_rows(tasks) -> list[Task]:
    """Tasks with what their rows show beside the model: the note's label, the kelurahan's name."""
    tasks = list(tasks)
    names = region_names(t.kelurahan_code for t in tasks)
    for task in tasks:
        task.note_label = findings.note_label(task.note)
        task.kelurahan_name = names.get(task.kelurahan_code, task.kelurahan_code)
    return tasks


def advice_counts(*, user, stage: Stage) -> dict[str, int]:
    """The advice the user sees on the stage, counted by status."""
    rows = advice_visible(user=user, stage=stage).values_list("status").annotate(n=Count("pk"))
    return dict(rows.order_by())
