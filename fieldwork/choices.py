"""A double supporter's choice of one pair (rule 1 and 4 of fieldwork.records): kept for the
election and carried to the person's other tasks, or the whole entry refused when it would
change a closed result."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fieldwork.counts import kelurahan_closed
from fieldwork.entries import COLUMNS, EntryError
from fieldwork.ledger import record_write, task_apply, task_snapshot
from fieldwork.models import Choice, Record, Stage, Task


class Refused(Exception):
    """Raised inside an entry's savepoint to undo what it wrote (fieldwork's one-pair rule)."""

    def __init__(self, errors: list[EntryError]):
        super().__init__()
        self.errors = errors


def choice_record(task: Task, record: Record, others: list[Task]) -> None:
    """The supporter chose a pair: kept for the election, and carried to the person's other
    tasks (locked by the caller), now and when their stage starts (stages.stage_start)."""
    choice, _created = Choice.objects.update_or_create(
        election_id=task.stage.pair.election_id,
        nik_hash=bytes(task.nik_hash),
        defaults={"pair_id": task.chosen_pair_id, "record": record},
    )
    choice_reach(choice, origin=task, tasks=others, by=record.by)


def choice_reach(choice: Choice, *, origin: Task, tasks: list[Task], by) -> None:
    """The choice onto these other tasks of the chooser: every one carries it; the chosen
    pair's, if open, follows the finding recorded with it (the origin's); the others become
    TMS (CHOSE_OTHER). A task in a closed kelurahan or stage takes the choice alone and only
    if its result stays as closed; otherwise the whole entry is refused (Refused), naming the
    pair (rule 4 of the module docstring)."""
    values = {
        "finding": origin.finding,
        "method": origin.method,
        "visited_on": origin.visited_on,
        "deceased_on": origin.deceased_on,
        "not_met_on": origin.not_met_on,
    }
    refused: list[EntryError] = []
    for other in tasks:
        closed = _task_closed(other)
        change: dict = {"chosen_pair_id": choice.pair_id}
        if other.pair_id == choice.pair_id and not closed:
            change.update(values)
        before = task_snapshot(other)
        # In a closed area nothing is pending any more: as at its closing, those not met or
        # never visited are TMS.
        task_apply(other, change, closing_on=dt.date.max if closed else None)
        if closed and other.result != before["result"]:
            refused.append(_closed_choice_error(other))
        elif task_snapshot(other) != before:
            record_write(other, before, source=Record.Source.CHOICE, by=by)
    if refused:
        raise Refused(refused)


def _task_closed(task: Task) -> bool:
    return task.stage.status == Stage.Status.CLOSED or kelurahan_closed(
        task.stage_id, task.kelurahan_code
    )


def _closed_choice_error(other: Task) -> EntryError:
    return EntryError(
        COLUMNS["chosen_pair_id"],
        _(
            "Hasil pendukung ini pada bakal pasangan calon %(pair)s (verifikasi faktual %(n)s) "
            "sudah ditutup, dan pilihan ini akan mengubahnya. Minta KPU membuka kembali "
            "wilayah itu lalu catat lagi, atau mengoreksi hasil pendukung ini pada pasangan "
            "%(pair)s dengan pasangan pilihannya."
        )
        % {"pair": other.stage.pair.name, "n": other.stage.number},
    )
