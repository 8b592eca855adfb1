"""Loading a voter roll's good rows into electorate.Voter, each NIK once (the ways and why:
electorate.roll_import's docstring), and reporting the rows that repeat a NIK."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext

from electorate.models import RollImport, Voter, VoterRoll
from files.parsing import shown
from files.pgcopy import COPY_BLOCK, copy_escape, copy_write, fk_triggers_skip
from files.uploads import ErrorLog, Progress
from jobs.side import raw_connection

log = logging.getLogger(__name__)

SQLITE_BATCH = 10_000
SORT_CHUNK = 250_000


VOTER_COLUMNS = (
    "nik_hash, birth_hash, minor, name, birth_place, sex, marital_status, address, rt, rw, "
    "kelurahan_code"
)
COPY_BOOLEAN = {True: "t", False: "f", None: "\\N"}


def _copy_lines(rows: Iterator[tuple], prefix: str) -> Iterator[str]:
    esc = copy_escape
    boolean = COPY_BOOLEAN
    for r in rows:
        data = "\t".join(r[4:])
        yield (
            f"{prefix or r[0]}\t\\\\x{r[1].hex()}\t\\\\x{r[2].hex()}\t{boolean[r[3]]}\t"
            f"{esc(data)}\n"
        )


def _load_postgresql_direct(
    roll_id: int, import_id: int, rows: Iterator[tuple], second: Any = None
) -> int:
    """Into an empty roll, COPY straight into the voter table: no second write of every row.
    Raises UniqueViolation if the file lists a NIK twice; the caller then takes the staging way.

    With a `second` connection, the rows whose hash starts with 8-f go through it: two server
    processes store rows while this one parses, which is what a 2-core machine needs to go
    past one PostgreSQL backend's speed. Both sorted halves fill disjoint ranges of the index."""
    prefix = f"{roll_id}\t{import_id}"
    with connection.cursor() as cursor:
        copy_sql = (
            f"COPY {Voter._meta.db_table} (roll_id, roll_import_id, {VOTER_COLUMNS}) FROM STDIN"
        )
        count = 0

        def counted() -> Iterator[tuple]:
            nonlocal count
            for count, row in enumerate(rows, start=1):  # noqa: B007
                yield row

        lines = _copy_lines(counted(), prefix)
        if second is None:
            copy_write(cursor.cursor, copy_sql, lines, sort_chunk=SORT_CHUNK)
            return count
        from psycopg.copy import QueuedLibpqWriter

        # Lines read "<roll>\t<import>\t\\x<hex>...": the first hex digit sits at a fixed offset.
        split = prefix + "\t\\x8"
        other = second.cursor()
        with (
            cursor.cursor.copy(copy_sql, writer=QueuedLibpqWriter(cursor.cursor)) as low,
            other.copy(copy_sql, writer=QueuedLibpqWriter(other)) as high,
        ):
            chunk: list[str] = []
            for line in lines:
                chunk.append(line)
                if len(chunk) >= SORT_CHUNK:
                    _write_halves(low, high, chunk, split)
            _write_halves(low, high, chunk, split)
    return count


def _write_halves(low: Any, high: Any, chunk: list[str], split: str) -> None:
    import bisect

    chunk.sort()
    middle = bisect.bisect_left(chunk, split)
    for copy, start, stop in ((low, 0, middle), (high, middle, len(chunk))):
        for i in range(start, stop, COPY_BLOCK):
            copy.write("".join(chunk[i : min(i + COPY_BLOCK, stop)]))
    chunk.clear()


def _second_prepare(second: Any, roll_id: int) -> None:
    """The same settings and foreign-key shortcut as fk_triggers_skip, on the raw connection."""
    import psycopg

    second.execute("SET LOCAL synchronous_commit = off")
    second.execute(
        f"SELECT 1 FROM {VoterRoll._meta.db_table} WHERE id = %s FOR KEY SHARE", [roll_id]
    )
    try:
        with second.transaction():  # a savepoint: the transaction is already open
            second.execute("SET LOCAL session_replication_role = replica")
    except psycopg.Error:
        pass


