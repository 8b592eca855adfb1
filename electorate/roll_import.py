"""Voter-roll (DPT/DP4) import: stream a kept file (electorate.uploads) into electorate.Voter.

Entry point for callers: electorate.services.roll_import_submit (keep the file, enqueue the
task on commit). This module is the work the task does.

What a DPT file may hold (decided here):
- Only voters of the roll's region (VoterRoll.region: the region of the election it was made
  for, or a province whose DPT serves the governor's and its kab/kota's elections). A row whose
  kelurahan lies outside is a row error on KODE_WILAYAH with the fix: such a voter got in once,
  was MS, and left a factual verification no PPS of the region could close.
- One row per NIK. Every later row of a NIK the file already listed is a row error naming the
  first row, which is the one loaded; a row whose NIK the roll already holds from an earlier
  file is a row error naming that file, and the voter already there stays as it is (undo that
  import to replace it). Only row numbers are quoted, never the NIK. The rows of the same
  import found in the roll (left by a dead run, see below) are not repeats: they are that file.

Loading never doubles anything:
- PostgreSQL, empty roll (the usual first load): COPY straight into the voter table, rows sorted
  by NIK hash in chunks so the unique index fills in order; outside a caller's transaction the
  two hash halves go through two connections (see parallel_copy_enabled). If the file repeats
  a NIK the COPY fails and we fall back to:
- PostgreSQL otherwise: COPY into a temporary table; one statement reports the repeats (a
  GROUP BY of the staged hashes and a join with the roll); INSERT .. SELECT DISTINCT ON ..
  ON CONFLICT (roll_id, nik_hash) DO NOTHING loads the first row of each NIK; one transaction.
- SQLite: batches into a temporary table, each committed with its progress; then the same
  report and an INSERT OR IGNORE of each NIK's first row, in one transaction.

Whatever a dead run left is kept once thanks to ON CONFLICT / OR IGNORE, so a takeover (see
electorate.uploads) simply loads the file again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils.translation import gettext

from audit.trail import audit_record
from electorate.models import Region, RollImport, Voter, VoterRoll
from electorate.parsing import (
    FieldError,
    FileFormatError,
    Table,
    cached,
    columns_match,
    parse_kelurahan,
    parse_name,
    parse_nik,
    person_parsers,
    row_errors,
    shown,
    table_open,
)
from electorate.partitions import partition_name, voter_partitioned
from electorate.pgcopy import (
    COPY_BLOCK,
    copy_escape,
    copy_write,
    fk_triggers_skip,
    raw_connection,
    statistics_refresh,
)
from electorate.regions import kelurahan_codes
from electorate.uploads import (
    ErrorLog,
    Progress,
    upload_claim,
    upload_crash,
    upload_done,
    upload_fail_file,
    upload_keep,
    upload_open,
    upload_retry,
)
from keys import keyring
from keys.nik import BIRTH_HASH_PREFIX, MARRIED, eligible_birth_cutoff

log = logging.getLogger(__name__)

REQUIRED = (
    "NIK",
    "NAMA",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
    "STATUS_PERKAWINAN",
    "ALAMAT",
    "RT",
    "RW",
    "KODE_WILAYAH",
)
SQLITE_BATCH = 10_000
SORT_CHUNK = 250_000


def parallel_copy_enabled() -> bool:
    """settings.ROLL_IMPORT_PARALLEL_COPY: load an empty roll through two COPY connections, so
    two PostgreSQL processes fill the unique index while this one parses. 8,252,897 rows on the
    2-core machine (other jobs running): 158k-180k rows/s with it, 122k rows/s without. The
    price is two transactions instead of one (see _load_postgresql)."""
    return settings.ROLL_IMPORT_PARALLEL_COPY


def roll_import_create(
    *,
    roll: VoterRoll,
    file: IO[bytes] | File,
    original_name: str,
    uploaded_by: Any = None,
) -> tuple[RollImport, bool]:
    return upload_keep(
        RollImport,
        file=file,
        original_name=original_name,
        uploaded_by=uploaded_by,
        scope={"roll": roll},
    )


def roll_import_retry(*, import_id: int) -> RollImport:
    return upload_retry(RollImport, import_id)


def kelurahan_in_region(
    *, known: frozenset[str], region: Region, places: dict[str, str]
) -> Callable[[Any], str]:
    """The KODE_WILAYAH parser of a roll: a known kelurahan code inside the roll's region.
    Memoised like every parser (a code is judged once per import, then a dict hit); `places`
    are the names of provinces and kab/kota, read before the load (no query during a COPY)."""

    def parse(value: Any) -> str:
        code = parse_kelurahan(value, known)
        if region.contains(code):
            return code
        province, kabkota = code.split(".")[0], ".".join(code.split(".")[:2])
        place = ", ".join(places[c] for c in (kabkota, province) if c in places) or code
        raise FieldError(
            gettext(
                "Kelurahan %(code)s (%(place)s) di luar wilayah pemilihan %(region)s "
                "(%(region_code)s): pemilih ini bukan pemilih DPT pemilihan ini; hapus barisnya "
                "atau perbaiki kode wilayahnya."
            )
            % {
                "code": code,
                "place": shown(place, 120),
                "region": shown(region.name, 120),
                "region_code": region.code,
            }
        )

    return cached(parse)


def places_named() -> dict[str, str]:
    """Province and kab/kota names by code (about 550 rows), for the out-of-region message."""
    return dict(Region.objects.filter(level__lte=Region.Level.KABKOTA).values_list("code", "name"))


def voter_rows(  # noqa: PLR0915 (unrolled on purpose: see the docstring)
    table: Table,
    cols: dict[str, int],
    known: frozenset[str],
    errors: ErrorLog,
    progress: Progress,
    *,
    kelurahan: Callable[[Any], str] | None = None,
    voting_day: dt.date | None = None,
) -> Iterator[tuple]:
    """Good rows as (row, nik_hash, birth_hash, minor, name, birth_place, sex, marital,
    address, rt, rw, kelurahan_code); bad rows go to `errors`. The hot path of an
    8-million-row import. `kelurahan`: the KODE_WILAYAH parser (kelurahan_in_region); by
    default any known code. The birth date is kept as its keyed hash with the NIK and whether
    it is under 17 on `voting_day` (the roll's; None: unknown) and not married, never in the
    clear (keys.nik, "the birth date").

    Unrolled by hand, like candidates.intake.supporter_rows: a generic loop over (column,
    parser) pairs measured about 1 us more per row, some 10 s on the 8,252,897-row DKI roll,
    which takes the import below its 150,000 rows/s goal. Change both together."""
    i_nik, i_name, i_place, i_date, i_sex, i_mar, i_addr, i_rt, i_rw, i_kel = (
        cols[c] for c in REQUIRED
    )
    width = max(cols.values()) + 1
    today = dt.date.today()
    parsers = person_parsers(known=known, today=today)
    if kelurahan is not None:
        parsers["KODE_WILAYAH"] = kelurahan
    p_date, p_sex, p_mar, p_kel, p_rt, p_rw, p_place, p_addr = (
        parsers[c]
        for c in ("TANGGAL_LAHIR", "JENIS_KELAMIN", "STATUS_PERKAWINAN", "KODE_WILAYAH", "RT", "RW",
                  "TEMPAT_LAHIR", "ALAMAT")
    )  # fmt: skip
    # A failed row is read again, every cell (electorate.parsing.row_errors), so that the KPU
    # sees all of a row's mistakes at once; a good row never goes there.
    checks = tuple((c, cols[c], parsers[c]) for c in REQUIRED)
    add_row = errors.add_row
    tick = progress.tick
    # The chain the caller's transaction holds (keyring.hasher(lock=True) before the rows are read).
    hash_text = keyring.hasher().hash
    birth_prefix = BIRTH_HASH_PREFIX
    # ISO dates compare as text; None: the roll names no voting day, the age is unknown.
    cutoff = eligible_birth_cutoff(voting_day).isoformat() if voting_day else None
    count = 0
    for number, cells in table.rows():
        count += 1
        if count & 1023 == 0:
            tick(count)
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        column = "NIK"
        try:
            nik = cells[i_nik]
            if not (type(nik) is str and len(nik) == 16 and nik.isdigit() and nik.isascii()):
                nik = parse_nik(nik)
            column = "NAMA"
            name = cells[i_name]
            name = " ".join(name.split()) if type(name) is str else ""
            if not name or len(name) > 200:
                name = parse_name(cells[i_name])
            column = "TEMPAT_LAHIR"
            place = p_place(cells[i_place])
            column = "TANGGAL_LAHIR"
            birth = p_date(cells[i_date])
            column = "JENIS_KELAMIN"
            sex = p_sex(cells[i_sex])
            column = "STATUS_PERKAWINAN"
            marital = p_mar(cells[i_mar])
            column = "ALAMAT"
            address = cells[i_addr]
            address = " ".join(address.split()) if type(address) is str else None
            if address is None or len(address) > 300:
                address = p_addr(cells[i_addr])
            column = "RT"
            rt = p_rt(cells[i_rt])
            column = "RW"
            rw = p_rw(cells[i_rw])
            column = "KODE_WILAYAH"
            kel = p_kel(cells[i_kel])
        except FieldError as exc:
            add_row(number, row_errors(cells, checks) or [(column, exc.message)])
            continue
        yield (
            number,
            hash_text(nik),
            hash_text(f"{birth_prefix}{nik}:{birth}"),
            None if cutoff is None else birth > cutoff and marital not in MARRIED,
            name,
            place,
            sex,
            marital,
            address,
            rt,
            rw,
            kel,
        )
    progress.tick(count)


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


def _load_postgresql(
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
            progress.close()
        finally:
            if second is not None:
                second.close()
    rows, errors, progress = read()
    return _load_postgresql_staged(job.roll_id, job.pk, rows, errors), errors, progress


def _load_sqlite(
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


def roll_import_run(*, import_id: int) -> RollImport:
    """Load a pending import. Returns the import as it stands (unchanged if not claimable)."""
    if not upload_claim(RollImport, import_id):
        return RollImport.objects.get(pk=import_id)
    job = RollImport.objects.select_related("roll__region").get(pk=import_id)
    known = kelurahan_codes()
    kelurahan = kelurahan_in_region(known=known, region=job.roll.region, places=places_named())
    opened: list[Any] = []
    files = contextlib.ExitStack()

    def read() -> tuple[Iterator[tuple], ErrorLog, Progress]:
        fh = files.enter_context(upload_open(job))
        errors = ErrorLog()
        table = table_open(fh, name=job.original_name, size=job.size, row_error=errors.add)
        cols = columns_match(table.header, REQUIRED)
        progress = Progress(RollImport, job.pk, table)
        opened.append(progress)
        rows = voter_rows(
            table, cols, known, errors, progress, kelurahan=kelurahan,
            voting_day=job.roll.voting_day,
        )  # fmt: skip
        return rows, errors, progress

    try:
        if connection.vendor == "postgresql":
            parallel = parallel_copy_enabled() and not connection.in_atomic_block
            with transaction.atomic():
                keyring.hasher(lock=True)  # the hash keys stay as they are until this commits
                inserted, errors, progress = _load_postgresql(job, read, parallel=parallel)
                _finish(job, progress, errors, inserted)
        else:
            keyring.hasher(fresh=True)  # SQLite: one writer at a time, a rotation included
            rows, errors, progress = read()
            inserted = _load_sqlite(job.roll_id, job.pk, rows, progress, errors)
            _finish(job, progress, errors, inserted)
    except FileFormatError as exc:
        upload_fail_file(RollImport, job.pk, exc)
    except Exception as exc:
        upload_crash(RollImport, job.pk, exc)
        raise
    finally:
        for thing in opened:
            thing.close()
        files.close()
    job.refresh_from_db()
    if job.status == RollImport.Status.DONE and voter_partitioned():
        statistics_refresh(partition_name(job.roll_id))  # this roll's voters only
    audit_record(
        "roll.import_finished",
        area=job.roll.region_id,
        target=job,
        data={"status": job.status, "accepted": job.accepted, "rejected": job.rejected},
    )
    return job


def _finish(job: RollImport, progress: Progress, errors: ErrorLog, accepted: int) -> None:
    if progress.rows == 0:
        raise FileFormatError(
            gettext(
                "Berkas hanya berisi baris judul (baris 1), tanpa baris data: tidak ada pemilih "
                "yang diimpor. Isi data pemilih mulai baris 2, lalu unggah ulang."
            )
        )
    upload_done(
        RollImport, job.pk, size=job.size, rows=progress.rows, accepted=accepted, errors=errors
    )
