"""What the task, worklist and supervision pages show beside the selectors' rules: the
pairs one can choose, a task's deadline and offers, the regions a supervisor may name, the
counts by finding. Plain data, read once per page (fieldwork/selectors.py keeps who may see
and do what, and the area table)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from candidates.models import Pair
from electorate.models import Region
from fieldwork import findings
from fieldwork.counts import kelurahan_closed
from fieldwork.models import Result, Stage, Task
from fieldwork.rules import bring_in_deadline
from fieldwork.selectors import (
    is_pkd,
    may_advise,
    may_attest,
    may_correct,
    may_record,
)
from staff.access import q_within, user_area


def election_pairs(pair: Pair) -> list[Pair]:
    return list(Pair.objects.filter(election_id=pair.election_id).order_by("name"))


def by_finding(counts: dict) -> list[tuple[str, int]]:
    """The counts by finding, as the pair's page lists them (the findings table's order)."""
    return [
        (_("Belum diverifikasi"), counts["todo"]),
        # No finding but TMS: a double who chose another pair, one struck off.
        (_("Tanpa kunjungan, TMS"), counts["by_finding"].get("", 0) - counts["todo"]),
        *((str(k.label), counts["by_finding"].get(k.code, 0)) for k in findings.kinds()),
    ]


def task_deadline(task: Task) -> dt.date | None:
    """The last day a supporter not met may be brought in, while it matters."""
    if task.result != Result.PENDING or not findings.starts_bring_in(task.finding):
        return None
    return bring_in_deadline(task.not_met_on, task.stage.pair.election.bring_in_days)


@dataclass(frozen=True)
class TaskOffers:
    """What one user may do on one task where it lies."""

    record: bool
    correct: bool
    attest: bool
    advise: bool


def task_offers(*, user, stage: Stage, code: str):
    """The offers on the tasks of one kelurahan, worked out once per page: a function of the
    task (the worklist asks it for each row)."""
    stage_open = stage.status == Stage.Status.OPEN
    closed = stage_open and kelurahan_closed(stage.pk, code)
    place_open = stage_open and not closed
    correct = closed and may_correct(user=user, stage=stage)
    pkd = is_pkd(user)

    def offers(task: Task) -> TaskOffers:
        return TaskOffers(
            record=place_open and may_record(user=user, task=task),
            correct=correct,
            attest=place_open
            and findings.attestable(task.finding)
            and not task.attested
            and pkd
            and may_attest(user=user, task=task),
            advise=stage_open and may_advise(user=user, region_code=task.kelurahan_code),
        )

    return offers


def regions_for(*, user, stage: Stage) -> list[tuple[str, str]]:
    """The areas a supervisor may report on or advise about: inside both their area and the
    election's region."""
    top = stage.pair.election.region_id
    regions = Region.objects.filter(q_within("code", top), q_within("code", user_area(user)))
    return list(regions.order_by("code").values_list("code", "name"))
