"""One chunk of a run: claimed by one worker (a leased job, jobs.runner), then replaced as a
whole in one transaction."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F

from jobs.runner import Run
from verification.engine.backends import RESULT, Backend
from verification.engine.prepare import names_flag
from verification.engine.reasons import reason_params, results_select, run_sources
from verification.models import VerificationChunk, VerificationRun
from verification.rules import Outcome, Reason, outcome_masks, outcome_sql, reason_counts_sql


def chunk_process(
    run: VerificationRun, chunk: VerificationChunk, prepared: dict, db: Backend, job: Run
) -> None:
    """The chunk's load step: replace its results (delete them, on SQLite judge the chunk's
    names, INSERT every result once) and mark it done (`job`), in one transaction: a chunk
    that dies leaves nothing behind."""
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
        insert = f"""
            INSERT INTO {RESULT} (supporter_id, run_id, pair_id, round, kelurahan_code, reasons,
                                  outcome, voter_id, superseded, moved)
            SELECT t.id, %(run)s, t.pair_id, t.round, t.kelurahan_id, t.reasons,
                   {outcome}, t.voter_id, %(superseded)s, t.moved
            FROM ({results_select(db, run.pk, prepared, **run_sources(run))}) t
        """
        params = {**params, "superseded": False}
        counts = None
        if db.counts_in_chunks:
            # Counted as written (RETURNING into an aggregate), by each session for its own
            # chunk: the run's counts are then a sum, not a GROUP BY over every result.
            cursor.execute(
                f"WITH written AS ({insert} RETURNING outcome, reasons) {counts_sql('written')}",
                params,
            )
            counts = counts_from_groups(cursor.fetchall())
            rows = counts["total"]
        else:
            cursor.execute(insert, params)
            rows = cursor.rowcount
        job.done(rows=rows, counts=counts)
        VerificationRun.objects.filter(pk=run.pk).update(chunks_done=F("chunks_done") + 1)


def counts_sql(source: str) -> str:
    """Outcome and reason counts of `source` (a table or CTE with outcome and reasons), in the
    rows counts_from_groups reads."""
    return f"SELECT outcome, COUNT(*), {reason_counts_sql()} FROM {source} GROUP BY outcome"


def counts_from_groups(groups: list[tuple]) -> dict:
    """Rows of (outcome, count, one sum per reason in Reason order) -> the run's counts shape:
    {"total", "MS", "BMS", "TMS", "reasons": {name: count}}."""
    counts = {o: 0 for o in Outcome.values}
    reasons = {r.name: 0 for r in Reason}
    for outcome, n, *sums in groups:
        counts[outcome] = n
        for r, value in zip(Reason, sums, strict=True):
            reasons[r.name] += int(value or 0)
    return {"total": sum(counts.values()), **counts, "reasons": reasons}


def counts_sum(parts: list[dict]) -> dict:
    """The counts of several chunks together."""
    total = counts_from_groups([])
    for part in parts:
        for key, value in part.items():
            if key == "reasons":
                for name, n in value.items():
                    total["reasons"][name] = total["reasons"].get(name, 0) + n
            else:
                total[key] = total.get(key, 0) + value
    return total
