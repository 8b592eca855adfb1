"""What a run computes once, pair-wide, before its chunks: duplicate bits, the restricted
occupation texts of the lists, which earlier records a repair round supersedes, and (on
PostgreSQL) the round's matches against the roll with the names that differ judged once.

On PostgreSQL the duplicates are flagged by a second session while this one matches the roll
(a parallel query), and the other pair-wide steps by a third while this one judges the names
in Python. They touch different rows (each step replaces only its own reason bits, so they
never meet)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from candidates.models import Pair, Supporter
from verification.engine.backends import FLAG, RESULT, SUPPORTER, VOTER, Backend, backend
from verification.models import ReasonMark, VerificationRun
from verification.names import names_differ
from verification.rules import Reason, occupation_is_restricted

NAME_BATCH = 50_000


def run_prepare(run: VerificationRun, db: Backend | None = None, *, again: bool = False) -> dict:
    """Pair-wide facts every chunk needs, computed once per run (the first worker does it, under
    a lock on the run row; the others read what it stored). `again`: the matches were lost (a
    server crash empties an unlogged table): compute everything anew."""
    db = db or backend()
    # Asked before this function's own transaction: inside a caller's (a test's) another
    # session would not see the rows, and the side step runs inline.
    # Under a VERIFICATION_CORES cap, no side sessions: the steps run one after the other.
    threaded = (
        db.parallel_sessions and not connection.in_atomic_block and not settings.VERIFICATION_CORES
    )
    with transaction.atomic():
        # NO KEY UPDATE: a second worker waits here as before, while the side session's flag
        # rows (a foreign key to this run: KEY SHARE) are not held up by it until commit.
        locked = VerificationRun.objects.select_for_update(no_key=True).get(pk=run.pk)
        if locked.prepared is not None and not (again and db.matches_lost(run, locked.prepared)):
            return locked.prepared
        with connection.cursor() as cursor:
            db.limits_apply(cursor)
        db.analyze_if_stale(SUPPORTER, VOTER)
        # Three sessions share the cores: the duplicates' window (one core) beside the
        # matching (a parallel query), then the other pair-wide steps beside the names, which
        # this session judges in Python (one core).
        duplicates = _Beside(lambda: duplicates_flag(run), threaded=threaded)
        matches = db.run_matches(run)
        pair_wide = _Beside(lambda: _pair_wide(run), threaded=threaded)
        if matches is not None:
            names_flag(run, db)
        duplicates.join()
        pair_wide.join()
        prepared = {"restricted_occupations": pair_wide.result, "matches": matches}
        VerificationRun.objects.filter(pk=run.pk).update(prepared=prepared)
        return prepared


def _pair_wide(run: VerificationRun) -> list[str]:
    """A side step: the other pairs' duplicates, the standing marks, what a repair round
    supersedes, then the restricted occupation texts of the round."""
    external_flag(run)
    marks_flag(run)
    superseded_mark(pair_id=run.pair_id, round=run.round)
    scope = Supporter.objects.filter(pair_id=run.pair_id, round=run.round)
    occupations = scope.exclude(occupation="").values_list("occupation", flat=True).distinct()
    return sorted(o for o in occupations if occupation_is_restricted(o))


class _Beside:
    """A step run in a thread of its own (its own connection and transaction), or inline;
    what it returns is `result` once joined."""

    def __init__(self, step: Callable[[], Any], threaded: bool):
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        self.result: Any = None
        if not threaded:
            self.result = step()
            return

        def work() -> None:
            try:
                with transaction.atomic():
                    # Not waiting for the flush at commit is safe: the run's own transaction
                    # commits after this one (prepared is stored there), and its synchronous
                    # commit flushes the log up to itself, this step's rows included. Should
                    # the server crash before, prepared is not stored and the run prepares again.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit = off")
                    self.result = step()
            except BaseException as exc:  # raised in the caller by join()
                self.error = exc
            finally:
                connection.close()

        self.thread = threading.Thread(target=work, name="prepare-side")
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error


def names_flag(run: VerificationRun, db: Backend, *, lo: int = 0, hi: int = 2**62) -> None:
    """DATA_MISMATCH for names, judged before the results are written (so they are written
    once): the pairs whose text differs beyond case go in batches to rapidfuzz, and the ids of
    the differing ones are kept where the INSERT reads them (db.names_store). For the whole run
    on PostgreSQL (from its matches), for a chunk's id range on SQLite."""
    params = {"run": run.pk, "pair": run.pair_id, "round": run.round, "roll": run.roll_id,
              "dp4": run.dp4_roll_id, "lo": lo, "hi": hi,
              "bits": int(Reason.DATA_MISMATCH)}  # fmt: skip
    with connection.cursor() as cursor:
        db.names_differing(cursor, params)
        flagged: list[int] = []
        while batch := cursor.fetchmany(NAME_BATCH):
            ids, left, right = zip(*batch, strict=True)
            flagged.extend(
                i for i, bad in zip(ids, names_differ(list(left), list(right)), strict=True) if bad
            )
        db.names_store(cursor, params, flagged)


