"""Voter-roll (DPT/DP4) import: keep the file, then stream it into electorate.Voter.

The same file twice for a roll is one import. A run claims its import with a conditional UPDATE
(pending -> running, exactly one row), so two workers never load the same file.

Loading never doubles anything and a NIK already in the roll stays as it is:
- PostgreSQL, empty roll (the usual first load): COPY straight into the voter table, rows sorted
  by NIK hash in chunks so the unique index fills in order; outside a caller's transaction the
  two hash halves go through two connections (see parallel_copy_enabled). If the file repeats
  a NIK the COPY fails and we fall back to:
- PostgreSQL otherwise: COPY into a temporary table, then INSERT .. SELECT .. ON CONFLICT
  (roll_id, nik_hash) DO NOTHING (first row of a repeated NIK wins), one transaction.
- SQLite: batches of INSERT OR IGNORE, each committed with its progress.

Crash recovery: a run that dies leaves its import 'running' (a killed worker) or 'failed' (an
exception). A live run keeps a heartbeat (claim, then every progress write); a claim also takes
a 'running' import whose heartbeat is older than the lease (a redelivered task), and sending
the same file again puts a failed or dead import back to 'pending' for the caller to enqueue.
`roll_import_retry` does the same by hand. Whatever a dead run left is kept once thanks to
ON CONFLICT / OR IGNORE.

Files are kept encrypted at rest (electorate.vault); error texts shown to users never carry
file content (see upload_crash and parsing.parse_nik).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from functools import partial
from typing import IO, Any, TypeVar

from django.core.files import File
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from electorate.models import Region, RollImport, Upload, Voter, VoterRoll
from electorate.nik import nik_hash
from electorate.parsing import (
    SHEET_SUFFIXES,
    FieldError,
    FileFormatError,
    Table,
    cached,
    columns_match,
    parse_birth_date,
    parse_kelurahan,
    parse_marital,
    parse_name,
    parse_nik,
    parse_rt,
    parse_sex,
    parse_text,
    table_open,
)
from electorate.vault import vault_local, vault_open, vault_store

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
ERRORS_KEPT = 1000
PROGRESS_EVERY = 50_000
SQLITE_BATCH = 10_000
COPY_BLOCK = 2_000  # rows joined into one string per copy.write()
SORT_CHUNK = 250_000


def parallel_copy_enabled() -> bool:
    """settings.ROLL_IMPORT_PARALLEL_COPY (default on): load an empty roll through two COPY
    connections, so two PostgreSQL processes fill the unique index while this one parses.
    8,252,897 rows on the 2-core machine (other jobs running): 158k-180k rows/s with it,
    122k rows/s without. The price is two transactions instead of one (see _load_postgresql)."""
    from django.conf import settings

    return bool(getattr(settings, "ROLL_IMPORT_PARALLEL_COPY", True))


U = TypeVar("U", bound=Upload)


# --- shared by both importers (candidates.intake uses these too) ------------------------------


def file_sha256(fh: IO[bytes]) -> tuple[str, int]:
    """Streamed SHA-256 and size; leaves the file at its start."""
    fh.seek(0)
    digest = hashlib.sha256()
    size = 0
    while block := fh.read(1 << 20):
        digest.update(block)
        size += len(block)
    fh.seek(0)
    return digest.hexdigest(), size


def upload_lease() -> dt.timedelta:
    """How long a 'running' upload may go without a heartbeat before another run takes it over.
    A live run beats far more often: at its claim and at every Progress write (every 50,000
    rows, a few seconds apart), so 10 minutes of silence means the worker is gone."""
    from django.conf import settings

    return dt.timedelta(seconds=getattr(settings, "UPLOAD_LEASE_SECONDS", 600))


def _claimable() -> Q:
    stale = timezone.now() - upload_lease()
    # Rows from before heartbeats existed count from their start.
    silent = Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale)
    return Q(status=Upload.Status.PENDING) | Q(silent, status=Upload.Status.RUNNING)


def upload_keep(
    model: type[U],
    *,
    file: IO[bytes] | File,
    original_name: str,
    uploaded_by: Any = None,
    scope: dict[str, Any],
    fields: dict[str, Any] | None = None,
) -> tuple[U, bool]:
    """Store the file as it came (encrypted at rest, see electorate.vault) with the SHA-256 of
    its plaintext; the same file in the same scope is the same upload (created=False).

    Sending a file again whose upload failed, or whose run died (running, heartbeat older than
    the lease), puts that upload back to 'pending': the caller enqueues a run whenever the
    returned upload is pending. `fields` are set only on a new upload."""
    sha256, size = file_sha256(file)
    existing = model.objects.filter(sha256=sha256, **scope).first()
    if existing is not None:
        return _upload_revive(model, existing), False
    name = os.path.basename(original_name) or "upload"
    upload = model(
        original_name=name[:255],
        sha256=sha256,
        size=size,
        uploaded_by=uploaded_by,
        **scope,
        **(fields or {}),
    )
    # A random blob name: the original name is kept in the row, not on disk.
    target = upload.file.field.generate_filename(upload, f"{secrets.token_hex(16)}.enc")
    stored, stored_sha256, stored_size = vault_store(
        file=file, name=target, storage=upload.file.storage
    )
    file.seek(0)
    upload.file.name = stored
    if (stored_sha256, stored_size) != (sha256, size):  # the file changed under us
        upload.file.storage.delete(stored)
        raise ValueError("upload changed while it was stored")
    try:
        with transaction.atomic():
            upload.save()
    except IntegrityError:
        # Another request stored the same file a moment ago: theirs is the upload.
        upload.file.storage.delete(stored)
        return _upload_revive(model, model.objects.get(sha256=sha256, **scope)), False
    return upload, True


def _upload_revive(model: type[U], upload: U) -> U:
    """A failed or dead upload sent again goes back to pending (a conditional UPDATE, so two
    such requests revive it once); a done, pending or live running one is left as it is."""
    model.objects.filter(
        Q(status=Upload.Status.FAILED) | _claimable() & ~Q(status=Upload.Status.PENDING),
        pk=upload.pk,
    ).update(status=Upload.Status.PENDING)
    upload.refresh_from_db()
    return upload


def upload_open(upload: Upload) -> contextlib.AbstractContextManager[IO[bytes]]:
    """The upload's plaintext as a binary file: decrypted as it is read (CSV), or into a
    private temporary file for spreadsheets, which need random access (see vault_local)."""
    name, storage = upload.file.name, upload.file.storage
    if upload.original_name.lower().endswith(SHEET_SUFFIXES):
        return vault_local(name, storage=storage)
    if not upload.original_name.lower().endswith((".csv", ".txt", ".tsv")):
        with vault_open(name, storage=storage) as fh:
            head = fh.read(4)
        if head[:2] == b"PK" or head == b"\xd0\xcf\x11\xe0":  # zip (xlsx/ods) or OLE (xls)
            return vault_local(name, storage=storage)
    return vault_open(name, storage=storage)


def upload_claim(model: type[U], pk: int) -> bool:
    """pending (or running with a heartbeat older than the lease: its worker died) -> running,
    true only for the one caller whose UPDATE changed the row."""
    now = timezone.now()
    return (
        model.objects.filter(_claimable(), pk=pk).update(
            status=Upload.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            rows_read=0,
            bytes_read=0,
            failure="",
        )
        == 1
    )


def upload_retry(model: type[U], pk: int) -> U:
    """A dead or failed run back to pending, so the next run loads it again (idempotently)."""
    model.objects.filter(pk=pk, status__in=[Upload.Status.RUNNING, Upload.Status.FAILED]).update(
        status=Upload.Status.PENDING
    )
    return model.objects.get(pk=pk)


def upload_fail(model: type[U], pk: int, *, message: str, errors: list | None = None) -> None:
    """`message` is shown to users: say what to do, never echo file content."""
    fields: dict[str, Any] = dict(
        status=Upload.Status.FAILED, failure=message[:5000], finished_at=timezone.now()
    )
    if errors is not None:
        fields["errors"] = errors
    model.objects.filter(pk=pk).update(**fields)


def upload_crash(model: type[U], pk: int, exc: BaseException) -> None:
    """An unexpected error: its text can carry file content (a COPY error quotes the row, with
    a name and an address), so users get a generic message with the upload id and the time;
    the detail goes to the server log only."""
    when = timezone.localtime()
    log.error("%s %s failed", model._meta.label, pk, exc_info=exc)
    upload_fail(
        model,
        pk,
        message=gettext(
            "Terjadi kesalahan sistem saat memproses unggahan #%(id)s (%(time)s). Data Anda "
            "tidak hilang; kirim ulang berkas yang sama untuk memprosesnya lagi, atau hubungi "
            "admin dengan menyebut nomor unggahan ini."
        )
        % {"id": pk, "time": when.strftime("%d-%m-%Y %H:%M %Z")},
    )


class ErrorLog:
    """Every bad row counted, the first ERRORS_KEPT kept: {"row", "column", "message"}."""

    def __init__(self, keep: int = ERRORS_KEPT):
        self.keep = keep
        self.count = 0
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < self.keep:
            self.items.append({"row": row, "column": column, "message": str(message)})


class Progress:
    """Rows and bytes read, written where a page can see them while the import is still inside
    its transaction: on PostgreSQL through a second, autocommit connection (SKIP LOCKED, so it
    never waits on the import's own row lock); on SQLite only between committed batches."""

    def __init__(self, model: type[Upload], pk: int, table: Table):
        self.model = model
        self.table_name = model._meta.db_table
        self.pk = pk
        self.table = table
        self.rows = 0
        self._conn = None
        self._next = PROGRESS_EVERY

    def tick(self, rows: int) -> None:
        self.rows = rows
        if rows >= self._next:
            self._next = rows + PROGRESS_EVERY
            self.write()

    def write(self) -> None:
        # Every write is also the run's heartbeat: a claim takes over only a silent run.
        now = timezone.now()
        if connection.vendor != "postgresql":
            if not connection.in_atomic_block:
                self.model.objects.filter(pk=self.pk).update(
                    rows_read=self.rows, bytes_read=self.table.bytes_read, heartbeat_at=now
                )
            return
        try:
            if self._conn is None:
                import psycopg

                params = connection.get_connection_params()
                keep = {"dbname", "user", "password", "host", "port", "sslmode", "options"}
                self._conn = psycopg.connect(
                    **{k: v for k, v in params.items() if k in keep}, autocommit=True
                )
            self._conn.execute(
                f"UPDATE {self.table_name} SET rows_read = %s, bytes_read = %s, heartbeat_at = %s "
                f"WHERE id = (SELECT id FROM {self.table_name} WHERE id = %s "
                "FOR NO KEY UPDATE SKIP LOCKED)",
                [self.rows, self.table.bytes_read, now, self.pk],
            )
        except Exception:  # progress is a nicety; never let it break an import
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


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
                    _write_sorted(copy, chunk)
            _write_sorted(copy, chunk)
            return
        block: list[str] = []
        for line in lines:
            block.append(line)
            if len(block) >= COPY_BLOCK:
                copy.write("".join(block))
                block.clear()
        if block:
            copy.write("".join(block))


def _write_sorted(copy: Any, chunk: list[str]) -> None:
    chunk.sort()
    for i in range(0, len(chunk), COPY_BLOCK):
        copy.write("".join(chunk[i : i + COPY_BLOCK]))
    chunk.clear()


# --- the voter roll ---------------------------------------------------------------------------


def kelurahan_codes() -> frozenset[str]:
    """Every kelurahan/desa code, read once per import."""
    return frozenset(
        Region.objects.filter(level=Region.Level.KELURAHAN).values_list("code", flat=True)
    )


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


def voter_rows(
    table: Table,
    cols: dict[str, int],
    known: frozenset[str],
    errors: ErrorLog,
    progress: Progress,
) -> Iterator[tuple]:
    """Good rows as (row, nik_hash, name, birth_place, birth_date ISO, sex, marital, address,
    rt, rw, kelurahan_code); bad rows go to `errors`. The hot path of an 8-million-row import."""
    i_nik, i_name, i_place, i_date, i_sex, i_mar, i_addr, i_rt, i_rw, i_kel = (
        cols[c] for c in REQUIRED
    )
    width = max(cols.values()) + 1
    today = dt.date.today()
    p_date = cached(lambda v: parse_birth_date(v, today=today).isoformat())
    p_sex = cached(parse_sex)
    p_mar = cached(parse_marital)
    p_kel = cached(partial(parse_kelurahan, known=known))
    p_rt = cached(parse_rt)
    p_rw = cached(partial(parse_rt, column="RW"))
    p_place = cached(partial(parse_text, max_length=100, column="TEMPAT_LAHIR"))
    add_error = errors.add
    tick = progress.tick
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
                address = parse_text(cells[i_addr], max_length=300, column="ALAMAT")
            column = "RT"
            rt = p_rt(cells[i_rt])
            column = "RW"
            rw = p_rw(cells[i_rw])
            column = "KODE_WILAYAH"
            kel = p_kel(cells[i_kel])
        except FieldError as exc:
            add_error(number, column, exc.message)
            continue
        yield (number, nik_hash(nik), name, place, birth, sex, marital, address, rt, rw, kel)
    progress.tick(count)


VOTER_COLUMNS = (
    "nik_hash, name, birth_place, birth_date, sex, marital_status, address, rt, rw, kelurahan_code"
)


def _copy_lines(rows: Iterator[tuple], prefix: str) -> Iterator[str]:
    esc = copy_escape
    for r in rows:
        data = "\t".join(r[2:])
        yield f"{prefix or r[0]}\t\\\\x{r[1].hex()}\t{esc(data)}\n"


def _load_postgresql_direct(roll_id: int, rows: Iterator[tuple], second: Any = None) -> int:
    """Into an empty roll, COPY straight into the voter table: no second write of every row.
    Raises UniqueViolation if the file lists a NIK twice; the caller then takes the staging way.

    With a `second` connection, the rows whose hash starts with 8-f go through it: two server
    processes store rows while this one parses, which is what a 2-core machine needs to go
    past one PostgreSQL backend's speed. Both sorted halves fill disjoint ranges of the index."""
    prefix = str(roll_id)
    with connection.cursor() as cursor:
        copy_sql = f"COPY {Voter._meta.db_table} (roll_id, {VOTER_COLUMNS}) FROM STDIN"
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

        # Lines read "<roll>\t\\x<hex>...": the first hex digit sits at a fixed offset.
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


def _second_connection() -> Any:
    """A plain psycopg connection to the same database, in a transaction of its own."""
    import psycopg

    params = connection.get_connection_params()
    keep = {"dbname", "user", "password", "host", "port", "sslmode", "options"}
    return psycopg.connect(**{k: v for k, v in params.items() if k in keep})


def _load_postgresql_staged(roll_id: int, rows: Iterator[tuple]) -> int:
    """COPY into a temporary table, then INSERT .. SELECT .. ON CONFLICT DO NOTHING: a NIK
    already in the roll, or listed twice in the file, is kept once (its first row)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE roll_staging (row_number integer, nik_hash bytea, name text, "
            "birth_place text, birth_date date, sex text, marital_status text, address text, "
            "rt text, rw text, kelurahan_code text) ON COMMIT DROP"
        )
        copy_sql = f"COPY roll_staging (row_number, {VOTER_COLUMNS}) FROM STDIN"
        copy_write(cursor.cursor, copy_sql, _copy_lines(rows, ""))
        # Sorted by hash, the unique index is filled in order.
        cursor.execute(
            f"INSERT INTO {Voter._meta.db_table} (roll_id, {VOTER_COLUMNS}) "
            f"SELECT DISTINCT ON (nik_hash) %s, {VOTER_COLUMNS} FROM roll_staging "
            "ORDER BY nik_hash, row_number "
            "ON CONFLICT (roll_id, nik_hash) DO NOTHING",
            [roll_id],
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE roll_staging")
    return inserted


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
        second = _second_connection() if parallel else None
        try:
            if second is not None:
                _second_prepare(second, job.roll_id)
            with transaction.atomic():
                count = _load_postgresql_direct(job.roll_id, rows, second)
            if second is not None:
                second.commit()
            return count, errors, progress
        except UniqueViolation:
            log.info("roll import %s: the file repeats a NIK, loading through staging", job.pk)
            progress.close()
        finally:
            if second is not None:
                second.close()
    rows, errors, progress = read()
    return _load_postgresql_staged(job.roll_id, rows), errors, progress


def _load_sqlite(roll_id: int, rows: Iterator[tuple], progress: Progress) -> int:
    sql = (
        f"INSERT OR IGNORE INTO {Voter._meta.db_table} (roll_id, {VOTER_COLUMNS}) "
        f"VALUES ({', '.join(['%s'] * 11)})"
    )
    inserted = 0
    batch: list[tuple] = []

    def flush() -> None:
        nonlocal inserted
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
            inserted += max(cursor.rowcount, 0)
        batch.clear()
        progress.write()

    for r in rows:
        batch.append((roll_id, *r[1:]))
        if len(batch) >= SQLITE_BATCH:
            flush()
    if batch:
        flush()
    return inserted


def roll_import_run(*, import_id: int) -> RollImport:
    """Load a pending import. Returns the import as it stands (unchanged if not claimable)."""
    if not upload_claim(RollImport, import_id):
        return RollImport.objects.get(pk=import_id)
    job = RollImport.objects.get(pk=import_id)
    known = kelurahan_codes()
    opened: list[Any] = []
    files = contextlib.ExitStack()

    def read() -> tuple[Iterator[tuple], ErrorLog, Progress]:
        fh = files.enter_context(upload_open(job))
        table = table_open(fh, name=job.original_name, size=job.size)
        cols = columns_match(table.header, REQUIRED)
        errors, progress = ErrorLog(), Progress(RollImport, job.pk, table)
        opened.append(progress)
        return voter_rows(table, cols, known, errors, progress), errors, progress

    try:
        if connection.vendor == "postgresql":
            parallel = parallel_copy_enabled() and not connection.in_atomic_block
            with transaction.atomic():
                inserted, errors, progress = _load_postgresql(job, read, parallel=parallel)
                _finish(job, progress, errors, inserted)
        else:
            rows, errors, progress = read()
            inserted = _load_sqlite(job.roll_id, rows, progress)
            _finish(job, progress, errors, inserted)
    except FileFormatError as exc:
        upload_fail(RollImport, job.pk, message=str(exc), errors=[_whole_file_error(exc)])
    except Exception as exc:
        upload_crash(RollImport, job.pk, exc)
        raise
    finally:
        for thing in opened:
            thing.close()
        files.close()
    job.refresh_from_db()
    return job


def _whole_file_error(exc: Exception) -> dict[str, Any]:
    return {"row": 1, "column": "", "message": str(exc)}


def _finish(job: Upload, progress: Progress, errors: ErrorLog, accepted: int) -> None:
    type(job).objects.filter(pk=job.pk).update(
        status=Upload.Status.DONE,
        rows_read=progress.rows,
        bytes_read=job.size,
        accepted=accepted,
        rejected=errors.count,
        errors=errors.items,
        finished_at=timezone.now(),
    )
