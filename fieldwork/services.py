"""Entry points that views, the API and commands call to start work in the fieldwork layer.
The field work itself is in stages.py, records.py, closing.py and supervision.py."""

from __future__ import annotations

from typing import IO

from django.core.files import File
from django.db import transaction

from audit.trail import audit_record
from candidates.models import Pair
from fieldwork.models import Sheet
from fieldwork.sheets import sheet_keep
from fieldwork.tasks import sheet_task


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
