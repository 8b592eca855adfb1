"""One chunk of a run: claimed by one worker, then replaced as a whole in one transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from verification.engine.backends import RESULT, Backend
from verification.engine.prepare import names_flag
from verification.engine.reasons import reason_params, results_select
from verification.models import VerificationChunk, VerificationRun
from verification.rules import outcome_masks, outcome_sql


def chunk_claim(run: VerificationRun) -> VerificationChunk | None:
    """Take the next free chunk: a conditional UPDATE that exactly one worker can win. A chunk
    claimed longer ago than the lease by a worker that never finished is free again; the lease
    is longer than the task's hard time limit (a system check makes sure), so that chunk
    cannot still be alive."""
    stale = timezone.now() - dt.timedelta(seconds=settings.VERIFICATION_CHUNK_LEASE_SECONDS)
    free = Q(status=VerificationChunk.Status.PENDING) | Q(
        status=VerificationChunk.Status.RUNNING, claimed_at__lt=stale
    )
    for chunk in VerificationChunk.objects.filter(free, run=run).order_by("seq"):
        won = VerificationChunk.objects.filter(free, pk=chunk.pk).update(
            status=VerificationChunk.Status.RUNNING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        if won == 1:
            return chunk
    return None


def chunk_release(chunk: VerificationChunk) -> None:
    """Give a chunk back at once after an error; a killed worker's claim expires with the lease."""
    VerificationChunk.objects.filter(pk=chunk.pk, status=VerificationChunk.Status.RUNNING).update(
        status=VerificationChunk.Status.PENDING, claimed_at=None
    )


def chunk_process(
    run: VerificationRun, chunk: VerificationChunk, prepared: dict, db: Backend
) -> None:
    """Replace the chunk's results: delete them, (SQLite: judge the chunk's names,) INSERT
    every result once. One transaction: a chunk that dies leaves nothing behind."""
    params = reason_params(run, prepared, lo=chunk.id_from, hi=chunk.id_to)
    outcome = outcome_sql("t.reasons", outcome_masks(run.reason_outcomes))
    with transaction.atomic(), connection.cursor() as cursor:
        db.chunk_begin(cursor)
        cursor.execute(
            f"DELETE FROM {RESULT} WHERE supporter_id BETWEEN %(lo)s AND %(hi)s "
            "AND pair_id = %(pair)s AND round = %(round)s",
            params,
        )
        if db.names_in_chunks:
            names_flag(run, db, lo=chunk.id_from, hi=chunk.id_to)
        cursor.execute(
            f"""
            INSERT INTO {RESULT} (supporter_id, run_id, pair_id, round, kelurahan_code, reasons,
                                  outcome, voter_id, superseded)
            SELECT t.id, %(run)s, t.pair_id, t.round, t.kelurahan_id, t.reasons,
                   {outcome}, t.voter_id, %(superseded)s
            FROM ({results_select(db.voter_join(run.pk), prepared)}) t
            """,
            {**params, "superseded": False},
        )
        rows = cursor.rowcount
        VerificationChunk.objects.filter(pk=chunk.pk).update(
            status=VerificationChunk.Status.DONE, rows=rows
        )
        VerificationRun.objects.filter(pk=run.pk).update(chunks_done=F("chunks_done") + 1)
