"""Entry points that views, the API and commands call to start work in the verification layer."""

from __future__ import annotations

from django.db import transaction

from audit.trail import audit_record
from candidates.models import Pair
from verification.engine import run_create
from verification.models import VerificationRun
from verification.tasks import verification_task


def verification_start(*, pair: Pair, round: int | None = None, started_by=None) -> VerificationRun:
    """Record (or resume) the administrative verification of the pair's round and run it in a
    task once this transaction commits. Raises ValidationError with the reason in Indonesian
    when it cannot start (no roll, an earlier round unverified, an upload still loading)."""
    with transaction.atomic():
        run = run_create(pair=pair, round=round, started_by=started_by)
        transaction.on_commit(lambda: verification_task.delay(run.pk))
        resumed = run.status != VerificationRun.Status.PENDING or run.chunks_done > 0
        audit_record(
            "verification.resumed" if resumed else "verification.started",
            actor=started_by,
            area=pair.election.region_id,
            target=run,
            data={"pair": pair.pk, "round": run.round, "rules": run.reason_outcomes},
        )
    return run
