"""Bulk loading into PostgreSQL with COPY (psycopg 3), shared by both importers.

COPY is the fastest way into PostgreSQL by far (8 million roll rows in under a minute); these
helpers stream text lines into it in blocks, optionally sorted so that a unique index fills in
order, and switch off the per-row foreign-key triggers that would otherwise cost a fifth of an
import. Only used on PostgreSQL: the SQLite paths of the importers batch INSERTs instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import DatabaseError, connection, transaction

log = logging.getLogger(__name__)

COPY_BLOCK = 2_000  # rows joined into one string per copy.write()


def fk_triggers_skip(
    cursor: Any, *, parents: list[tuple[str, int]], tables: tuple[str, ...] = ()
) -> None:
    """Millions of rows point at a few parent rows: instead of a foreign-key trigger per row
    (deferred to COMMIT, where it cost a fifth of the import), lock those parents FOR KEY SHARE
    (and whole reference `tables` in SHARE mode: nothing may delete from them meanwhile) once,
    and switch the triggers off for this transaction. Every value was already checked against
    the parents by the parser. Needs a role allowed to set session_replication_role (superuser,
    or GRANT SET ON PARAMETER); without it the triggers simply stay on. The tables loaded here
    have no triggers besides their foreign keys."""
    for table, pk in parents:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [pk])
    for table in tables:
        cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        log.info("session_replication_role not allowed: foreign keys checked row by row")


def statistics_refresh(table: str, columns: Sequence[str] = ()) -> None:
    """ANALYZE a table just bulk-loaded, as PostgreSQL's manual advises after a bulk load: until
    autovacuum gets to it, the planner takes it for as small as it was (840k new supporters
    planned as none picks nested loops). ANALYZE samples a fixed number of rows, so it costs
    the same at any size. `columns`: only those (the ones the next statements filter and join
    on; autovacuum's own ANALYZE does the rest later): the row count is refreshed either way,
    and 7-8 of the supporters' 22 columns took 0.27-0.35 s where all took 0.61-0.78 s. On
    PostgreSQL, outside a caller's transaction only (there it would hold its lock until the
    caller commits)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    quote = connection.ops.quote_name
    listed = f" ({', '.join(quote(c) for c in columns)})" if columns else ""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {quote(table)}{listed}")


def copy_escape(text: str) -> str:
    """COPY text format: our fields have their whitespace collapsed, so only '\\' needs care."""
    return text.replace("\\", "\\\\") if "\\" in text else text


def copy_write(cursor: Any, sql: str, lines: Iterator[str], *, sort_chunk: int = 0) -> None:
    """Stream lines into COPY .. FROM STDIN in joined blocks. A queued writer sends them from a
    thread, so Python parses the next rows while PostgreSQL stores the last ones.

    With sort_chunk, lines are sorted in chunks of that many before sending: lines that start
    with the same prefix and then the key of a unique index arrive in key order, so the index
    is filled walking forward instead of jumping to a random page for every row (the cost that
    dominates once the index outgrows shared_buffers)."""
    from psycopg.copy import QueuedLibpqWriter

    with cursor.copy(sql, writer=QueuedLibpqWriter(cursor)) as copy:
        if sort_chunk:
            chunk: list[str] = []
            for line in lines:
                chunk.append(line)
                if len(chunk) >= sort_chunk:
                    write_sorted(copy, chunk)
            write_sorted(copy, chunk)
            return
        block: list[str] = []
        for line in lines:
            block.append(line)
            if len(block) >= COPY_BLOCK:
                copy.write("".join(block))
                block.clear()
        if block:
            copy.write("".join(block))


def write_sorted(copy: Any, chunk: list[str]) -> None:
    """Sort the chunk, send it in blocks, empty it."""
    chunk.sort()
    for i in range(0, len(chunk), COPY_BLOCK):
        copy.write("".join(chunk[i : i + COPY_BLOCK]))
    chunk.clear()
