"""Thin Celery tasks: ids in, the engine does the work."""

from __future__ import annotations

from celery import shared_task

from verification.derived import run_derive
from verification.engine import verification_run
from verification.exports import export_run
from verification.models import VerificationChunk


@shared_task(bind=True, acks_late=True, max_retries=None, name="verification.run")
def verification_task(self, run_id: int) -> dict:
    run = verification_run(run_id=run_id)
    if run.status == run.Status.RUNNING and not self.request.is_eager:
        # Another worker holds a chunk (alive, or dead with its lease not yet run out): come
        # back when that lease has expired and finish the run then.
        raise self.retry(countdown=VerificationChunk.lease_seconds())
    if run.status == run.Status.DONE:
        run_derive(run=run)  # the red flags, once, instead of at every load of the recap
    return {"run": run.pk, "status": run.status, "counts": run.counts}


@shared_task(acks_late=True, name="verification.export")
def export_task(export_id: int) -> str:
    """Write one export of the results (XLSX). Enqueue with transaction.on_commit."""
    return export_run(export_id=export_id).status