def _staging_create(cursor: Any, *, blob: str, suffix: str = "") -> None:
    cursor.execute(
        f"CREATE TEMP TABLE roll_staging (row_number integer, nik_hash {blob}, "
        f"birth_hash {blob}, minor boolean, name text, birth_place text, sex text, "
        f"marital_status text, address text, rt text, rw text, kelurahan_code text){suffix}"
    )


# The staged rows that are not loaded, each once, with COUNT(*) OVER () for their number: a
# later row of a NIK the file already listed (first_row: its first row), or a NIK the roll
# holds from another import (other: that import's id, NULL for rows older than the column).
# Only the first ERRORS_KEPT are fetched: a whole roll sent again as another file reports
# 8 million rows without bringing them into Python.
REPEATS_SQL = f"""
    SELECT s.row_number, f.first_row, v.id IS NOT NULL, v.roll_import_id, COUNT(*) OVER ()
    FROM roll_staging s
    LEFT JOIN (
        SELECT nik_hash, MIN(row_number) AS first_row FROM roll_staging
        GROUP BY nik_hash HAVING COUNT(*) > 1
    ) f ON f.nik_hash = s.nik_hash AND f.first_row < s.row_number
    LEFT JOIN {Voter._meta.db_table} v ON v.roll_id = %(roll)s AND v.nik_hash = s.nik_hash
        AND (v.roll_import_id IS NULL OR v.roll_import_id <> %(import)s)
    WHERE f.first_row IS NOT NULL OR v.id IS NOT NULL
    ORDER BY s.row_number
    LIMIT %(keep)s
"""


def _repeats_report(cursor: Any, *, roll_id: int, import_id: int, errors: ErrorLog) -> int:
    """Report every staged row that repeats a NIK (see the module docstring) as a row error on
    NIK, merged into `errors` in row order. Returns how many rows that is."""
    cursor.execute(REPEATS_SQL, {"roll": roll_id, "import": import_id, "keep": errors.keep})
    found = cursor.fetchall()
    if not found:
        return 0
    files = dict(
        RollImport.objects.filter(roll_id=roll_id)
        .exclude(pk=import_id)
        .values_list("pk", "original_name")
    )
    items = [
        {"row": row, "column": "NIK", "message": _repeat_message(row, first, in_roll, other, files)}
        for row, first, in_roll, other, _total in found
    ]
    total = int(found[0][4])
    errors.count += total
    # Row order across both kinds of error; the ones kept are still the first ERRORS_KEPT.
    errors.items = sorted(errors.items + items, key=lambda e: e["row"])[: errors.keep]
    return total


def _repeat_message(
    row: int, first: int | None, in_roll: Any, other: int | None, files: dict[int, str]
) -> str:
    if in_roll and other in files:
        return gettext(
            "NIK pada baris %(row)s sudah ada di DPT ini dari berkas '%(file)s' (impor "
            "#%(id)s): satu NIK hanya satu pemilih. Pemilih yang sudah ada tetap dipakai, baris "
            "ini tidak dimuat; bila data baris ini yang benar, batalkan impor #%(id)s lalu "
            "impor ulang berkas yang sudah diperbaiki."
        ) % {"row": row, "file": shown(files[other], 80), "id": other}
    if in_roll:
        return gettext(
            "NIK pada baris %(row)s sudah ada di DPT ini dari impor sebelumnya: satu NIK hanya "
            "satu pemilih. Pemilih yang sudah ada tetap dipakai, baris ini tidak dimuat."
        ) % {"row": row}
    return gettext(
        "NIK pada baris %(row)s sama dengan baris %(first)s: satu NIK hanya satu pemilih. "
        "Baris %(first)s yang dimuat, baris ini tidak; periksa kedua baris, perbaiki NIK yang "
        "salah atau hapus baris yang ganda."
    ) % {"row": row, "first": first}


def _counted(rows: Iterator[tuple], tally: list[int]) -> Iterator[tuple]:
    for row in rows:
        tally[0] += 1
        yield row


