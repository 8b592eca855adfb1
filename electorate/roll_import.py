"""Voter-roll (DPT/DP4) import: stream a kept file (files.uploads) into electorate.Voter.

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
jobs.runner) simply loads the file again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils.translation import gettext

from audit.trail import audit_record
from electorate.areas import KABKOTA, PROVINCE, code_ancestor
from electorate.models import Region, RollImport, VoterRoll
from electorate.partitions import partition_name, voter_partitioned
from electorate.regions import kelurahan_codes
from electorate.roll_load import load_postgresql, load_sqlite
from files.parsing import (
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
from files.pgcopy import statistics_refresh
from files.uploads import ErrorLog, Progress, upload_done, upload_keep, upload_open
from jobs.runner import Run, job_run
from keys import keyring
from keys.nik import BIRTH_HASH_PREFIX, MARRIED, eligible_birth_cutoff

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
    """A dead or failed run back to pending, so the next run loads it again (idempotently)."""
    RollImport.requeue(import_id)
    return RollImport.objects.get(pk=import_id)


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
        province, kabkota = code_ancestor(code, PROVINCE), code_ancestor(code, KABKOTA)
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
    # A failed row is read again, every cell (files.parsing.row_errors), so that the KPU
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


def roll_import_run(*, import_id: int) -> RollImport:
    """Load a pending import as a leased job (jobs.runner). Returns the import as it stands
    (unchanged if not claimable)."""
    ran: list[bool] = []
    job = job_run(RollImport, import_id, partial(_roll_load, ran=ran), related=("roll__region",))
    if not ran:
        return job
    if job.status == RollImport.Status.DONE and voter_partitioned():
        statistics_refresh(partition_name(job.roll_id))  # this roll's voters only
    audit_record(
        "roll.import_finished",
        area=job.roll.region_id,
        target=job,
        data={"status": job.status, "accepted": job.accepted, "rejected": job.rejected},
    )
    return job


def _roll_load(run: Run[RollImport], *, ran: list[bool]) -> None:
    """The load step: the good rows into the roll (see the module docstring), then the end."""
    ran.append(True)
    job = run.job
    known = kelurahan_codes()
    kelurahan = kelurahan_in_region(known=known, region=job.roll.region, places=places_named())
    with contextlib.ExitStack() as files:

        def read() -> tuple[Iterator[tuple], ErrorLog, Progress]:
            fh = files.enter_context(upload_open(job))
            errors = ErrorLog()
            table = table_open(fh, name=job.original_name, size=job.size, row_error=errors.add)
            progress = Progress(run, table)
            rows = voter_rows(
                table, columns_match(table.header, REQUIRED), known, errors, progress,
                kelurahan=kelurahan, voting_day=job.roll.voting_day,
            )  # fmt: skip
            return rows, errors, progress

        if connection.vendor == "postgresql":
            parallel = parallel_copy_enabled() and not connection.in_atomic_block
            with transaction.atomic():
                keyring.hasher(lock=True)  # the hash keys stay as they are until this commits
                inserted, errors, progress = load_postgresql(job, read, parallel=parallel)
                _finish(run, progress, errors, inserted)
        else:
            keyring.hasher(fresh=True)  # SQLite: one writer at a time, a rotation included
            rows, errors, progress = read()
            inserted = load_sqlite(job.roll_id, job.pk, rows, progress, errors)
            _finish(run, progress, errors, inserted)


def _finish(run: Run[RollImport], progress: Progress, errors: ErrorLog, accepted: int) -> None:
    if progress.rows == 0:
        raise FileFormatError(
            gettext(
                "Berkas hanya berisi baris judul (baris 1), tanpa baris data: tidak ada pemilih "
                "yang diimpor. Isi data pemilih mulai baris 2, lalu unggah ulang."
            )
        )
    upload_done(run, progress, errors, accepted)