def pairs_with_lists(election_id: int) -> list[int]:
    # EXISTS per pair on the (pair, round) index: a join with DISTINCT read every supporter.
    return list(
        Pair.objects.filter(election_id=election_id)
        .filter(Exists(Supporter.objects.filter(pair_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )


def duplicates_flag(run: VerificationRun) -> None:
    """ReasonFlag rows for the run's DUPLICATE_INTERNAL, from scratch: one window query (and,
    in a repair round, a semi-join on the earlier rounds' MS)."""
    params = {"run": run.pk, "pair": run.pair_id, "round": run.round,
              "bits": int(Reason.DUPLICATE_INTERNAL)}  # fmt: skip
    already_ms = ""
    if run.round > 0:
        # Listed again in a repair round although already MS earlier: that support counts.
        already_ms = f"""
            UNION
            SELECT s.id FROM {SUPPORTER} s
            WHERE s.pair_id = %(pair)s AND s.round = %(round)s AND s.nik_hash IN (
                SELECT e.nik_hash FROM {SUPPORTER} e
                JOIN {RESULT} r ON r.supporter_id = e.id
                WHERE e.pair_id = %(pair)s AND e.round < %(round)s AND r.outcome = 'MS'
            )"""
    with connection.cursor() as cursor:
        # Only this step's bit: the other steps write theirs meanwhile, in other sessions.
        cursor.execute(f"DELETE FROM {FLAG} WHERE run_id = %(run)s AND bits = %(bits)s", params)
        cursor.execute(
            f"""
            INSERT INTO {FLAG} (run_id, supporter_id, bits)
            SELECT %(run)s, id, %(bits)s FROM (
                SELECT id FROM (
                    SELECT id, ROW_NUMBER() OVER (
                        PARTITION BY nik_hash ORDER BY upload_id, row_number, id
                    ) AS rn
                    FROM {SUPPORTER} WHERE pair_id = %(pair)s AND round = %(round)s
                ) w WHERE rn > 1
                {already_ms}
            ) d
            """,
            params,
        )


def external_flag(run: VerificationRun) -> None:
    """ReasonFlag rows for the run's DUPLICATE_EXTERNAL, from scratch: one semi-join on the
    other pairs' lists."""
    params = {"run": run.pk, "pair": run.pair_id, "round": run.round,
              "bits": int(Reason.DUPLICATE_EXTERNAL)}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FLAG} WHERE run_id = %(run)s AND bits = %(bits)s", params)
        others = [p for p in pairs_with_lists(run.pair.election_id) if p != run.pair_id]
        if not others:
            return
        # Pair ids are integers from the database: safe inline, and no list of placeholders.
        cursor.execute(
            f"""
            INSERT INTO {FLAG} (run_id, supporter_id, bits)
            SELECT %(run)s, s.id, %(bits)s FROM {SUPPORTER} s
            WHERE s.pair_id = %(pair)s AND s.round = %(round)s AND s.nik_hash IN (
                SELECT nik_hash FROM {SUPPORTER} WHERE pair_id IN ({_ints(others)})
            )
            """,
            params,
        )


def marks_flag(run: VerificationRun) -> None:
    """The standing marks of the round's supporters (a confirmed public objection) become flag
    rows of the run, which the results' INSERT adds like the duplicate bits."""
    own = [
        int(Reason.DUPLICATE_INTERNAL),
        int(Reason.DUPLICATE_EXTERNAL),
        int(Reason.DATA_MISMATCH),
    ]
    with connection.cursor() as cursor:
        # Every flag of the run the other steps do not write (theirs are replaced by them).
        cursor.execute(
            f"DELETE FROM {FLAG} WHERE run_id = %(run)s AND bits NOT IN ({_ints(own)})",
            {"run": run.pk},
        )
        cursor.execute(
            f"""
            INSERT INTO {FLAG} (run_id, supporter_id, bits)
            SELECT %(run)s, m.supporter_id, m.bits FROM {ReasonMark._meta.db_table} m
            JOIN {SUPPORTER} s ON s.id = m.supporter_id
            WHERE s.pair_id = %(pair)s AND s.round = %(round)s
            """,
            {"run": run.pk, "pair": run.pair_id, "round": run.round},
        )


def superseded_mark(*, pair_id: int, round: int) -> None:
    """Earlier-round BMS/TMS records resubmitted by a later round up to this one are superseded."""
    with connection.cursor() as cursor:
        for earlier in range(round):
            cursor.execute(
                f"""
                UPDATE {RESULT} SET superseded = CASE
                    WHEN outcome <> 'MS' AND supporter_id IN (
                        SELECT e.id FROM {SUPPORTER} e
                        WHERE e.pair_id = %(pair)s AND e.round = %(earlier)s AND e.nik_hash IN (
                            SELECT nik_hash FROM {SUPPORTER}
                            WHERE pair_id = %(pair)s AND round > %(earlier)s
                              AND round <= %(round)s
                        )
                    ) THEN %(yes)s ELSE %(no)s END
                WHERE pair_id = %(pair)s AND round = %(earlier)s
                """,
                {"pair": pair_id, "earlier": earlier, "round": round, "yes": True, "no": False},
            )


def _ints(values: list[int]) -> str:
    return ", ".join(str(int(v)) for v in values)
