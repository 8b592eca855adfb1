"""Thin Celery tasks of the objections."""

from __future__ import annotations

import logging

from celery import shared_task

from objections.checkcounts import check_counts_flush

log = logging.getLogger(__name__)


@shared_task(acks_late=True, name="objections.check_counts_flush")
def check_counts_flush_task() -> int:
    """The check's closed hours into the database (enqueued by the first lookup of an hour);
    running it twice writes the same rows."""
    return check_counts_flush()


def check_counts_flush_soon() -> None:
    """Enqueue the flush (the gate said this lookup was its hour's first). The check answers
    whatever happens here: the counts wait in Redis for the next hour's try."""
    try:
        check_counts_flush_task.delay()
    except Exception:  # noqa: BLE001 (a broker down must not take the check down)
        log.exception("could not enqueue the check counts' flush")
