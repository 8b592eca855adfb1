"""What a run computes once, pair-wide, before its chunks: duplicate bits, the restricted
occupation texts of the lists, and which earlier records a repair round supersedes."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from candidates.models import Pair, Supporter
from verification.engine.backends import FLAG, RESULT, SUPPORTER, VOTER, backend
from verification.models import ReasonMark, VerificationRun
from verification.rules import Reason, occupation_is_restricted


def run_prepare(run: VerificationRun) -> dict:
    """Pair-wide facts every chunk needs, computed once per run (the first worker does it, under
    a lock on the run row; the others read what it stored)."""
    with transaction.atomic():
        locked = VerificationRun.objects.select_for_update().get(pk=run.pk)
        if locked.prepared is not None:
            return locked.prepared
        backend().analyze_if_stale(SUPPORTER, VOTER)
        scope = Supporter.objects.filter(pair_id=run.pair_id, round=run.round)
        occupations = scope.exclude(occupation="").values_list("occupation", flat=True).distinct()
        restricted = sorted(o for o in occupations if occupation_is_restricted(o))
        duplicates_flag(run)
        marks_flag(run)
        superseded_mark(pair_id=run.pair_id, round=run.round)
        prepared = {"restricted_occupations": restricted}
        VerificationRun.objects.filter(pk=run.pk).update(prepared=prepared)
        return prepared


def pairs_with_lists(election_id: int) -> list[int]:
    # EXISTS per pair on the (pair, round) index: a join with DISTINCT read every supporter.
    return list(
        Pair.objects.filter(election_id=election_id)
        .filter(Exists(Supporter.objects.filter(pair_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )


def duplicates_flag(run: VerificationRun) -> None:
    """ReasonFlag rows for the run's duplicates, from scratch: one window query (and, in a
    repair round, a semi-join on the earlier rounds' MS) for DUPLICATE_INTERNAL, one semi-join
    on the other pairs' lists for DUPLICATE_EXTERNAL."""
    params = {
        "run": run.pk,
        "pair": run.pair_id,
        "round": run.round,
        "internal": int(Reason.DUPLICATE_INTERNAL),
        "external": int(Reason.DUPLICATE_EXTERNAL),
    }
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
        cursor.execute(f"DELETE FROM {FLAG} WHERE run_id = %(run)s", params)
        cursor.execute(
            f"""
            INSERT INTO {FLAG} (run_id, supporter_id, bits)
            SELECT %(run)s, id, %(internal)s FROM (
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
        others = [p for p in pairs_with_lists(run.pair.election_id) if p != run.pair_id]
        if not others:
            return
        # Pair ids are integers from the database: safe inline, and no list of placeholders.
        cursor.execute(
            f"""
            INSERT INTO {FLAG} (run_id, supporter_id, bits)
            SELECT %(run)s, s.id, %(external)s FROM {SUPPORTER} s
            WHERE s.pair_id = %(pair)s AND s.round = %(round)s AND s.nik_hash IN (
                SELECT nik_hash FROM {SUPPORTER} WHERE pair_id IN ({_ints(others)})
            )
            """,
            params,
        )


def marks_flag(run: VerificationRun) -> None:
    """The standing marks of the round's supporters (a confirmed public objection) become flag
    rows of the run, which the results' INSERT adds like the duplicate bits."""
    with connection.cursor() as cursor:
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
