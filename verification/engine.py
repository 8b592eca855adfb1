"""Administrative verification (vermin): every supporter of a pair's round gets reasons and an
outcome, in a handful of set-based SQL statements per chunk, on PostgreSQL and SQLite alike.

How a run goes, and why it is safe to run twice or to kill:
1. `admin_verification_start` records the run (rules, roll, roll file SHA-256s) and splits the
   round's supporters into id-range chunks of about CHUNK_SIZE rows. Id ranges rather than
   kab/kota: chunks of even size (Jakarta Pusat alone is 61% of the 2024 upload) that the primary
   key reads as a range.
2. `admin_verification_run` prepares once per run what is pair-wide (duplicate bits, restricted
   occupation texts, superseded earlier records), then claims chunks one by one with a
   conditional UPDATE. A chunk is replace-by-scope in one transaction: delete the results of its
   id range, join its supporters against the roll into a temp table, judge the names that differ
   beyond case with rapidfuzz (whole batches at once), then INSERT .. SELECT every result once.
   A chunk that dies rolls back; its claim is released (or expires after a lease, if the worker
   was killed) and a rerun redoes it. The end state depends only on the data, never on which
   run or worker did what. Starting a pair's round again resumes its unfinished run.
3. When every chunk is done, the run's counts are stored and DUPLICATE_EXTERNAL is brought up to
   date for the other pairs of the election.

Duplicates and repair rounds (decided here; DOMAIN.md leaves it open):
- Within a round, the first occurrence in (upload, row) order counts; the later ones are
  DUPLICATE_INTERNAL.
- A repair-round record whose NIK was MS in an earlier round is DUPLICATE_INTERNAL: that support
  already counts.
- A repair-round record whose NIK was BMS (or TMS) earlier is a resubmission (PKPU 8/2024 lets a
  team resubmit corrected BMS records): it is checked afresh on its own data, not as a duplicate,
  and the earlier record is marked `superseded`, so the cumulative recap counts the person once.
- A round is verified only after every earlier round of the pair has results.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Election, Pair, Supporter, SupportUpload
from electorate.models import RollImport, Voter
from electorate.nik import INVALID_CHECKS, MISMATCH_CHECKS
from verification.models import AdminChunk, AdminResult, AdminRun, DuplicateFlag
from verification.names import names_differ
from verification.rules import (
    Outcome,
    Reason,
    eligible_birth_cutoff,
    occupation_is_restricted,
    outcome_masks,
    outcome_sql,
    reason_counts_sql,
    reason_outcomes,
)

log = logging.getLogger(__name__)

RESULT = AdminResult._meta.db_table
SUPPORTER = Supporter._meta.db_table
VOTER = Voter._meta.db_table
DUPFLAG = DuplicateFlag._meta.db_table
CHUNK_TABLE = "verification_chunk_tmp"
MARRIED = ("S", "P")  # kawin, pernah kawin: eligible whatever the age (UU 10/2016 Art. 1)


def chunk_size() -> int:
    # The join against the roll reads the whole roll once per chunk (a hash join: 8M probes are
    # slower than one scan), so chunks are large: DKI's 840,640 supporters are one chunk.
    return int(getattr(settings, "VERIFICATION_CHUNK_SIZE", 1_000_000))


def pg_work_mem() -> str:
    return str(getattr(settings, "VERIFICATION_PG_WORK_MEM", "256MB"))


def chunk_lease_seconds() -> int:
    """A chunk claimed longer ago than this by a worker that never finished is taken over. At
    least the task's hard time limit: a chunk older than that cannot still be alive."""
    return int(getattr(settings, "VERIFICATION_CHUNK_LEASE_SECONDS", 65 * 60))


# --- start ------------------------------------------------------------------------------------


