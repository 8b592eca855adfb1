"""Thin Celery tasks: ids in, the service does the work."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def admin_verification_task(run_id: int) -> dict:
    from verification.engine import admin_verification_run

    run = admin_verification_run(run_id=run_id)
    return {"run": run.pk, "status": run.status, "counts": run.counts}


@shared_task(acks_late=True)
def duplicate_external_refresh_task(election_id: int) -> int:
    from candidates.models import Election
    from verification.engine import duplicate_external_refresh

    return duplicate_external_refresh(election=Election.objects.get(pk=election_id))
