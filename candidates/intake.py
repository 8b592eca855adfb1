"""Support-list intake: load the good rows of a kept file (files.uploads) as Supporters.

Entry point for callers: candidates.services.support_upload_submit (keep the file, enqueue the
task on commit). This module is the work the task does.

The same file twice for a pair is one upload. A run claims its upload with a conditional UPDATE
(pending -> running). Loading replaces the upload's own supporters inside one transaction
(replace-by-scope), so a rerun never doubles anything. COPY on PostgreSQL, batched INSERT on
SQLite. After a successful load `support_upload_done` is sent so that later apps (verification)
can refresh what depends on every pair's list.

Only values that are not a 16-digit NIK at all (Excel's 3.17101E+15, 15 digits, a number cell)
are refused here. A 16-digit NIK whose encoded birth date or region is impossible is kept, with
that noted in nik_checks: the verification engine marks it NIK_INVALID, where the team can see it.

A run that dies is taken over once its heartbeat is older than the lease, or put back to pending
by sending the same file again or by `support_upload_retry` (see jobs.runner).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import IO, Any

from django.core.files import File
from django.db import connection, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.models import Pair, Round, Supporter, SupportUpload
from candidates.precheck import Precheck
from candidates.signals import support_upload_done
from candidates.standing import pair_undecided_check
from electorate.models import Region
from electorate.regions import kelurahan_codes
from files.parsing import (
    FieldError,
    FileFormatError,
    Table,
    cached,
    columns_match,
    parse_name,
    parse_nik,
    parse_text,
    person_parsers,
    row_errors,
    table_open,
)
from files.pgcopy import copy_escape, copy_write, fk_triggers_skip, statistics_refresh
from files.uploads import ErrorLog, Progress, upload_done, upload_keep, upload_open
from jobs.runner import Run, job_run
from keys import keyring
from keys.nik import (
    MARRIED,
    birth_hash_text,
    eligible_birth_cutoff,
    nik_checks,
    nik_mask,
    nik_prefixes_known,
    supporter_birth_context,
    supporter_context,
)

log = logging.getLogger(__name__)

REQUIRED = (
    "NIK",
    "NAMA",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
    "ALAMAT",
    "RT",
    "RW",
    "KODE_WILAYAH",
    "PEKERJAAN",
    "STATUS_PERKAWINAN",
    "HALAMAN",
)
SQLITE_BATCH = 5_000
# Refreshed right after a load (files.pgcopy.statistics_refresh): the columns the
# verification and the pages filter, join and group the list by.
STATISTICS_COLUMNS = (
    "id", "pair_id", "round", "upload_id", "row_number", "nik_hash", "kelurahan_id", "occupation",
)  # fmt: skip


def no_data_message() -> str:
    """A file with a header and no row under it: a failure, not a success with 0 rows."""
    return _(
        "Berkas hanya berisi baris judul (baris 1), tanpa baris data: tidak ada pendukung yang "
        "disimpan. Isi data pendukung mulai baris 2, lalu unggah ulang."
    )


# Column order shared by the row tuples, COPY and INSERT.
FIELDS = (
    "row_number",
    "nik_hash",
    "nik_cipher",
    "nik_masked",
    "nik_group",
    "nik_serial",
    "nik_checks",
    "birth_hash",
    "birth_cipher",
    "minor",
    "name",
    "birth_place",
    "sex",
    "address",
    "rt",
    "rw",
    "kelurahan_id",
    "occupation",
    "marital_status",
    "sheet_page",
)


def support_upload_create(
    *,
    pair: Pair,
    round: int = Round.INITIAL,
    file: IO[bytes] | File,
    original_name: str,
    uploaded_by: Any = None,
) -> tuple[SupportUpload, bool]:
    """Keep the file as uploaded. The same file (SHA-256) for the same pair is the same upload,
    whatever round it is sent for: created=False and nothing changes. Refused once the pair
    is decided (every path: the page, the API, the command)."""
    pair_undecided_check(pair)
    return upload_keep(
        SupportUpload,
        file=file,
        original_name=original_name,
        uploaded_by=uploaded_by,
        scope={"pair": pair},
        fields={"round": round},
    )


def support_upload_retry(*, upload_id: int) -> SupportUpload:
    """A dead or failed run back to pending, so the next run loads it again (idempotently)."""
    SupportUpload.requeue(upload_id)
    return SupportUpload.objects.get(pk=upload_id)


def header_labels(header: list[Any], cols: dict[str, int]) -> dict[str, str]:
    """Each column as the team's file heads it ("Tgl Lahir", not TANGGAL_LAHIR): errors and
    warnings name what the team sees in its own file."""
    labels = {}
    for column, index in cols.items():
        text = " ".join(str(header[index]).lstrip("\ufeff").split()) if index < len(header) else ""
        labels[column] = text[:40] or column
    return labels


def template_row(cells: list[Any], keep: int) -> bool:
    """A row of the per-kelurahan template (candidates.template) left unfilled: every cell
    blank but its prefilled KODE_WILAYAH. Not a supporter and not an error: passed over."""
    return all(i == keep or c is None or not str(c).strip() for i, c in enumerate(cells))


def supporter_rows(  # noqa: PLR0915 (unrolled on purpose: see the docstring)
    table: Table,
    cols: dict[str, int],
    known: frozenset[str],
    errors: ErrorLog,
    progress: Progress,
    prefixes: frozenset[str],
    upload_id: int,
    voting_day: dt.date,
    precheck: Precheck,
) -> Iterator[tuple]:
    """Good rows as tuples in FIELDS order; a bad row goes to `errors` with every bad cell of
    it (column and the fix). Each NIK's ciphertext is bound to its upload and row. The birth
    date is kept only as its keyed hash with the NIK, a ciphertext bound to the row, and
    whether it is under 17 on `voting_day` and not married (keys.nik, "the birth date").

    Errors name the team's own headers (`precheck.columns`). Each good row is also seen by the
    pre-check (candidates.precheck: duplicates, region, the NIK's digits, age); the rows whose
    date reads month-first are held back until the whole file is read, and become one message
    with the fix if the file is month-first (precheck.DateOrder), their own messages otherwise.

    Unrolled by hand, like electorate.roll_import.voter_rows: a generic loop over (column,
    parser) pairs measured about 1 us more per row (some 10 s on the 8M-row roll there, close
    to a second on an 840k-row list here). Change both together."""
    i_nik, i_name, i_place, i_date, i_sex, i_addr, i_rt, i_rw, i_kel, i_job, i_mar, i_page = (
        cols[c] for c in REQUIRED
    )
    width = max(cols.values()) + 1
    today = dt.date.today()
    labels = precheck.columns
    parsers = {
        **person_parsers(known=known, today=today),
        "PEKERJAAN": cached(partial(parse_text, max_length=100, column=labels["PEKERJAAN"])),
        "HALAMAN": cached(partial(parse_text, max_length=20, column=labels["HALAMAN"])),
    }
    p_date, p_sex, p_mar, p_kel, p_rt, p_rw, p_place, p_job, p_page, p_addr = (
        parsers[c]
        for c in ("TANGGAL_LAHIR", "JENIS_KELAMIN", "STATUS_PERKAWINAN", "KODE_WILAYAH", "RT", "RW",
                  "TEMPAT_LAHIR", "PEKERJAAN", "HALAMAN", "ALAMAT")
    )  # fmt: skip
    # A failed row is read again, every cell (files.parsing.row_errors): the team fixes
    # all of a row's mistakes at once. Same parsers, column order as the form.
    checks = tuple((labels[c], cols[c], parsers[c]) for c in REQUIRED)
    add_row = errors.add_row
    see_date, check_row = precheck.dates.see, precheck.row
    held: list[tuple[int, list[tuple[str, str]]]] = []  # month-first-looking failed rows
    hasher = keyring.hasher()  # the chain the caller's transaction holds (see keyring.hasher)
    hash_nik, group_and_serial, seal = hasher.hash, hasher.group_and_serial, keyring.encryptor()
    cutoff = eligible_birth_cutoff(voting_day).isoformat()  # ISO dates compare as text
    tick = progress.tick
    count = 0
    for number, cells in table.rows():
        count += 1
        if count & 1023 == 0:
            tick(count)
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        order = see_date(cells[i_date])
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
            column = "PEKERJAAN"
            job = p_job(cells[i_job])
            column = "STATUS_PERKAWINAN"
            marital = p_mar(cells[i_mar])
            column = "HALAMAN"
            page = p_page(cells[i_page])
        except FieldError as exc:
            if column == "NIK" and template_row(cells, i_kel):
                continue  # a template row left unfilled: nothing but its kelurahan code
            found = row_errors(cells, checks) or [(labels[column], exc.message)]
            if order == 2:  # 10/22/1981: told once at the end if the whole file reads so
                held.append((number, found))
            else:
                add_row(number, found)
            continue
        nik_bits = nik_checks(
            nik, birth_date=dt.date.fromisoformat(birth), sex=sex, prefixes=prefixes
        )
        group, serial = group_and_serial(nik)
        nik_hashed = hash_nik(nik)
        check_row(number, nik, nik_hashed, nik_bits, birth, kel, marital)
        yield (
            number,
            nik_hashed,
            seal(nik.encode(), supporter_context(upload_id, number)),
            nik_mask(nik),
            group,
            serial,
            nik_bits,
            hash_nik(birth_hash_text(nik, birth)),
            seal(birth.encode(), supporter_birth_context(upload_id, number)),
            birth > cutoff and marital not in MARRIED,  # keys.nik.birth_minor
            name,
            place,
            sex,
            address,
            rt,
            rw,
            kel,
            job,
            marital,
            page,
        )
    _held_rows(held, errors, precheck)
    progress.tick(count)


def _held_rows(held: list[tuple[int, list]], errors: ErrorLog, precheck: Precheck) -> None:
    """The failed rows whose date read month-first: in a month-first file, their date errors
    become one message with the fix (first in the list) and their other cells' errors stay;
    otherwise each keeps its own messages. Every such row counts as rejected either way."""
    if not held:
        return
    if precheck.dates.month_first:
        column = precheck.columns["TANGGAL_LAHIR"]
        rows = [number for number, _found in held]
        for number, found in held:
            errors.add_row(number, [(c, m) for c, m in found if c != column])
        notice = precheck.month_first(column, rows, len(rows))
        item = {"row": rows[0], "column": column, "message": notice["message"]}
        errors.items[:] = [item, *sorted(errors.items, key=lambda e: e["row"])][: errors.keep]
        return
    for number, found in held:
        errors.add_row(number, found)
    errors.items.sort(key=lambda e: e["row"])


def _load_postgresql(upload: SupportUpload, rows: Iterator[tuple]) -> int:
    prefix = f"{upload.pk}\t{upload.pair_id}\t{upload.round}\t"
    count = 0

    def lines() -> Iterator[str]:
        nonlocal count
        esc = copy_escape
        for r in rows:
            count += 1
            text = "\t".join(r[10:])
            yield (
                f"{prefix}{r[0]}\t\\\\x{r[1].hex()}\t\\\\x{r[2].hex()}\t{r[3]}\t"
                f"\\\\x{r[4].hex()}\t{r[5]}\t{r[6]}\t\\\\x{r[7].hex()}\t\\\\x{r[8].hex()}\t"
                f"{'t' if r[9] else 'f'}\t{esc(text)}\n"
            )

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        fk_triggers_skip(
            cursor,
            parents=[
                (SupportUpload._meta.db_table, upload.pk),
                (Pair._meta.db_table, upload.pair_id),
            ],
            tables=(Region._meta.db_table,),
        )
        columns = ", ".join(("upload_id", "pair_id", "round", *FIELDS))
        copy_write(
            cursor.cursor, f"COPY {Supporter._meta.db_table} ({columns}) FROM STDIN", lines()
        )
    return count


def _load_sqlite(upload: SupportUpload, rows: Iterator[tuple]) -> int:
    columns = ", ".join(("upload_id", "pair_id", "round", *FIELDS))
    sql = (
        f"INSERT INTO {Supporter._meta.db_table} ({columns}) "
        f"VALUES ({', '.join(['%s'] * (len(FIELDS) + 3))})"
    )
    head = (upload.pk, upload.pair_id, upload.round)
    count = 0
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for r in rows:
            batch.append(head + r)
            if len(batch) >= SQLITE_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _runs_serialize(upload: SupportUpload) -> None:
    """Two runs of one upload (a takeover of a run that was only slow) load one after the
    other: the second waits here until the first commits, then its DELETE sees and replaces the
    first's rows instead of doubling them. An advisory lock, not a row lock: Progress must still
    be able to write the heartbeat on the upload row meanwhile."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
                [SupportUpload._meta.db_table, upload.pk],
            )