def admin_verification_start(
    *, pair: Pair, round: int | None = None, started_by=None, enqueue: bool = True
) -> AdminRun:
    """Record a run of the pair's round (default: its latest round with supporters), split it
    into chunks, and enqueue the task after commit. enqueue=False: the caller runs it in-process.

    An unfinished run of the same pair and round (pending, running or failed: a worker died, a
    chunk failed) is resumed rather than doubled: its finished chunks stay finished. Starts are
    serialised by a lock on the pair row, so two clicks make one run."""
    election: Election = pair.election
    if election.roll_id is None:
        raise ValidationError(_("Pemilihan ini belum memiliki DPT: impor daftar pemilih dulu."))
    supporters = Supporter.objects.filter(pair=pair)
    if round is None:
        round = supporters.aggregate(r=Max("round"))["r"] or 0
    unverified_earlier = supporters.filter(round__lt=round, admin_result__isnull=True)
    if unverified_earlier.exists():
        raise ValidationError(
            _(
                "Verifikasi tahap sebelumnya dulu: masih ada pendukung tahap sebelumnya "
                "yang belum diverifikasi."
            )
        )
    in_flight = SupportUpload.objects.filter(
        pair=pair,
        round=round,
        status__in=[SupportUpload.Status.PENDING, SupportUpload.Status.RUNNING],
    )
    if in_flight.exists():
        raise ValidationError(
            _(
                "Masih ada unggahan daftar dukungan tahap ini yang sedang diproses: tunggu "
                "sampai selesai, lalu mulai verifikasi."
            )
        )
    outcomes = reason_outcomes(election)
    sha = list(
        RollImport.objects.filter(roll_id=election.roll_id, status=RollImport.Status.DONE)
        .order_by("pk")
        .values_list("sha256", flat=True)
    )
    with transaction.atomic():
        Pair.objects.select_for_update().filter(pk=pair.pk).first()
        bounds = _chunk_bounds(pair_id=pair.pk, round=round, size=chunk_size())
        unfinished = (
            AdminRun.objects.filter(pair=pair, round=round)
            .exclude(status=AdminRun.Status.DONE)
            .order_by("-pk")
            .first()
        )
        if unfinished is not None and _bounds_of(unfinished) != bounds:
            # The round's list changed since that run was split: it can no longer finish it.
            AdminRun.objects.filter(pk=unfinished.pk).update(
                status=AdminRun.Status.FAILED,
                error=_("Digantikan oleh verifikasi baru: daftar dukungan berubah."),
            )
            unfinished = None
        if unfinished is not None:
            run = unfinished
        else:
            run = AdminRun.objects.create(
                pair=pair,
                round=round,
                started_by=started_by,
                rule_set=election.rule_set,
                reason_outcomes=outcomes,
                voting_day=election.voting_day,
                roll_id=election.roll_id,
                roll_sha256=sha,
            )
            AdminChunk.objects.bulk_create(
                AdminChunk(run=run, seq=i, id_from=lo, id_to=hi)
                for i, (lo, hi) in enumerate(bounds)
            )
            run.chunks_total = len(bounds)
            run.save(update_fields=["chunks_total"])
        if enqueue:
            from verification.tasks import admin_verification_task

            transaction.on_commit(lambda: admin_verification_task.delay(run.pk))
    return run


def _bounds_of(run: AdminRun) -> list[tuple[int, int]]:
    return [
        (lo, hi)
        for lo, hi in AdminChunk.objects.filter(run=run)
        .order_by("seq")
        .values_list("id_from", "id_to")
    ]


