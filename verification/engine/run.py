"""Working a run: prepare once, then claim and process chunks until none is left, then finish."""

from __future__ import annotations

import logging
import threading

from django.db import connection
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext

from audit.trail import audit_record
from candidates.models import Supporter
from jobs.models import crash_time
from jobs.outage import write_through_outage
from jobs.runner import job_take
from verification.engine.backends import RESULT, Backend, backend, session_count
from verification.engine.chunk import (
    chunk_process,
    counts_from_groups,
    counts_sql,
    counts_sum,
)
from verification.engine.prepare import run_prepare, superseded_mark
from verification.models import VerificationChunk, VerificationRun
from verification.signals import run_finished

log = logging.getLogger(__name__)


def verification_run(*, run_id: int, db: Backend | None = None) -> VerificationRun:
    """Work the run's chunks until none is left. Safe to call again, concurrently, or after a
    crash: finished chunks stay finished, the others are redone from scratch.

    `db` is the database backend (backends.backend() by default); tests pass one that fails
    on purpose to show what a crash midway leaves."""
    db = db or backend()
    run = VerificationRun.objects.select_related("pair__election").get(pk=run_id)
    if run.status == VerificationRun.Status.DONE:
        return run
    # A run started anew (or again after a failure) starts its phases anew; a second worker
    # joining a running one leaves them.
    VerificationRun.objects.filter(
        pk=run_id, status__in=[VerificationRun.Status.PENDING, VerificationRun.Status.FAILED]
    ).update(phase="")
    VerificationRun.objects.filter(pk=run_id).exclude(status=VerificationRun.Status.DONE).update(
        status=VerificationRun.Status.RUNNING, error=""
    )
    try:
        _phase(run, VerificationRun.Phase.PREPARE)
        prepared = run_prepare(run, db)
        _phase(run, VerificationRun.Phase.WRITE)
        sessions = _sessions(run, db)
        if sessions > 1:
            _work_in_threads(run, prepared, db, sessions)
        else:
            _work(run, prepared, db)
        _finish(run, db)
    except Exception:
        # Users see what to do and a reference; the exception's text (it may quote data) goes
        # to the server log only.
        log.exception("verification run %s failed", run_id)
        error = gettext(
            "Terjadi kesalahan sistem pada verifikasi #%(id)s (%(time)s). Hasil yang sudah "
            "selesai tetap tersimpan; jalankan verifikasi lagi untuk melanjutkannya, atau "
            "hubungi admin dengan menyebut nomor ini."
        ) % {"id": run_id, "time": crash_time()}
        write_through_outage(
            lambda: (
                VerificationRun.objects.filter(pk=run_id)
                .exclude(status=VerificationRun.Status.DONE)
                .update(status=VerificationRun.Status.FAILED, error=error)
            )
        )
        raise
    run.refresh_from_db()
    return run


def _phase(run: VerificationRun, phase: str) -> None:
    """Shown on the run's page while it works (progress_percent). A later phase is never
    turned back by a second worker that joins late."""
    order = list(VerificationRun.PHASE_PERCENT)
    VerificationRun.objects.filter(
        pk=run.pk, phase__in=order[: order.index(phase)], status=VerificationRun.Status.RUNNING
    ).update(phase=phase)


def _work(run: VerificationRun, prepared: dict, db: Backend) -> None:
    """Claim and process chunks until none is left (other workers may take some meanwhile)."""
    if db.matches_lost(run, prepared):  # a server restart emptied the unlogged matches
        prepared = run_prepare(run, db, again=True)
    chunks = VerificationChunk.objects.filter(run=run).order_by("seq")
    # Each chunk a leased job: after an error it is given back at once, even while the database
    # restarts (VerificationChunk.crashed), and the error raised again.
    while job_take(
        VerificationChunk, chunks, lambda job: chunk_process(run, job.job, prepared, db, job)
    ):
        pass


def _sessions(run: VerificationRun, db: Backend) -> int:
    """How many database sessions work this run's chunks side by side: up to
    VERIFICATION_SESSIONS on PostgreSQL (one INSERT .. SELECT runs on one core only, two
    chunks written by two sessions use two), one on SQLite (one writer), and one inside a
    caller's transaction (a test's: other sessions could not see its rows)."""
    if not db.parallel_sessions or connection.in_atomic_block:
        return 1
    return max(1, min(session_count(), run.chunks_total))


def _work_in_threads(run: VerificationRun, prepared: dict, db: Backend, sessions: int) -> None:
    """`sessions` threads, each with its own database connection, claim chunks like separate
    workers would (the claims keep them apart). The first error is raised once all stopped."""
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            _work(run, prepared, db)
        except BaseException as exc:  # handed to the calling thread below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker, name=f"run-{run.pk}-{i}") for i in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _finish(run: VerificationRun, db: Backend) -> None:
    if (
        VerificationChunk.objects.filter(run=run)
        .exclude(status=VerificationChunk.Status.DONE)
        .exists()
    ):
        return  # another worker still holds a chunk; it finishes the run
    _phase(run, VerificationRun.Phase.FINISH)
    db.run_cleanup(run)
    # A rerun of an earlier round wrote superseded=False; later rounds may supersede its rows.
    last = Supporter.objects.filter(pair_id=run.pair_id).aggregate(r=Max("round"))["r"] or 0
    if last > run.round:
        superseded_mark(pair_id=run.pair_id, round=last)
    parts = list(VerificationChunk.objects.filter(run=run).values_list("counts", flat=True))
    if parts and all(part is not None for part in parts):
        counts = counts_sum(parts)
    else:
        counts = run_counts(run_id=run.pk)
    finished = (
        VerificationRun.objects.filter(pk=run.pk)
        .exclude(status=VerificationRun.Status.DONE)
        .update(
            status=VerificationRun.Status.DONE,
            finished_at=timezone.now(),
            counts=counts,
            chunks_done=F("chunks_total"),
        )
    )
    if finished:  # once, by the worker that finished it: the layers above move (standing)
        run_finished.send(sender=VerificationRun, run=run)
    audit_record(
        "verification.finished",
        area=run.pair.election.region_id,
        target=run,
        data={"pair": run.pair_id, "round": run.round, "counts": counts},
    )
    log.info(
        "verifikasi administrasi #%s selesai: %s pendukung, MS %s, BMS %s, TMS %s",
        run.pk,
        *(f"{counts.get(k, 0):,}".replace(",", ".") for k in ("total", "MS", "BMS", "TMS")),
    )


def run_counts(*, run_id: int) -> dict:
    """Outcome and reason counts of one run's results: one GROUP BY."""
    with connection.cursor() as cursor:
        cursor.execute(
            counts_sql(f"(SELECT outcome, reasons FROM {RESULT} WHERE run_id = %(run)s) r"),
            {"run": run_id},
        )
        return counts_from_groups(cursor.fetchall())