Loader = Callable[[SupportUpload, Iterator[tuple]], int]


def support_upload_run(*, upload_id: int, load: Loader | None = None) -> SupportUpload:
    """Load a pending upload (replacing whatever an earlier run of it left) as a leased job
    (jobs.runner). Returns the upload as it stands; unchanged if another run holds it or it is
    already done.

    `load` writes the good rows and returns how many (by default COPY on PostgreSQL, batched
    INSERT on SQLite); tests pass one that fails on purpose to show what a crash leaves."""
    timing: list[float] = []
    upload = job_run(
        SupportUpload,
        upload_id,
        partial(_support_load, load=load, timing=timing),
        related=("pair__election",),
    )
    if not timing:  # not claimed: another run holds it, or it is finished
        return upload
    if upload.status == SupportUpload.Status.DONE:
        statistics_refresh(Supporter._meta.db_table, STATISTICS_COLUMNS)
    audit_record(
        "upload.loaded",
        area=upload.pair.election.region_id,
        target=upload,
        data={"status": upload.status, "accepted": upload.accepted, "rejected": upload.rejected},
    )
    if upload.status == SupportUpload.Status.DONE:
        log.info(
            "unggahan dukungan #%s: %s baris dimuat dalam %s detik",
            upload.pk,
            # 16.808 and 2,5: log lines read like the pages (the demo prints them).
            number_format(upload.accepted, force_grouping=True),
            number_format(timing[-1], 1),
        )
        support_upload_done.send(sender=SupportUpload, upload=upload)
    return upload