def _chunk_bounds(*, pair_id: int, round: int, size: int) -> list[tuple[int, int]]:
    """Inclusive id ranges of about `size` supporters each, from one window query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(id), MAX(id), COUNT(*) FROM {SUPPORTER} WHERE pair_id = %s AND round = %s",
            [pair_id, round],
        )
        low, high, count = cursor.fetchone()
        if not count:
            return []
        if count <= size:
            return [(low, high)]
        cursor.execute(
            f"""
            SELECT id, rn, total FROM (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn, COUNT(*) OVER () AS total
                FROM {SUPPORTER} WHERE pair_id = %s AND round = %s
            ) t WHERE (rn - 1) %% %s = 0 OR rn = total ORDER BY id
            """,
            [pair_id, round, size],
        )
        rows = cursor.fetchall()
    starts = [r[0] for r in rows if (r[1] - 1) % size == 0]
    last = rows[-1][0]
    return [
        (lo, (starts[i + 1] - 1) if i + 1 < len(starts) else last) for i, lo in enumerate(starts)
    ]


# --- run --------------------------------------------------------------------------------------


def admin_verification_run(*, run_id: int) -> AdminRun:
    """Work the run's chunks until none is left. Safe to call again, concurrently, or after a
    crash: finished chunks stay finished, the others are redone from scratch."""
    run = AdminRun.objects.select_related("pair__election").get(pk=run_id)
    if run.status == AdminRun.Status.DONE:
        return run
    AdminRun.objects.filter(pk=run_id).exclude(status=AdminRun.Status.DONE).update(
        status=AdminRun.Status.RUNNING, error=""
    )
    try:
        prepared = _prepare(run)
        while (chunk := _chunk_claim(run)) is not None:
            try:
                _chunk_process(run, chunk, prepared)
            except BaseException:
                # Give the chunk back at once; a killed worker's claim expires with the lease.
                AdminChunk.objects.filter(pk=chunk.pk, status=AdminChunk.Status.RUNNING).update(
                    status=AdminChunk.Status.PENDING, claimed_at=None
                )
                raise
        _finish(run)
    except Exception as exc:
        AdminRun.objects.filter(pk=run_id).exclude(status=AdminRun.Status.DONE).update(
            status=AdminRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    run.refresh_from_db()
    return run


def _masks(run: AdminRun) -> tuple[int, int]:
    return outcome_masks(run.reason_outcomes)


def _prepare(run: AdminRun) -> dict:
    """Pair-wide facts every chunk needs, computed once per run (the first worker does it, under
    a lock on the run row; the others read what it stored)."""
    with transaction.atomic():
        locked = AdminRun.objects.select_for_update().get(pk=run.pk)
        if locked.prepared is not None:
            return locked.prepared
        pair_id, round = run.pair_id, run.round
        _pg_analyze_if_stale(SUPPORTER, VOTER)
        scope = Supporter.objects.filter(pair_id=pair_id, round=round)
        occupations = scope.exclude(occupation="").values_list("occupation", flat=True).distinct()
        restricted = sorted(o for o in occupations if occupation_is_restricted(o))
        _duplicates_flag(run)
        _superseded_mark(pair_id=pair_id, round=round)
        prepared = {"restricted_occupations": restricted}
        AdminRun.objects.filter(pk=run.pk).update(prepared=prepared)
        return prepared


def _pg_analyze_if_stale(*tables: str) -> None:
    """A list imported a minute ago has no statistics yet; the planner would then take 840k rows
    for one and pick nested loops. ANALYZE samples, so it costs well under a second."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) "
            "AND n_mod_since_analyze > 0.1 * GREATEST(n_live_tup, 1000)",
            [list(tables)],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _other_pairs(run: AdminRun) -> list[int]:
    return [p for p in _pairs_with_lists(run.pair.election_id) if p != run.pair_id]


