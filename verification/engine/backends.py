"""What the engine does differently on PostgreSQL and on SQLite, chosen once per run: where
the roll is joined, where the names are judged, and how many sessions write the results.
Everything else is the same SQL."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection

from candidates.models import Supporter
from electorate.models import Voter
from verification.models import ReasonFlag, VerificationResult

RESULT = VerificationResult._meta.db_table
SUPPORTER = Supporter._meta.db_table
VOTER = Voter._meta.db_table
FLAG = ReasonFlag._meta.db_table

# The scope of one chunk, as named SQL parameters: %(pair)s, %(round)s, %(lo)s, %(hi)s.
CHUNK_SCOPE = "s.pair_id = %(pair)s AND s.round = %(round)s AND s.id BETWEEN %(lo)s AND %(hi)s"
ROUND_SCOPE = "s.pair_id = %(pair)s AND s.round = %(round)s"


def roll_match(dp4: bool) -> str:
    """The join condition of a supporter `s` to its record `v` on the roll (named parameters
    %(roll)s, %(dp4)s): the DPT's; with a DP4 (Election.dp4_roll), the DP4's for a NIK the DPT
    lacks (DOMAIN.md step 3: "DPT, optionally DP4"; the DPT's record wins where both hold it)."""
    if not dp4:
        return "v.roll_id = %(roll)s AND v.nik_hash = s.nik_hash"
    return (
        "v.nik_hash = s.nik_hash AND (v.roll_id = %(roll)s OR (v.roll_id = %(dp4)s AND NOT "
        f"EXISTS (SELECT 1 FROM {VOTER} t WHERE t.roll_id = %(roll)s AND t.nik_hash = s.nik_hash)))"
    )


def matches_table(run_id: int) -> str:
    """The run's roll matches (PostgreSQL): one table per run, dropped when the run ends."""
    return f"verification_match_{int(run_id)}"


def names_table(run_id: int) -> str:
    """The run's supporters whose name differs from the roll's (PostgreSQL), like the matches."""
    return f"verification_names_{int(run_id)}"


class Backend:
    """The SQLite way; PostgresBackend overrides what PostgreSQL does better.

    SQLite joins the roll inside each chunk's INSERT and judges the names chunk by chunk; it
    has one writer at a time, so a run is worked by one session."""

    parallel_sessions = False
    # The condition, in the results' SELECT, that rapidfuzz found the supporter's name differs
    # from the roll's. SQLite: never (its name mismatches are flag rows, summed with the others).
    name_differs = "1 = 0"
    # Whether a chunk's INSERT also counts what it wrote (VerificationChunk.counts), so that the
    # run's counts are a sum instead of a GROUP BY over every result at the end.
    counts_in_chunks = False

    def chunk_begin(self, cursor: Any) -> None:
        """Session settings for a chunk's transaction: the run's limits."""
        self.limits_apply(cursor)

    def limits_apply(self, cursor: Any) -> None:
        """The run's memory and cores, for the rest of the current transaction."""

    def analyze_if_stale(self, *tables: str) -> None:
        """Planner statistics for tables just loaded (PostgreSQL only)."""

    def run_matches(self, run: Any) -> int | None:
        """Match the whole round against the roll once, for every chunk to read (PostgreSQL).
        Returns how many supporters matched, or None where chunks join the roll themselves."""
        return None

    def matches_lost(self, run: Any, prepared: dict) -> bool:
        """True when the run's matches are gone (an unlogged table after a server crash)."""
        return False

    def run_cleanup(self, run: Any) -> None:
        """Drop what the run kept only for its chunks."""

    def voter_join(self, run_id: int, *, dp4: bool = False) -> str:
        """The LEFT JOINs that give the results' SELECT a roll record `v` per supporter `s`
        (columns id, birth_hash, minor, sex, marital_status, kelurahan_code), and what name_differs
        reads. `dp4`: the DP4 is read as a second roll (roll_match)."""
        return f"LEFT JOIN {VOTER} v ON {roll_match(dp4)}"

    def chunk_bounds(
        self, cursor: Any, scope: dict, size: int | None = None
    ) -> list[tuple[int, int]]:
        """Inclusive id ranges of `size` supporters of the scope (pair, round) each, the last
        one the rest; by default (size None) as many as sessions, of at most
        VERIFICATION_CHUNK_SIZE."""
        cursor.execute(
            f"SELECT MIN(id), MAX(id), COUNT(*) FROM {SUPPORTER} "
            "WHERE pair_id = %(pair)s AND round = %(round)s",
            scope,
        )
        low, high, count = cursor.fetchone()
        if not count:
            return []
        size = size or _default_size(count)
        if count <= size:
            return [(low, high)]
        return _ranges(self.chunk_starts(cursor, scope, count, size), high)

    def chunk_starts(self, cursor: Any, scope: dict, count: int, size: int) -> list[int]:
        """The first id of each chunk of `size` supporters (in id order) of the scope."""
        cursor.execute(
            f"""
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn
                FROM {SUPPORTER} WHERE pair_id = %(pair)s AND round = %(round)s
            ) t WHERE (rn - 1) %% %(size)s = 0 ORDER BY id
            """,
            {**scope, "size": size},
        )
        return [row[0] for row in cursor.fetchall()]

    names_in_chunks = True

    def names_differing(self, cursor: Any, params: dict) -> None:
        """Execute the query of (supporter id, form name, roll name) whose text differs beyond
        case, in the chunk (or, with names_in_chunks False, the whole run): what rapidfuzz must
        judge. The caller fetches the rows."""
        cursor.execute(
            f"""
            SELECT s.id, s.name, v.name FROM {SUPPORTER} s
            JOIN {VOTER} v ON {roll_match(params.get("dp4") is not None)}
            WHERE {CHUNK_SCOPE} AND UPPER(s.name) <> UPPER(v.name)
            """,
            params,
        )

    def names_store(self, cursor: Any, params: dict, ids: list[int]) -> None:
        """Keep the ids whose names differ (params: run, lo, hi, bits), replacing what an
        earlier attempt kept for the same range: flag rows with the DATA_MISMATCH bit."""
        cursor.execute(
            f"DELETE FROM {FLAG} WHERE run_id = %(run)s AND bits = %(bits)s "
            "AND supporter_id BETWEEN %(lo)s AND %(hi)s",
            params,
        )
        cursor.executemany(
            f"INSERT INTO {FLAG} (run_id, supporter_id, bits) VALUES (%s, %s, %s)",
            [(params["run"], i, params["bits"]) for i in ids],
        )


class PostgresBackend(Backend):
    """PostgreSQL 15 runs neither an INSERT .. SELECT nor a parallel LEFT JOIN the way we want:
    the round's supporters found in the roll go once into a table built by a parallel inner
    join (both cores), the names are judged once from it, and the chunks' INSERTs, which read
    it, are run by several sessions side by side."""

    parallel_sessions = True
    names_in_chunks = False
    name_differs = "n.supporter_id IS NOT NULL"
    counts_in_chunks = True

    def limits_apply(self, cursor: Any) -> None:
        _work_mem(cursor)

    def analyze_if_stale(self, *tables: str) -> None:
        """A list imported a minute ago has no statistics yet; the planner would then take 840k
        rows for one and pick nested loops. ANALYZE samples, so it costs well under a second."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) "
                "AND n_mod_since_analyze > 0.1 * GREATEST(n_live_tup, 1000)",
                [list(tables)],
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

    def run_matches(self, run: Any) -> int | None:
        """CREATE UNLOGGED TABLE .. AS an inner join: parallel on every core, hashing the
        supporters rather than the 8M-row roll, written without WAL (it is a working table:
        should the server crash, matches_lost says so and the run matches again)."""
        table = matches_table(run.pk)
        params = {"pair": run.pair_id, "round": run.round, "roll": run.roll_id,
                  "dp4": run.dp4_roll_id}  # fmt: skip
        select = f"""
            SELECT s.id AS supporter_id, v.id, v.birth_hash, v.minor, v.sex, v.marital_status,
                   v.kelurahan_code,
                   -- Both names only where the text differs beyond case: for rapidfuzz.
                   CASE WHEN UPPER(s.name) <> UPPER(v.name) THEN s.name END AS form_name,
                   CASE WHEN UPPER(s.name) <> UPPER(v.name) THEN v.name END AS roll_name
            FROM {SUPPORTER} s
            JOIN {VOTER} v ON v.roll_id = %(roll)s AND v.nik_hash = s.nik_hash
            WHERE {ROUND_SCOPE}
        """
        if run.dp4_roll_id is not None:
            # The DP4's records of the NIKs the DPT lacks: a join of its own, so that each
            # side reads one partition of the roll (an OR in one join would read both).
            select += f"""
            UNION ALL
            {select.replace("v.roll_id = %(roll)s", "v.roll_id = %(dp4)s")}
            AND NOT EXISTS (
                SELECT 1 FROM {VOTER} t WHERE t.roll_id = %(roll)s AND t.nik_hash = s.nik_hash
            )
            """
        with connection.cursor() as cursor:
            _work_mem(cursor)
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE UNLOGGED TABLE {table} AS {select}", params)
            matched = cursor.rowcount
        return matched

    def matches_lost(self, run: Any, prepared: dict) -> bool:
        """A crash empties every unlogged table: the matches' count tells (the names come from
        the matches, so when there are none, no names are lost either)."""
        table = matches_table(run.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                [table, names_table(run.pk)],
            )
            if not cursor.fetchone()[0]:
                return True
            # Crash recovery resets an unlogged table to its empty init fork: its size says it
            # without reading it (a COUNT read the 621k matches again in every session).
            cursor.execute("SELECT pg_relation_size(%s)", [table])
            return bool(prepared.get("matches")) and cursor.fetchone()[0] == 0

    def run_cleanup(self, run: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {matches_table(run.pk)}")
            cursor.execute(f"DROP TABLE IF EXISTS {names_table(run.pk)}")

    def voter_join(self, run_id: int, *, dp4: bool = False) -> str:
        # The matches hold the DP4's records too (run_matches).
        # The chunk's own range of each: the smaller side is hashed, and the supporters,
        # read in id order, stay in that order (reasons.results_select says why).
        def own(table: str) -> str:
            return f"(SELECT * FROM {table} WHERE supporter_id BETWEEN %(lo)s AND %(hi)s)"

        return (
            f"LEFT JOIN {own(matches_table(run_id))} v ON v.supporter_id = s.id "
            f"LEFT JOIN {own(names_table(run_id))} n ON n.supporter_id = s.id"
        )

    def chunk_bounds(
        self, cursor: Any, scope: dict, size: int | None = None
    ) -> list[tuple[int, int]]:
        """By default one sort of the ids (percentile_disc) gives the count and the split into
        one chunk per session at once: 0.29 s at DKI scale, where a count and a window over
        every row took 0.8 s. Chunk j ends at the id at the (j+1)/sessions quantile."""
        if size is not None:
            return super().chunk_bounds(cursor, scope, size)
        k = session_count()
        count, quantiles = _percentiles(cursor, scope, [j / k for j in range(k + 1)])
        if not count:
            return []
        if _default_size(count) < -(-count // k):  # more chunks than sessions
            return super().chunk_bounds(cursor, scope, _default_size(count))
        ends = sorted(set(quantiles[1:]))  # fewer supporters than sessions: ends repeat
        return list(zip([quantiles[0], *(end + 1 for end in ends[:-1])], ends, strict=True))

    def chunk_starts(self, cursor: Any, scope: dict, count: int, size: int) -> list[int]:
        """One sort of the ids instead of a window over every row. The start of chunk j is the
        id at position j*size+1; the fraction aims half a row early, so that rounding cannot
        move it a row later (fraction 0: the first id)."""
        fractions = [0.0] + [(j * size + 0.5) / count for j in range(1, -(-count // size))]
        return _percentiles(cursor, scope, fractions)[1]

    def names_differing(self, cursor: Any, params: dict) -> None:
        cursor.execute(
            f"SELECT supporter_id, form_name, roll_name FROM {matches_table(params['run'])} "
            "WHERE form_name IS NOT NULL"
        )

    def names_store(self, cursor: Any, params: dict, ids: list[int]) -> None:
        """An unlogged table of ids, loaded by one COPY: no index, no WAL, nothing to flush at
        commit. As flag rows (logged, indexed, 112k at DKI scale) they cost 1.1 s to insert
        and commit, and a GROUP BY in every chunk."""
        table = names_table(params["run"])
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE UNLOGGED TABLE {table} (supporter_id bigint NOT NULL)")
        with cursor.copy(f"COPY {table} (supporter_id) FROM STDIN") as copy:
            for batch in batches(ids, size=50_000):
                copy.write("".join(f"{int(i)}\n" for i in batch))
        # Both working tables, for the chunks' plans: here rather than right after the
        # matching, where the other sessions' steps would wait for it.
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {matches_table(params['run'])}")


def _work_mem(cursor: Any) -> None:
    """The default 4MB makes the joins spill to disk in batches; for this transaction only.
    Under a VERIFICATION_CORES cap, a parallel query takes at most that many cores (the
    session itself and cap - 1 workers)."""
    cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.VERIFICATION_PG_WORK_MEM])
    if settings.VERIFICATION_CORES > 0:
        cursor.execute(
            "SELECT set_config('max_parallel_workers_per_gather', %s, true)",
            [str(settings.VERIFICATION_CORES - 1)],
        )


def session_count() -> int:
    """Database sessions a run works through side by side: VERIFICATION_SESSIONS, at most
    VERIFICATION_CORES when that is set."""
    sessions = max(1, settings.VERIFICATION_SESSIONS)
    if settings.VERIFICATION_CORES > 0:
        sessions = min(sessions, settings.VERIFICATION_CORES)
    return sessions


def _default_size(count: int) -> int:
    """Chunks of at most VERIFICATION_CHUNK_SIZE, and small enough that every session of a run
    has one of its own."""
    return max(1, min(settings.VERIFICATION_CHUNK_SIZE, -(-count // session_count())))


def _percentiles(cursor: Any, scope: dict, fractions: list[float]) -> tuple[int, list[int]]:
    """(count, the ids at these fractions of the scope's ids in order): one sort (PostgreSQL)."""
    cursor.execute(
        f"""
        SELECT COUNT(*), percentile_disc(%(fractions)s::float8[]) WITHIN GROUP (ORDER BY id)
        FROM {SUPPORTER} WHERE pair_id = %(pair)s AND round = %(round)s
        """,
        {**scope, "fractions": fractions},
    )
    return cursor.fetchone()


def _ranges(starts: list[int], high: int) -> list[tuple[int, int]]:
    """Inclusive ranges from each chunk's first id; the last one ends at `high`."""
    ends = [start - 1 for start in starts[1:]] + [high]
    return list(zip(starts, ends, strict=True))


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else Backend()


def batches(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    # 900: under SQLite's oldest limit on bound parameters.
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
