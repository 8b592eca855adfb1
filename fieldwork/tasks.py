"""Thin Celery tasks: ids in, the service does the work."""

from __future__ import annotations

from celery import shared_task

from fieldwork.sheets import sheet_run


@shared_task(name="fieldwork.sheet")
def sheet_task(sheet_id: int) -> str:
    return sheet_run(sheet_id=sheet_id).status
