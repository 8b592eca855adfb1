from __future__ import annotations

from celery import shared_task

from candidates.intake import support_upload_run


@shared_task(name="candidates.support_upload")
def support_upload_task(upload_id: int) -> str:
    """Load one support upload. Enqueue with transaction.on_commit(lambda: task.delay(pk))."""
    return support_upload_run(upload_id=upload_id).status
