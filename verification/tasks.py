"""Thin Celery tasks: ids in, the engine does the work."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from verification.engine import verification_run


@shared_task(bind=True, acks_late=True, max_retries=None, name="verification.run")
def verification_task(self, run_id: int) -> dict:
    run = verification_run(run_id=run_id)
    if run.status == run.Status.RUNNING and not self.request.is_eager:
        # Another worker holds a chunk (alive, or dead with its lease not yet run out): come
        # back when that lease has expired and finish the run then.
        raise self.retry(countdown=settings.VERIFICATION_CHUNK_LEASE_SECONDS)
    return {"run": run.pk, "status": run.status, "counts": run.counts}
