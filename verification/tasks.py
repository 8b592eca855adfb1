"""Thin Celery tasks: ids in, the service does the work."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=None)
def admin_verification_task(self, run_id: int) -> dict:
    from verification.engine import admin_verification_run, chunk_lease_seconds

    run = admin_verification_run(run_id=run_id)
    if run.status == run.Status.RUNNING and not self.request.is_eager:
        # Another worker holds a chunk (alive, or dead with its lease not yet run out): come
        # back when that lease has expired and finish the run then.
        raise self.retry(countdown=chunk_lease_seconds())
    return {"run": run.pk, "status": run.status, "counts": run.counts}


@shared_task(acks_late=True)
def duplicate_external_refresh_task(election_id: int) -> int:
    from candidates.models import Election
    from verification.engine import duplicate_external_refresh

    return duplicate_external_refresh(election=Election.objects.get(pk=election_id))