def _pairs_with_lists(election_id: int) -> list[int]:
    # EXISTS per pair on the (pair, round) index: a join with DISTINCT read every supporter.
    return list(
        Pair.objects.filter(election_id=election_id)
        .filter(Exists(Supporter.objects.filter(pair_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )


def _duplicates_flag(run: AdminRun) -> None:
    """DuplicateFlag rows for the run, from scratch: one window query and two semi-joins."""
    pair_id, round = run.pair_id, run.round
    internal, external = int(Reason.DUPLICATE_INTERNAL), int(Reason.DUPLICATE_EXTERNAL)
    earlier, earlier_params = "", []
    if round > 0:
        # Listed again in a repair round although already MS earlier: that support counts already.
        earlier = f"""
            UNION
            SELECT s.id FROM {SUPPORTER} s
            WHERE s.pair_id = %s AND s.round = %s AND s.nik_hash IN (
                SELECT e.nik_hash FROM {SUPPORTER} e
                JOIN {RESULT} r ON r.supporter_id = e.id
                WHERE e.pair_id = %s AND e.round < %s AND r.outcome = 'MS'
            )"""
        earlier_params = [pair_id, round, pair_id, round]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DUPFLAG} WHERE run_id = %s", [run.pk])
        cursor.execute(
            f"""
            INSERT INTO {DUPFLAG} (run_id, supporter_id, bits)
            SELECT %s, id, {internal} FROM (
                SELECT id FROM (
                    SELECT id, ROW_NUMBER() OVER (
                        PARTITION BY nik_hash ORDER BY upload_id, row_number, id
                    ) AS rn
                    FROM {SUPPORTER} WHERE pair_id = %s AND round = %s
                ) w WHERE rn > 1
                {earlier}
            ) d
            """,
            [run.pk, pair_id, round, *earlier_params],
        )
        others = _other_pairs(run)
        if others:
            marks = ", ".join(["%s"] * len(others))
            cursor.execute(
                f"""
                INSERT INTO {DUPFLAG} (run_id, supporter_id, bits)
                SELECT %s, s.id, {external} FROM {SUPPORTER} s
                WHERE s.pair_id = %s AND s.round = %s AND s.nik_hash IN (
                    SELECT nik_hash FROM {SUPPORTER} WHERE pair_id IN ({marks})
                )
                """,
                [run.pk, pair_id, round, *others],
            )


def _superseded_mark(*, pair_id: int, round: int) -> None:
    """Earlier-round BMS/TMS records resubmitted by a later round up to this one are superseded."""
    with connection.cursor() as cursor:
        for earlier in range(round):
            resubmitted = f"""
                supporter_id IN (
                    SELECT e.id FROM {SUPPORTER} e
                    WHERE e.pair_id = %s AND e.round = %s AND e.nik_hash IN (
                        SELECT nik_hash FROM {SUPPORTER}
                        WHERE pair_id = %s AND round > %s AND round <= %s
                    )
                )"""
            params = [pair_id, earlier, pair_id, earlier, round]
            cursor.execute(
                f"""
                UPDATE {RESULT} SET superseded = CASE
                    WHEN outcome <> 'MS' AND {resubmitted} THEN %s ELSE %s END
                WHERE pair_id = %s AND round = %s
                """,
                [*params, True, False, pair_id, earlier],
            )


def _chunk_claim(run: AdminRun) -> AdminChunk | None:
    """Take the next free chunk: a conditional UPDATE that exactly one worker can win."""
    stale = timezone.now() - dt.timedelta(seconds=chunk_lease_seconds())
    free = Q(status=AdminChunk.Status.PENDING) | Q(
        status=AdminChunk.Status.RUNNING, claimed_at__lt=stale
    )
    for chunk in AdminChunk.objects.filter(free, run=run).order_by("seq"):
        won = (
            AdminChunk.objects.filter(free, pk=chunk.pk).update(
                status=AdminChunk.Status.RUNNING,
                claimed_at=timezone.now(),
                attempts=F("attempts") + 1,
            )
            == 1
        )
        if won:
            return chunk
    return None


def _in_list(column: str, values: Sequence[str]) -> tuple[str, list]:
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _chunk_process(run: AdminRun, chunk: AdminChunk, prepared: dict) -> None:
    election = run.pair.election
    region_prefix = election.region_id + "."
    cutoff = eligible_birth_cutoff(run.voting_day)
    occupation_sql, occupation_params = _in_list("s.occupation", prepared["restricted_occupations"])
    scope = [run.pair_id, run.round, chunk.id_from, chunk.id_to]
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # The roll's matches come from a temp table filled by a parallel inner join (below).
        voter_join, voter_params = f"LEFT JOIN {CHUNK_TABLE} v ON v.supporter_id = s.id", []
    else:
        voter_join = f"LEFT JOIN {VOTER} v ON v.roll_id = %s AND v.nik_hash = s.nik_hash"
        voter_params = [run.roll_id]
    R = Reason
    married = ", ".join(f"'{m}'" for m in MARRIED)
    select = f"""
        SELECT s.id, s.pair_id, s.round, v.id AS voter_id,
            -- Where the supporter counts for the spread: the roll's kelurahan when the NIK is
            -- on the roll (a typed code cannot move a voter to another kab/kota), else the form's.
            COALESCE(v.kelurahan_code, s.kelurahan_id) AS kelurahan_id,
            (CASE WHEN (s.nik_checks & {int(INVALID_CHECKS)}) <> 0
                  THEN {int(R.NIK_INVALID)} ELSE 0 END)
            + (CASE WHEN v.id IS NULL THEN {int(R.NOT_IN_ROLL)} ELSE 0 END)
            + (CASE WHEN substr(s.kelurahan_id, 1, %s) = %s THEN 0
                    ELSE {int(R.OUTSIDE_REGION)} END)
            + (CASE WHEN COALESCE(v.birth_date, s.birth_date) > %s
                     AND s.marital_status NOT IN ({married})
                     AND COALESCE(v.marital_status, '') NOT IN ({married})
                    THEN {int(R.UNDERAGE)} ELSE 0 END)
            + (COALESCE(d.bits, 0) - (COALESCE(d.bits, 0) & {int(R.DATA_MISMATCH)}))
            + (CASE WHEN (COALESCE(d.bits, 0) & {int(R.DATA_MISMATCH)}) <> 0
                      OR (v.birth_date IS NOT NULL AND v.birth_date <> s.birth_date)
                      OR (v.sex IS NOT NULL AND v.sex <> '' AND v.sex <> s.sex)
                      OR (s.nik_checks & {int(MISMATCH_CHECKS)}) <> 0
                    THEN {int(R.DATA_MISMATCH)} ELSE 0 END)
            + (CASE WHEN {occupation_sql} THEN {int(R.RESTRICTED_OCCUPATION)} ELSE 0 END)
            AS reasons
        FROM {SUPPORTER} s
        {voter_join}
        LEFT JOIN (
            SELECT supporter_id, SUM(bits) AS bits FROM {DUPFLAG} WHERE run_id = %s
            GROUP BY supporter_id
        ) d ON d.supporter_id = s.id
        WHERE s.pair_id = %s AND s.round = %s AND s.id BETWEEN %s AND %s
    """
    params = [
        len(region_prefix),
        region_prefix,
        cutoff,
        *occupation_params,
        *voter_params,
        run.pk,
        *scope,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The default 4MB makes the hash join against the roll spill to disk in 32 batches.
            cursor.execute("SELECT set_config('work_mem', %s, true)", [pg_work_mem()])
        cursor.execute(
            f"DELETE FROM {RESULT} WHERE supporter_id BETWEEN %s AND %s "
            "AND pair_id = %s AND round = %s",
            [chunk.id_from, chunk.id_to, run.pair_id, run.round],
        )
        if postgresql:
            _roll_matches_pg(cursor, run, scope)
        _names_check(cursor, run, chunk)
        cursor.execute(
            f"""
            INSERT INTO {RESULT} (supporter_id, run_id, pair_id, round, kelurahan_code, reasons,
                                  outcome, voter_id, superseded)
            SELECT t.id, %s, t.pair_id, t.round, t.kelurahan_id, t.reasons,
                   {outcome_sql("t.reasons", _masks(run))}, t.voter_id, %s
            FROM ({select}) t
            """,
            [run.pk, False, *params],
        )
        rows = cursor.rowcount
        AdminChunk.objects.filter(pk=chunk.pk).update(status=AdminChunk.Status.DONE, rows=rows)
        AdminRun.objects.filter(pk=run.pk).update(chunks_done=F("chunks_done") + 1)


NAME_BATCH = 50_000


def _roll_matches_pg(cursor, run: AdminRun, scope: list) -> None:
    """The chunk's supporters found in the roll, into a temp table. On PostgreSQL 15 an
    INSERT .. SELECT never runs in parallel and a parallel LEFT JOIN must hash the 8M-row roll;
    CREATE TABLE AS an INNER join runs on both cores and hashes the supporters instead, as the
    plain join does."""
    # Dropped first too: inside an outer transaction (tests) ON COMMIT comes too late.
    cursor.execute(f"DROP TABLE IF EXISTS {CHUNK_TABLE}")
    cursor.execute(
        f"""
        CREATE TEMP TABLE {CHUNK_TABLE} ON COMMIT DROP AS
        SELECT s.id AS supporter_id, v.id, v.birth_date, v.sex, v.marital_status,
               v.kelurahan_code,
               -- Both names only where the text differs beyond case: what rapidfuzz must judge.
               CASE WHEN UPPER(s.name) <> UPPER(v.name) THEN s.name END AS form_name,
               CASE WHEN UPPER(s.name) <> UPPER(v.name) THEN v.name END AS roll_name
        FROM {SUPPORTER} s
        JOIN {VOTER} v ON v.roll_id = %s AND v.nik_hash = s.nik_hash
        WHERE s.pair_id = %s AND s.round = %s AND s.id BETWEEN %s AND %s
        """,
        [run.roll_id, *scope],
    )
    # Temp tables are never auto-analysed; without statistics the next join may loop.
    cursor.execute(f"ANALYZE {CHUNK_TABLE}")


def _names_check(cursor, run: AdminRun, chunk: AdminChunk) -> None:
    """DATA_MISMATCH for names, judged before the results are written (so they are written
    once): the pairs whose text differs beyond case go in batches to rapidfuzz, and the ids of
    the differing ones become flag rows that the INSERT reads like the duplicate bits."""
    mismatch = int(Reason.DATA_MISMATCH)
    cursor.execute(
        f"DELETE FROM {DUPFLAG} WHERE run_id = %s AND bits = %s AND supporter_id BETWEEN %s AND %s",
        [run.pk, mismatch, chunk.id_from, chunk.id_to],
    )
    if connection.vendor == "postgresql":
        cursor.execute(
            f"SELECT supporter_id, form_name, roll_name FROM {CHUNK_TABLE} "
            "WHERE form_name IS NOT NULL"
        )
    else:
        cursor.execute(
            f"""
            SELECT s.id, s.name, v.name FROM {SUPPORTER} s
            JOIN {VOTER} v ON v.roll_id = %s AND v.nik_hash = s.nik_hash
            WHERE s.pair_id = %s AND s.round = %s AND s.id BETWEEN %s AND %s
              AND UPPER(s.name) <> UPPER(v.name)
            """,
            [run.roll_id, run.pair_id, run.round, chunk.id_from, chunk.id_to],
        )
    flagged: list[int] = []
    while batch := cursor.fetchmany(NAME_BATCH):
        ids, left, right = zip(*batch, strict=True)
        flagged.extend(
            i for i, bad in zip(ids, names_differ(list(left), list(right)), strict=True) if bad
        )
    if connection.vendor == "postgresql":
        for ids in _batches(flagged, size=NAME_BATCH):
            cursor.execute(
                f"INSERT INTO {DUPFLAG} (run_id, supporter_id, bits) "
                "SELECT %s, unnest(%s::bigint[]), %s",
                [run.pk, ids, mismatch],
            )
    else:
        cursor.executemany(
            f"INSERT INTO {DUPFLAG} (run_id, supporter_id, bits) VALUES (%s, %s, %s)",
            [(run.pk, i, mismatch) for i in flagged],
        )


def _batches(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    # 900: under SQLite's oldest limit on bound parameters.
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _finish(run: AdminRun) -> None:
    if AdminChunk.objects.filter(run=run).exclude(status=AdminChunk.Status.DONE).exists():
        return  # another worker still holds a chunk; it finishes the run
    # The other pairs' results learn about this pair's list. This pair's own results took their
    # duplicate bits in _prepare; only if another pair's list landed since then (rare: the
    # refresh over this pair's whole list costs seconds at DKI scale) are they refreshed too.
    late_upload = (
        SupportUpload.objects.filter(
            pair__election_id=run.pair.election_id,
            status=SupportUpload.Status.DONE,
            finished_at__gte=run.started_at,
        )
        .exclude(pair_id=run.pair_id)
        .exists()
    )
    duplicate_external_refresh(
        election=run.pair.election, exclude_pair_id=None if late_upload else run.pair_id
    )
    # A rerun of an earlier round wrote superseded=False; later rounds may supersede its rows.
    last = Supporter.objects.filter(pair_id=run.pair_id).aggregate(r=Max("round"))["r"] or 0
    if last > run.round:
        _superseded_mark(pair_id=run.pair_id, round=last)
    counts = run_counts(run_id=run.pk)
    AdminRun.objects.filter(pk=run.pk).exclude(status=AdminRun.Status.DONE).update(
        status=AdminRun.Status.DONE,
        finished_at=timezone.now(),
        counts=counts,
        chunks_done=F("chunks_total"),
    )
    log.info("admin verification run %s done: %s", run.pk, counts)


def run_counts(*, run_id: int) -> dict:
    """Outcome and reason counts of one run's results: one GROUP BY."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT outcome, COUNT(*), {reason_counts_sql()} FROM {RESULT} WHERE run_id = %s "
            "GROUP BY outcome",
            [run_id],
        )
        rows = cursor.fetchall()
    counts = {o: 0 for o in Outcome.values}
    reasons = {r.name: 0 for r in Reason}
    for outcome, n, *sums in rows:
        counts[outcome] = n
        for r, value in zip(Reason, sums, strict=True):
            reasons[r.name] += int(value or 0)
    return {"total": sum(counts.values()), **counts, "reasons": reasons}


# --- DUPLICATE_EXTERNAL across the election ---------------------------------------------------


def duplicate_external_refresh(*, election: Election, exclude_pair_id: int | None = None) -> int:
    """Bring DUPLICATE_EXTERNAL up to date on every verified supporter of the election: set where
    the NIK is now also listed for another pair (whichever uploaded first), clear where it no
    longer is. Two UPDATEs touching only the rows that change; outcomes follow the election's
    current rules. Returns the number of results changed."""
    pair_ids = _pairs_with_lists(election.pk)
    target = [p for p in pair_ids if p != exclude_pair_id]
    if not target:
        return 0
    masks = outcome_masks(reason_outcomes(election))
    bit = int(Reason.DUPLICATE_EXTERNAL)
    pairs_sql = ", ".join(["%s"] * len(pair_ids))
    target_sql = ", ".join(["%s"] * len(target))
    # A semi-join on the NIK-hash index: probes only the target pairs' rows, where grouping
    # every supporter of the election by NIK cost a second and more at DKI scale.
    flagged = f"""
        SELECT s.id FROM {SUPPORTER} s WHERE s.pair_id IN ({target_sql}) AND EXISTS (
            SELECT 1 FROM {SUPPORTER} o WHERE o.nik_hash = s.nik_hash
              AND o.pair_id IN ({pairs_sql}) AND o.pair_id <> s.pair_id
        )"""
    changed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if len(pair_ids) > 1:
            new = f"(reasons | {bit})"
            cursor.execute(
                f"UPDATE {RESULT} SET reasons = {new}, outcome = {outcome_sql(new, masks)} "
                f"WHERE pair_id IN ({target_sql}) AND (reasons & {bit}) = 0 "
                f"AND supporter_id IN ({flagged})",
                [*target, *target, *pair_ids],
            )
            changed += cursor.rowcount
        new = f"(reasons - {bit})"
        not_flagged = f"AND supporter_id NOT IN ({flagged})" if len(pair_ids) > 1 else ""
        cursor.execute(
            f"UPDATE {RESULT} SET reasons = {new}, outcome = {outcome_sql(new, masks)} "
            f"WHERE pair_id IN ({target_sql}) AND (reasons & {bit}) <> 0 {not_flagged}",
            [*target, *(([*target, *pair_ids]) if len(pair_ids) > 1 else [])],
        )
        changed += cursor.rowcount
    return changed