def _support_load(run: Run[SupportUpload], *, load: Loader | None, timing: list[float]) -> None:
    """The load step: the good rows replace the upload's own supporters, in one transaction
    with the upload's end."""
    upload = run.job
    timing.append(0.0)
    errors = ErrorLog()
    with upload_open(upload) as fh:
        table = table_open(fh, name=upload.original_name, size=upload.size, row_error=errors.add)
        cols = columns_match(table.header, REQUIRED)
        progress = Progress(run, table, errors)
        # Read before the COPY starts: its connection can run nothing else until it ends.
        prefixes = nik_prefixes_known(
            extra=Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", flat=True)
        )
        voting_day = upload.pair.election.voting_day
        precheck = Precheck(
            region=upload.pair.election.region_id,
            voting_day=voting_day,
            columns=header_labels(table.header, cols),
            nik_index=cols["NIK"],
        )
        rows = supporter_rows(
            table, cols, kelurahan_codes(), errors, progress, prefixes, upload.pk, voting_day,
            precheck,
        )  # fmt: skip
        if load is None:
            load = _load_postgresql if connection.vendor == "postgresql" else _load_sqlite
        with transaction.atomic():
            _runs_serialize(upload)
            keyring.hasher(lock=True)  # the hash keys stay as they are until this commits
            Supporter.objects.filter(upload_id=upload.pk).delete()
            started = time.perf_counter()
            accepted = load(upload, rows)
            timing.append(time.perf_counter() - started)
            if progress.rows == 0:  # rolls back the DELETE above too: nothing changes
                raise FileFormatError(no_data_message())
            precheck.earlier(upload)  # the same hash keys: still inside the transaction
            upload_done(
                run, progress, errors, accepted,
                precheck=precheck.report(), precheck_flags=precheck.flag_rows(),
            )  # fmt: skip
