"""A task's state and its append-only history: a snapshot of what a record may change, setting
values and the result they give (rules.result_for), and writing the record with its audit
event. Every path that changes a task goes through here (records, choices, closing, strike)."""

from __future__ import annotations

import datetime as dt

from audit.trail import audit_record
from fieldwork import findings
from fieldwork.models import Method, Record, Task
from fieldwork.rules import State, result_for


def _state(task: Task) -> State:
    return State(
        pair_id=task.pair_id,
        finding=task.finding,
        attested=task.attested,
        double=task.double,
        chosen_pair_id=task.chosen_pair_id,
        not_met_on=task.not_met_on,
        struck=task.struck,
    )


def task_snapshot(task: Task) -> dict:
    return {
        "finding": task.finding,
        "method": task.method,
        "visited_on": task.visited_on.isoformat() if task.visited_on else None,
        "deceased_on": task.deceased_on.isoformat() if task.deceased_on else None,
        "chosen_pair_id": task.chosen_pair_id,
        "attested": task.attested,
        "struck": task.struck,
        "result": task.result,
    }


def task_apply(task: Task, values: dict, *, closing_on: dt.date | None = None) -> None:
    """Set the values on the task, then its result. TIDAK_DITEMUI starts the bring-in clock;
    a new finding other than a denial drops an attestation that no longer applies."""
    for name, value in values.items():
        setattr(task, name, value)
    if (
        findings.starts_bring_in(values.get("finding", ""))
        and values.get("method") != Method.DIHADIRKAN
    ):
        task.not_met_on = values["visited_on"]
    if not findings.attestable(task.finding):
        task.attested = False
    election = task.stage.pair.election
    task.result, task.note = result_for(
        _state(task), bring_in_days=election.bring_in_days, closing_on=closing_on
    )
    task.version += 1


def record_write(task: Task, before: dict, *, source: str, by, **extra) -> Record:
    after = task_snapshot(task)
    values = {k: v for k, v in after.items() if before.get(k) != v}
    task.save()
    record = Record.objects.create(
        task=task,
        by=by,
        source=source,
        values=values,
        before={k: before.get(k) for k in values},
        **extra,
    )
    audit_record(
        "verfak.recorded",
        actor=by,
        area=task.kelurahan_code,
        chain=task.kelurahan_code,  # a chain per kelurahan: officers do not queue on one lock
        target=task,
        data={"source": source, "record": record.pk, "values": values,
              "before": record.before, "reason": extra.get("reason", "")},
    )  # fmt: skip
    return record
