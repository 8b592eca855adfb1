"""Entry points that views, the API and commands call for the electorate layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import audit_record
from electorate.models import RollImport, Voter, VoterRoll
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
            if job.undone_at is not None:  # an undone import sent again: imported anew
                RollImport.objects.filter(pk=job.pk).update(undone_at=None, undone_by=None)
                job.undone_at = job.undone_by = None
            transaction.on_commit(lambda: roll_import_task.delay(job.pk))
        audit_record(
            "roll.import_submitted",
            actor=uploaded_by,
            area=roll.region_id,
            target=job,
            data={"file": job.original_name, "sha256": job.sha256, "new": created},
        )
    return job, created


# use(imp) -> a sentence saying what already relies on the import's voters, or None. Filled by
# the layers above from their AppConfig.ready (verification: a run that read this file).
ROLL_USES: list[Callable[[RollImport], str | None]] = []


def roll_use_register(check: Callable[[RollImport], str | None]) -> None:
    if check not in ROLL_USES:
        ROLL_USES.append(check)


def roll_import_undo(*, import_id: int, by: Any = None) -> int:
    """Take one import's voters out of the roll again (a wrong file, loaded by mistake): the
    rows it brought are deleted, the import is kept (SHA-256, counts, who undid it, when) and
    the same file may be imported again. Refused once anything relies on those voters (a
    verification matched supporters against them): ValidationError saying what. Returns the
    number of voters deleted."""
    with transaction.atomic():
        imp = RollImport.objects.select_for_update().get(pk=import_id)
        if imp.undone_at is not None:
            raise ValidationError(_("Impor ini sudah dibatalkan."))
        if imp.status != RollImport.Status.DONE:
            raise ValidationError(
                _("Hanya impor yang sudah selesai yang dapat dibatalkan (status: %(s)s).")
                % {"s": imp.get_status_display()}
            )
        for check in ROLL_USES:
            if (reason := check(imp)) is not None:
                raise ValidationError(reason)
        deleted, _counts = Voter.objects.filter(roll_id=imp.roll_id, roll_import=imp).delete()
        RollImport.objects.filter(pk=imp.pk).update(
            status=RollImport.Status.FAILED,
            undone_at=timezone.now(),
            undone_by=by if getattr(by, "pk", None) else None,
            failure=_("Impor dibatalkan: %(n)s pemilih dari berkas ini dikeluarkan dari DPT.")
            % {"n": f"{deleted:,}".replace(",", ".")},
        )
        audit_record(
            "roll.import_undone",
            actor=by,
            area=imp.roll.region_id,
            target=imp,
            data={"file": imp.original_name, "sha256": imp.sha256, "voters_deleted": deleted},
        )
    return deleted
