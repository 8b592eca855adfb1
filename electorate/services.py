"""Entry points that views, the API and commands call for the electorate layer."""

from __future__ import annotations

from typing import IO, Any

from django.core.files import File
from django.db import transaction

from audit.trail import audit_record
from electorate.models import RollImport, VoterRoll
from electorate.roll_import import roll_import_create
from electorate.tasks import roll_import_task


def roll_import_submit(
    *, roll: VoterRoll, file: IO[bytes] | File, original_name: str, uploaded_by: Any = None
) -> tuple[RollImport, bool]:
    """Keep the file, then load it in a task once this transaction commits. The same file again
    is the same import (created=False); a failed or dead one of it is put back to work."""
    with transaction.atomic():
        job, created = roll_import_create(
            roll=roll, file=file, original_name=original_name, uploaded_by=uploaded_by
        )
        if job.status == RollImport.Status.PENDING:
            transaction.on_commit(lambda: roll_import_task.delay(job.pk))
        audit_record(
            "roll.import_submitted",
            actor=uploaded_by,
            area=roll.region_id,
            target=job,
            data={"file": job.original_name, "sha256": job.sha256, "new": created},
        )
    return job, created
