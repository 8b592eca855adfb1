"""Settings that must agree with each other, checked when Django starts (manage.py, the web
process, every Celery worker)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register()
def verification_leases_check(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    limit = settings.CELERY_TASK_TIME_LIMIT
    lease = settings.JOB_LEASE_SECONDS["verification_chunk"]
    if limit is not None and lease <= limit:
        errors.append(
            Error(
                f"JOB_LEASE_SECONDS verification_chunk ({lease} s) must be longer than "
                f"CELERY_TASK_TIME_LIMIT ({limit} s): a chunk still running would be handed to "
                "a second worker.",
                hint=f"Set JOB_LEASE_SECONDS=verification_chunk={limit + 300}.",
                id="verification.E001",
            )
        )
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if limit is not None and visibility is not None and visibility <= limit:
        errors.append(
            Error(
                f"CELERY_VISIBILITY_TIMEOUT ({visibility} s) must be longer than "
                f"CELERY_TASK_TIME_LIMIT ({limit} s): Redis would deliver a task that is still "
                "running to a second worker.",
                hint=f"Set CELERY_VISIBILITY_TIMEOUT to at least {limit + 300}.",
                id="verification.E002",
            )
        )
    return errors
