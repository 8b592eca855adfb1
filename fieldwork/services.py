"""The fieldwork layer's services: the one place views, the API and commands import writes from.

In this project "services" means writes and their rules (a service checks its own rule again
whatever a page offered, and raises ValidationError when refused); "selectors" means reads
returning querysets or plain data (fieldwork/selectors.py, history.py). The writes themselves
live by topic: stages.py (start, window), records.py (entries, attestation), closing.py (close,
reopen, close all), supervision.py (Form A, advice), sheets.py (a typed-in sheet); this module
names them once, and adds the entry points that enqueue work. tests/fieldwork/test_services.py
checks that fieldwork's views, API and commands import no write from the topic modules.
"""

from __future__ import annotations

from typing import IO

from django.core.files import File
from django.db import transaction

from audit.trail import audit_record
from candidates.models import Pair
from fieldwork.closing import area_close, area_reopen, stage_close_all, stage_close_preview
from fieldwork.models import Sheet
from fieldwork.records import Entry, Outcome, attest_denial, record_entry
from fieldwork.sheets import sheet_keep, sheet_run
from fieldwork.stages import stage_start, window_change
from fieldwork.supervision import advice_answer, advice_create, report_create
from fieldwork.tasks import sheet_task

__all__ = [
    "Entry",
    "Outcome",
    "advice_answer",
    "advice_create",
    "area_close",
    "area_reopen",
    "attest_denial",
    "record_entry",
    "report_create",
    "sheet_keep",
    "sheet_run",
    "sheet_submit",
    "stage_close_all",
    "stage_close_preview",
    "stage_start",
    "window_change",
]


def sheet_submit(
    *, pair: Pair, file: IO[bytes] | File, original_name: str, uploaded_by=None
) -> tuple[Sheet, bool]:
    """Keep a PPS's sheet, then apply it in a task once this transaction commits."""
    with transaction.atomic():
        sheet, created = sheet_keep(
            pair=pair, file=file, original_name=original_name, uploaded_by=uploaded_by
        )
        if sheet.status == Sheet.Status.PENDING:
            transaction.on_commit(lambda: sheet_task.delay(sheet.pk))
        audit_record(
            "verfak.sheet_submitted",
            actor=uploaded_by,
            area=pair.election.region_id,
            target=sheet,
            data={"file": sheet.original_name, "sha256": sheet.sha256, "new": created},
        )
    return sheet, created
