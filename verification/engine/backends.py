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


def matches_table(run_id: int) -> str:
    """The run's roll matches (PostgreSQL): one table per run, dropped when the run ends."""
    return f"verification_match_{int(run_id)}"


class Backend:
    """The SQLite way; PostgresBackend overrides what PostgreSQL does better.

    SQLite joins the roll inside each chunk's INSERT and judges the names chunk by chunk; it
    has one writer at a time, so a run is worked by one session."""

    parallel_sessions = False

    def chunk_begin(self, cursor: Any) -> None:
        """Session settings for a chunk's transaction."""

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

    def voter_join(self, run_id: int) -> str:
        """The LEFT JOIN that gives the results' SELECT a roll record `v` per supporter `s`
        (columns id, birth_date, sex, marital_status, kelurahan_code)."""
        return f"LEFT JOIN {VOTER} v ON v.roll_id = %(roll)s AND v.nik_hash = s.nik_hash"

    names_in_chunks = True

    def names_differing(self, cursor: Any, params: dict) -> None:
        """Execute the query of (supporter id, form name, roll name) whose text differs beyond
        case, in the chunk (or, with names_in_chunks False, the whole run): what rapidfuzz must
        judge. The caller fetches the rows."""
        cursor.execute(
            f"""
            SELECT s.id, s.name, v.name FROM {SUPPORTER} s
            JOIN {VOTER} v ON v.roll_id = %(roll)s AND v.nik_hash = s.nik_hash
            WHERE {CHUNK_SCOPE} AND UPPER(s.name) <> UPPER(v.name)
            """,
            params,
        )

    def flags_insert(self, cursor: Any, *, run_id: int, ids: list[int], bits: int) -> None:
        cursor.executemany(
            f"INSERT INTO {FLAG} (run_id, supporter_id, bits) VALUES (%s, %s, %s)",
            [(run_id, i, bits) for i in ids],
        )


class PostgresBackend(Backend):
    """PostgreSQL 15 runs neither an INSERT .. SELECT nor a parallel LEFT JOIN the way we want:
    the round's supporters found in the roll go once into a table built by a parallel inner
    join (both cores), the names are judged once from it, and the chunks' INSERTs, which read
    it, are run by several sessions side by side."""

    parallel_sessions = True
    names_in_chunks = False

    def chunk_begin(self, cursor: Any) -> None:
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
        params = {"pair": run.pair_id, "round": run.round, "roll": run.roll_id}
        with connection.cursor() as cursor:
            _work_mem(cursor)
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"""
                CREATE UNLOGGED TABLE {table} AS
                SELECT s.id AS supporter_id, v.id, v.birth_date, v.sex, v.marital_status,
                       v.kelurahan_code,
                       -- Both names only where the text differs beyond case: for rapidfuzz.
                       CASE WHEN UPPER(s.name) <> UPPER(v.name) THEN s.name END AS form_name,
                       CASE WHEN UPPER(s.name) <> UPPER(v.name) THEN v.name END AS roll_name
                FROM {SUPPORTER} s
                JOIN {VOTER} v ON v.roll_id = %(roll)s AND v.nik_hash = s.nik_hash
                WHERE {ROUND_SCOPE}
                """,
                params,
            )
            matched = cursor.rowcount
            cursor.execute(f"ANALYZE {table}")
        return matched

    def matches_lost(self, run: Any, prepared: dict) -> bool:
        table = matches_table(run.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cursor.fetchone()[0]:
                return True
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            return cursor.fetchone()[0] != prepared.get("matches")

    def run_cleanup(self, run: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {matches_table(run.pk)}")

    def voter_join(self, run_id: int) -> str:
        return f"LEFT JOIN {matches_table(run_id)} v ON v.supporter_id = s.id"

    def names_differing(self, cursor: Any, params: dict) -> None:
        cursor.execute(
            f"SELECT supporter_id, form_name, roll_name FROM {matches_table(params['run'])} "
            "WHERE form_name IS NOT NULL"
        )

    def flags_insert(self, cursor: Any, *, run_id: int, ids: list[int], bits: int) -> None:
        for batch in batches(ids, size=50_000):
            cursor.execute(
                f"INSERT INTO {FLAG} (run_id, supporter_id, bits) "
                "SELECT %s, unnest(%s::bigint[]), %s",
                [run_id, batch, bits],
            )


def _work_mem(cursor: Any) -> None:
    """The default 4MB makes the joins spill to disk in batches; for this transaction only."""
    cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.VERIFICATION_PG_WORK_MEM])


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else Backend()


def batches(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    # 900: under SQLite's oldest limit on bound parameters.
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
