from __future__ import annotations

from celery import shared_task

from electorate.roll_import import roll_import_run


@shared_task(name="electorate.roll_import")
def roll_import_task(import_id: int) -> str:
    """Load one voter-roll import. Enqueue with transaction.on_commit(lambda: task.delay(pk))."""
    return roll_import_run(import_id=import_id).status
