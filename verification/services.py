"""Entry points that views, the API and commands call to start work in the verification layer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from audit.trail import audit_record
from candidates.models import Pair
from candidates.standing import pair_undecided_check
from candidates.submission import submission_gate
from verification.derived import results_changed
from verification.engine import run_create
from verification.engine.start import round_to_verify
from verification.exports import export_alive, export_open
from verification.models import Export, ReasonMark, VerificationResult, VerificationRun
from verification.rules import Reason, outcome_for, outcome_masks, run_outcomes
from verification.selectors import scope_for
from verification.tasks import export_task, verification_task


def verification_start(*, pair: Pair, round: int | None = None, started_by=None) -> VerificationRun:
    """Record (or resume) the administrative verification of the pair's round and run it in a
    task once this transaction commits. Raises ValidationError with the reason in Indonesian
    when it cannot start (no roll, an earlier round unverified, an upload still loading, the
    list as submitted not admitted: candidates.submission; the pair decided already)."""
    pair_undecided_check(pair)
    submission_admit(pair=pair, round=round, by=started_by)
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


def submission_admit(*, pair: Pair, round: int | None, by=None, check: bool = True) -> None:
    """The count-and-spread check before the round's verification (candidates.submission):
    made now if the check in force does not admit the list (its record kept even when the
    start is refused), skipped for a round that already has results (a rerun)."""
    if round is None:
        round = round_to_verify(pair)
    verified = VerificationResult.objects.filter(pair_id=pair.pk, round=round).exists()
    submission_gate(pair=pair, round=round, verified=verified, by=by, check=check)


def result_reason_add(*, supporter_ids: Iterable[int], reason: Reason, source: str, by=None) -> int:
    """Give these supporters a reason that no check of the list finds (PUBLIC_OBJECTION: the
    KPU confirmed a misuse): kept as a mark that every later run applies, and set at once on
    their current results, whose outcome is recomputed with the rules their run applied.
    Idempotent. Returns how many results changed."""
    ids = sorted(set(supporter_ids))
    bit = int(reason)
    changed = 0
    pairs: set[int] = set()
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
            pairs.add(result.pair_id)
            audit_record(
                "verification.reason_added",
                actor=by,
                area=result.kelurahan_code,
                target=result,
                data={"reason": reason.name, "source": source, "before": before,
                      "outcome": result.outcome},
            )  # fmt: skip
        results_changed(pair_ids=pairs)  # the stored recap and list counts: again
    return changed


def export_start(
    *, user, pair: Pair, round: int | None, outcome: str = "", enqueue: bool = True
) -> Export:
    """Record an export of the results page's rows for this user (round and status filter as
    on the page) and write it in a task once this transaction commits. The same export still
    pending or running is returned instead of a second one; one whose worker died (silent past
    its lease) or that failed is asked for afresh. The caller checks may_export."""
    outcome = outcome if outcome in ("MS", "BMS", "TMS") else ""
    with transaction.atomic():
        same = Export.objects.filter(
            requested_by=user, pair=pair, round=round, outcome=outcome
        ).order_by("-pk")
        for export in same.filter(status__in=[Export.Status.PENDING, Export.Status.RUNNING]):
            if export_alive(export):
                return export
            # Its worker died: a late finish of it is refused (exports._store), a new one asked.
            Export.objects.filter(
                pk=export.pk, status__in=[Export.Status.PENDING, Export.Status.RUNNING]
            ).update(
                status=Export.Status.FAILED,
                failure=gettext("Penulisan terhenti; ekspor baru sudah diminta."),
            )
        export = Export.objects.create(
            requested_by=user,
            pair=pair,
            round=round,
            outcome=outcome,
            area=_scope_area(user=user, pair=pair),
        )
        if enqueue:
            transaction.on_commit(lambda: export_task.delay(export.pk))
        audit_record(
            "export.requested",
            actor=user,
            area=pair.election.region_id,
            target=export,
            data={"what": "supporter_results_xlsx", "pair": pair.pk, "round": round,
                  "status": outcome, "scope": export.area},
        )  # fmt: skip
    return export


def _scope_area(*, user, pair: Pair) -> str:
    """The part of the list the export holds, for the trail: "" the whole list."""
    scope = scope_for(user=user, pair=pair)
    return "" if scope.whole else scope.area


def export_download(*, export: Export, user) -> IO[bytes]:
    """The ready export's file, decrypted as it is read; counted and kept in the audit trail
    (who, which rows, how many, the how-manieth download). The caller checks that the export
    is the user's (selectors.exports_visible) and that it is ready and not expired."""
    with transaction.atomic():
        Export.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
        export.refresh_from_db(fields=["downloads"])
        audit_record(
            "export.downloaded",
            actor=user,
            area=export.pair.election.region_id,
            target=export,
            data={"what": "supporter_results_xlsx", "pair": export.pair_id,
                  "round": export.round, "status": export.outcome, "scope": export.area,
                  "rows": export.rows_written, "download": export.downloads,
                  "sha256": export.sha256},
        )  # fmt: skip
    return export_open(export)
