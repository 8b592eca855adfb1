"""What the engine does differently on PostgreSQL and on SQLite, chosen once per run.

PostgreSQL 15 runs neither an INSERT .. SELECT nor a parallel LEFT JOIN the way we want, so
there the chunk's roll matches go first into a temporary table built by a parallel inner join;
SQLite reads the roll directly in the results' INSERT. Everything else is the same SQL.
"""

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
MATCHES = "verification_chunk_tmp"  # a chunk's roll matches (PostgreSQL)

# The scope of one chunk, as named SQL parameters: %(pair)s, %(round)s, %(lo)s, %(hi)s.
CHUNK_SCOPE = "s.pair_id = %(pair)s AND s.round = %(round)s AND s.id BETWEEN %(lo)s AND %(hi)s"


class Backend:
    """The SQLite way; PostgresBackend overrides what PostgreSQL does better."""

    def chunk_begin(self, cursor: Any) -> None:
        """Session settings for a chunk's transaction."""

    def analyze_if_stale(self, *tables: str) -> None:
        """Planner statistics for tables just loaded (PostgreSQL only)."""

    def roll_matches(self, cursor: Any, params: dict) -> None:
        """Prepare the chunk's matches against the roll, if this backend stages them."""

    def voter_join(self) -> str:
        """The LEFT JOIN that gives the results' SELECT a roll record `v` per supporter `s`
        (columns id, birth_date, sex, marital_status, kelurahan_code)."""
        return f"LEFT JOIN {VOTER} v ON v.roll_id = %(roll)s AND v.nik_hash = s.nik_hash"

    def names_differing(self, cursor: Any, params: dict) -> None:
        """Execute the query of (supporter id, form name, roll name) whose text differs beyond
        case: what rapidfuzz must judge. The caller fetches the rows."""
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
    def chunk_begin(self, cursor: Any) -> None:
        # The default 4MB makes the hash join against the roll spill to disk in 32 batches.
        cursor.execute(
            "SELECT set_config('work_mem', %s, true)", [settings.VERIFICATION_PG_WORK_MEM]
        )

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

    def roll_matches(self, cursor: Any, params: dict) -> None:
        """The chunk's supporters found in the roll, into a temp table. On PostgreSQL 15 an
        INSERT .. SELECT never runs in parallel and a parallel LEFT JOIN must hash the 8M-row
        roll; CREATE TABLE AS an INNER join runs on both cores and hashes the supporters
        instead, as the plain join does."""
        # Dropped first too: inside an outer transaction (tests) ON COMMIT comes too late.
        cursor.execute(f"DROP TABLE IF EXISTS {MATCHES}")
        cursor.execute(
            f"""
            CREATE TEMP TABLE {MATCHES} ON COMMIT DROP AS
            SELECT s.id AS supporter_id, v.id, v.birth_date, v.sex, v.marital_status,
                   v.kelurahan_code,
                   -- Both names only where the text differs beyond case: for rapidfuzz.
                   CASE WHEN UPPER(s.name) <> UPPER(v.name) THEN s.name END AS form_name,
                   CASE WHEN UPPER(s.name) <> UPPER(v.name) THEN v.name END AS roll_name
            FROM {SUPPORTER} s
            JOIN {VOTER} v ON v.roll_id = %(roll)s AND v.nik_hash = s.nik_hash
            WHERE {CHUNK_SCOPE}
            """,
            params,
        )
        # Temp tables are never auto-analysed; without statistics the next join may loop.
        cursor.execute(f"ANALYZE {MATCHES}")

    def voter_join(self) -> str:
        return f"LEFT JOIN {MATCHES} v ON v.supporter_id = s.id"

    def names_differing(self, cursor: Any, params: dict) -> None:
        cursor.execute(
            f"SELECT supporter_id, form_name, roll_name FROM {MATCHES} WHERE form_name IS NOT NULL"
        )

    def flags_insert(self, cursor: Any, *, run_id: int, ids: list[int], bits: int) -> None:
        for batch in batches(ids, size=50_000):
            cursor.execute(
                f"INSERT INTO {FLAG} (run_id, supporter_id, bits) "
                "SELECT %s, unnest(%s::bigint[]), %s",
                [run_id, batch, bits],
            )


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else Backend()


def batches(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    # 900: under SQLite's oldest limit on bound parameters.
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
