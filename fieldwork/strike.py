"""Striking supporters off after a confirmed public objection (docs/domain.md step 7): the KPU
found that the NIK was listed without consent, so the field result is TMS whatever the PPS
found, now and after any later record (fieldwork.rules.result_for reads `struck`).

It comes after the field work, often with the stage closed: unlike a PPS entry it is not
refused in a closed kelurahan or stage, and the closed counts above it follow (as a KPU
correction's do). It only ever lowers a result, so it cannot leave a person MS for two pairs
(fieldwork.records, rule of one pair)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from candidates.models import Pair
from fieldwork.counts import closures_refresh
from fieldwork.ledger import record_write, task_apply, task_snapshot
from fieldwork.models import Record, Task
from fieldwork.standing import standing_refresh


def tasks_strike(*, supporter_ids: Iterable[int], reason: str, by=None) -> int:
    """Strike off the field tasks of these supporters (those that have one): result TMS, note
    PUBLIC_OBJECTION, each change kept as a Record (source "objection") with `reason`.
    Idempotent. Returns how many tasks changed."""
    changed = 0
    pairs: dict[int, Pair] = {}
    with transaction.atomic():
        tasks = (
            Task.objects.select_for_update()
            .select_related("stage__pair__election")
            .filter(supporter_id__in=set(supporter_ids), struck=False)
            .order_by("pk")
        )
        for task in tasks:
            before = task_snapshot(task)
            task.struck = True
            task_apply(task, {})
            record_write(task, before, source=Record.Source.OBJECTION, by=by, reason=reason)
            closures_refresh(task.stage, task.kelurahan_code)
            pairs[task.pair_id] = task.stage.pair
            changed += 1
        for pair in pairs.values():
            standing_refresh(pair=pair)  # a struck task of a closed stage no longer counts
    return changed
