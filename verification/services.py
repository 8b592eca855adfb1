"""Entry points that views, the API and commands call to start work in the verification layer."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from audit.trail import audit_record
from candidates.models import Pair
from verification.engine import run_create
from verification.models import ReasonMark, VerificationResult, VerificationRun
from verification.rules import Reason, outcome_for, outcome_masks, run_outcomes
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


def result_reason_add(*, supporter_ids: Iterable[int], reason: Reason, source: str, by=None) -> int:
    """Give these supporters a reason that no check of the list finds (PUBLIC_OBJECTION: the
    KPU confirmed a misuse): kept as a mark that every later run applies, and set at once on
    their current results, whose outcome is recomputed with the rules their run applied.
    Idempotent. Returns how many results changed."""
    ids = sorted(set(supporter_ids))
    bit = int(reason)
    changed = 0
    with transaction.atomic():
        ReasonMark.objects.bulk_create(
            [ReasonMark(supporter_id=i, bits=bit, source=source[:60]) for i in ids],
            ignore_conflicts=True,
        )
        results = (
            VerificationResult.objects.select_for_update()
            .filter(supporter_id__in=ids)
            .select_related("run__pair__election")
            .order_by("supporter_id")
        )
        for result in results:
            if result.reasons & bit:
                continue
            outcomes = run_outcomes(result.run.reason_outcomes, result.run.pair.election)
            before = result.outcome
            result.reasons |= bit
            result.outcome = outcome_for(result.reasons, outcome_masks(outcomes))
            result.save(update_fields=["reasons", "outcome"])
            changed += 1
            audit_record(
                "verification.reason_added",
                actor=by,
                area=result.kelurahan_code,
                target=result,
                data={"reason": reason.name, "source": source, "before": before,
                      "outcome": result.outcome},
            )  # fmt: skip
    return changed