def _load_postgresql_staged(
    roll_id: int, import_id: int, rows: Iterator[tuple], errors: ErrorLog
) -> int:
    """COPY into a temporary table, report the repeats, then INSERT .. SELECT .. ON CONFLICT
    DO NOTHING: each NIK once, from its first row; a NIK the roll holds stays as it is.
    Returns the rows accepted: this file's voters now in the roll."""
    staged = [0]
    with connection.cursor() as cursor:
        _staging_create(cursor, blob="bytea", suffix=" ON COMMIT DROP")
        copy_sql = f"COPY roll_staging (row_number, {VOTER_COLUMNS}) FROM STDIN"
        copy_write(cursor.cursor, copy_sql, _copy_lines(_counted(rows, staged), ""))
        # A temporary table has no statistics: planned as 80k rows, the report probed the roll's
        # index once per row (9.9 s for 500k staged rows; 4.9 s with this, a hash join).
        cursor.execute("ANALYZE roll_staging")
        repeats = _repeats_report(cursor, roll_id=roll_id, import_id=import_id, errors=errors)
        # Sorted by hash, the unique index is filled in order.
        cursor.execute(
            f"INSERT INTO {Voter._meta.db_table} (roll_id, roll_import_id, {VOTER_COLUMNS}) "
            f"SELECT DISTINCT ON (nik_hash) %s, %s, {VOTER_COLUMNS} FROM roll_staging "
            "ORDER BY nik_hash, row_number "
            "ON CONFLICT (roll_id, nik_hash) DO NOTHING",
            [roll_id, import_id],
        )
        cursor.execute("DROP TABLE roll_staging")
    return staged[0] - repeats


def load_postgresql(
    job: RollImport, read: Callable[[], tuple], *, parallel: bool
) -> tuple[int, ErrorLog, Progress]:
    """`parallel` only when the caller holds no transaction of its own: the second connection
    commits separately (just before ours). Should ours then fail, the roll holds that half;
    a retry finds the roll not empty and completes it through staging, doubling nothing."""
    from psycopg.errors import UniqueViolation

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        fk_triggers_skip(cursor, parents=[(VoterRoll._meta.db_table, job.roll_id)])
    if not Voter.objects.filter(roll_id=job.roll_id).exists():
        rows, errors, progress = read()
        second = raw_connection() if parallel else None
        try:
            if second is not None:
                _second_prepare(second, job.roll_id)
            with transaction.atomic():
                count = _load_postgresql_direct(job.roll_id, job.pk, rows, second)
            if second is not None:
                second.commit()
            return count, errors, progress
        except UniqueViolation:
            log.info("impor DPT #%s: berkas mengulang NIK, dimuat lewat tabel sementara", job.pk)
        finally:
            if second is not None:
                second.close()
    rows, errors, progress = read()
    return _load_postgresql_staged(job.roll_id, job.pk, rows, errors), errors, progress


def load_sqlite(
    roll_id: int, import_id: int, rows: Iterator[tuple], progress: Progress, errors: ErrorLog
) -> int:
    """Batches into a temporary table (each committed with its progress), then the repeats
    reported and each NIK's first row loaded in one transaction. Returns the rows accepted."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS temp.roll_staging")  # a failed run's, if any
        _staging_create(cursor, blob="blob")
    sql = f"INSERT INTO roll_staging VALUES ({', '.join(['%s'] * 12)})"
    staged = 0
    batch: list[tuple] = []

    def flush() -> None:
        nonlocal staged
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        staged += len(batch)
        batch.clear()
        progress.write()

    for r in rows:
        batch.append(r)
        if len(batch) >= SQLITE_BATCH:
            flush()
    if batch:
        flush()
    with transaction.atomic(), connection.cursor() as cursor:
        repeats = _repeats_report(cursor, roll_id=roll_id, import_id=import_id, errors=errors)
        cursor.execute(
            f"INSERT OR IGNORE INTO {Voter._meta.db_table} "
            f"(roll_id, roll_import_id, {VOTER_COLUMNS}) "
            f"SELECT %s, %s, {VOTER_COLUMNS} FROM roll_staging WHERE row_number IN "
            "(SELECT MIN(row_number) FROM roll_staging GROUP BY nik_hash)",
            [roll_id, import_id],
        )
        cursor.execute("DROP TABLE temp.roll_staging")
    return staged - repeats
