"""Confirmation with the civil registry (Dukcapil) of the NIKs not found on the roll
(DOMAIN.md step 3, Election.registry_confirmation).

While the election asks for it, a supporter not on the roll is NOT_IN_ROLL with outcome BMS:
pending the registry's answer. The KPU sends the pending NIKs (`registry_export`), the registry
answers per NIK (`registry_import`), and the next run of the pair settles them in the same SQL
as the roll (verification/engine/reasons.py: Registry):
- found, alive, domicile inside the region: no longer NOT_IN_ROLL; placed in the domicile's
  kelurahan, its age from the registry's birth date, a birth date that differs from the form's
  is DATA_MISMATCH; the other checks stand (duplicates, occupation, NIK);
- found, alive, domicile outside the region: OUTSIDE_REGION (TMS);
- found, deceased: REGISTRY_DECEASED (TMS);
- not found: REGISTRY_NOT_FOUND beside NOT_IN_ROLL (TMS).

The files (documented in docs/dukcapil.md):

Request, written by `registry_export` (CSV, UTF-8, comma, header row, one row per NIK):
    NO, NIK, NAMA, TEMPAT_LAHIR, TANGGAL_LAHIR (DD-MM-YYYY), JENIS_KELAMIN (L/P),
    KODE_WILAYAH (the kelurahan typed on the form, dotted Kemendagri code)
Each NIK once, however many pairs or rows list it (the first listing's data). It holds NIKs in
the clear, for the registry: the command writes it where it is told, and the audit trail keeps
who wrote how many rows with the file's SHA-256, never a NIK.

Answer, read by `registry_import` (CSV or XLSX, header row, any column order; the usual header
spellings accepted):
    NIK        16 digits
    DITEMUKAN  Y or N (also YA/TIDAK, 1/0; header FOUND accepted): on the registry or not
    HIDUP      Y or N: alive (required when found)
    KODE_WILAYAH  the kelurahan of domicile (10 digits or dotted; required when found alive)
    TANGGAL_LAHIR the birth date on the registry (optional; DD-MM-YYYY)
A bad row is refused with its row, column and fix, the good rows are kept; a NIK twice in one
file is refused at its second row. Stored by the NIK's keyed hash (RegistryAnswer), never the
NIK; a later answer for the same NIK replaces the earlier one.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

from django.core.files import File
from django.db import connection, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.models import Election, Pair, Supporter
from electorate.regions import kelurahan_codes
from files.parsing import (
    COLUMNS,
    FieldError,
    columns_match,
    parse_birth_date,
    parse_kelurahan,
    parse_nik,
    shown,
    table_open,
)
from files.uploads import ErrorLog, upload_keep, upload_open
from jobs.runner import Run, job_run
from keys import keyring
from keys.nik import (
    birth_decrypt,
    birth_hash_text,
    birth_minor,
    supporter_birth_context,
    supporter_context,
)
from verification.models import RegistryAnswer, RegistryImport, VerificationResult
from verification.rules import Reason

REQUEST_COLUMNS = (
    "NO",
    "NIK",
    "NAMA",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
    "KODE_WILAYAH",
)
ANSWER_REQUIRED = ("NIK", "DITEMUKAN")
ANSWER_OPTIONAL = ("HIDUP", "KODE_WILAYAH", "TANGGAL_LAHIR")
ANSWER_ALIASES = {
    "NIK": COLUMNS["NIK"],
    "DITEMUKAN": ("DITEMUKAN", "FOUND", "ADA", "TERDAFTAR", "STATUS DITEMUKAN"),
    "HIDUP": ("HIDUP", "ALIVE", "STATUS HIDUP", "MASIH HIDUP"),
    "KODE_WILAYAH": (*COLUMNS["KODE_WILAYAH"], "KODE DOMISILI", "DOMISILI"),
    "TANGGAL_LAHIR": COLUMNS["TANGGAL_LAHIR"],
}
YES = {"Y", "YA", "1", "TRUE", "BENAR"}
NO = {"N", "T", "TIDAK", "0", "FALSE", "SALAH"}
BATCH = 5_000
# A cell the request writes that a spreadsheet would read as a formula is written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

RESULT = VerificationResult._meta.db_table
SUPPORTER = Supporter._meta.db_table
ANSWER = RegistryAnswer._meta.db_table


# --- the request ------------------------------------------------------------------------------


def _pending_sql(pair_id: int | None) -> str:
    """The NIKs still waiting for the registry: a current (not superseded) result of the
    election's pairs (or one pair's) that is NOT_IN_ROLL and BMS, with no answer on file;
    each NIK once, at its first listing."""
    only_pair = "AND r.pair_id = %(pair)s" if pair_id is not None else ""
    return f"""
        SELECT s.upload_id, s.row_number, s.nik_cipher, s.name, s.birth_place, s.birth_cipher,
               s.sex, s.kelurahan_id
        FROM {SUPPORTER} s
        JOIN (
            SELECT MIN(r.supporter_id) AS id FROM {RESULT} r
            JOIN {SUPPORTER} e ON e.id = r.supporter_id
            WHERE r.pair_id IN (SELECT id FROM {Pair._meta.db_table} WHERE election_id =
                                %(election)s) {only_pair}
              AND (r.reasons & %(bit)s) <> 0 AND r.outcome = 'BMS' AND r.superseded = %(no)s
              AND NOT EXISTS (
                  SELECT 1 FROM {ANSWER} a
                  WHERE a.election_id = %(election)s AND a.nik_hash = e.nik_hash
              )
            GROUP BY e.nik_hash
        ) p ON p.id = s.id
        ORDER BY s.id
    """


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass
class Exported:
    rows: int = 0
    sha256: str = ""
    pairs: list[int] = field(default_factory=list)


def registry_export(
    *, election: Election, out: IO[str], pair: Pair | None = None, by: Any = None
) -> Exported:
    """Write the request for the registry (the pending NIKs, decrypted) to `out`, streamed in
    one query; audit who wrote how many rows, with the SHA-256 of what was written."""
    params = {
        "election": election.pk,
        "pair": pair.pk if pair else None,
        "bit": int(Reason.NOT_IN_ROLL),
        "no": False,
    }
    digest = hashlib.sha256()
    done = Exported(pairs=[pair.pk] if pair else [])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def emit(row: list) -> None:
        writer.writerow(row)
        text = buffer.getvalue()
        out.write(text)
        digest.update(text.encode())
        buffer.seek(0)
        buffer.truncate()

    emit(list(REQUEST_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(_pending_sql(params["pair"]), params)
        while rows := cursor.fetchmany(BATCH):
            for upload_id, row_number, cipher, name, place, birth, sex, kelurahan in rows:
                context = supporter_context(upload_id, row_number)
                nik = keyring.decrypt(bytes(cipher), context=context).decode()
                done.rows += 1
                # The one place a supporter's birth date goes back out: to the registry.
                birth = birth_decrypt(
                    bytes(birth), context=supporter_birth_context(upload_id, row_number)
                )
                emit(
                    [done.rows, nik, _cell(name), _cell(place),
                     date_format(birth, "SHORT_DATE_FORMAT"), sex, kelurahan]
                )  # fmt: skip
    done.sha256 = digest.hexdigest()
    audit_record(
        "registry.exported",
        actor=by,
        area=election.region_id,
        target=election,
        data={"rows": done.rows, "pair": pair.pk if pair else None, "sha256": done.sha256},
    )
    return done


# --- the answer -------------------------------------------------------------------------------


def parse_yes_no(value: Any, *, column: str) -> bool:
    text = str(value if value is not None else "").strip().upper()
    if text in YES:
        return True
    if text in NO:
        return False
    raise FieldError(
        _("%(column)s '%(value)s' tidak dikenal: isi Y (ya) atau N (tidak).")
        % {"column": column, "value": shown(value, 20)}
    )


@dataclass
class Imported:
    job: RegistryImport
    found: int = 0
    not_found: int = 0
    deceased: int = 0
    outside: int = 0


def _answers(
    table, cols: dict[str, int], errors: ErrorLog, election: Election, imported: Imported
) -> Iterator[tuple]:
    """(row, nik, found, alive, kelurahan, birth) for each good row; bad rows to `errors`,
    every bad cell of a row at once."""
    known = kelurahan_codes()
    prefix = election.region_id + "."
    seen: dict[str, int] = {}
    width = max(cols.values()) + 1
    for number, cells in table.rows():
        cells = cells + [""] * (width - len(cells))

        def cell(name: str, cells: list = cells) -> Any:
            return cells[cols[name]] if name in cols else ""

        problems: list[tuple[str, str]] = []
        nik = found = None
        try:
            nik = parse_nik(cell("NIK"))
        except FieldError as exc:
            problems.append(("NIK", exc.message))
        try:
            found = parse_yes_no(cell("DITEMUKAN"), column="DITEMUKAN")
        except FieldError as exc:
            problems.append(("DITEMUKAN", exc.message))
        alive, kelurahan, birth = None, "", None
        if found:
            more, alive, kelurahan, birth = _found_cells(cell, known)
            problems += more
        if nik is not None and nik in seen:
            problems.append(
                ("NIK", _("NIK ini sudah dijawab di baris %(row)s: hapus salah satu baris.")
                 % {"row": seen[nik]})
            )  # fmt: skip
        if problems or nik is None:
            errors.add_row(number, problems)
            continue
        seen[nik] = number
        if not found:
            imported.not_found += 1
        elif not alive:
            imported.deceased += 1
        else:
            imported.found += 1
            imported.outside += not kelurahan.startswith(prefix)
        yield number, nik, found, alive, kelurahan, birth


def _found_cells(cell, known) -> tuple[list[tuple[str, str]], bool | None, str, dt.date | None]:
    """A found NIK's row: HIDUP (required), the domicile's kelurahan (required if alive), the
    registry's birth date (optional). Returns (problems, alive, kelurahan, birth)."""
    problems: list[tuple[str, str]] = []
    alive, kelurahan, birth = None, "", None
    try:
        alive = parse_yes_no(cell("HIDUP"), column="HIDUP")
    except FieldError as exc:
        problems.append(("HIDUP", exc.message))
    if alive:
        try:
            kelurahan = parse_kelurahan(cell("KODE_WILAYAH"), known)
        except FieldError as exc:
            problems.append(("KODE_WILAYAH", exc.message))
    if str(cell("TANGGAL_LAHIR") or "").strip():
        try:
            birth = parse_birth_date(cell("TANGGAL_LAHIR"))
        except FieldError as exc:
            problems.append(("TANGGAL_LAHIR", exc.message))
    return problems, alive, kelurahan, birth


def registry_import(
    *, election: Election, file: IO[bytes] | File, original_name: str, by: Any = None
) -> Imported:
    """Keep the registry's answer file, then read it in this process: each good row an answer
    stored by the NIK's hash (replacing an earlier answer for it), each bad row an error with
    its row, column and fix. The same file again is the same import (nothing read twice).
    Applied by the next run of each pair."""
    job, _created = upload_keep(
        RegistryImport,
        file=file,
        original_name=original_name,
        uploaded_by=by,
        scope={"election": election},
    )
    imported = Imported(job=job)
    if job.status == RegistryImport.Status.DONE:
        return imported
    load = partial(_answers_load, election=election, imported=imported, by=by)
    imported.job = job_run(RegistryImport, job.pk, load)
    return imported


def _answers_load(run: Run[RegistryImport], *, election: Election, imported: Imported, by) -> None:
    """The load step (jobs.runner): every good row an answer, the import's end and its audit
    event in one transaction."""
    job = run.job
    errors = ErrorLog()
    accepted = 0
    with upload_open(job) as fh, transaction.atomic():
        table = table_open(fh, name=job.original_name, size=job.size, row_error=errors.add)
        cols = columns_match(
            table.header, ANSWER_REQUIRED, optional=ANSWER_OPTIONAL, aliases=ANSWER_ALIASES
        )
        hasher = keyring.hasher(lock=True)  # the chain stays as it is until this commits
        batch: list[RegistryAnswer] = []
        for number, nik, found, alive, kelurahan, birth in _answers(
            table, cols, errors, election, imported
        ):
            # The birth date as the supporter's is kept: never in the clear (keys.nik).
            batch.append(
                RegistryAnswer(
                    election=election, nik_hash=hasher.hash(nik), found=found, alive=alive,
                    kelurahan_code=kelurahan, source=job, row_number=number,
                    birth_hash=None if birth is None else hasher.hash(
                        birth_hash_text(nik, birth)),
                    minor=birth_minor(birth, voting_day=election.voting_day),
                )
            )  # fmt: skip
            if len(batch) >= BATCH:
                accepted += _store(batch)
        accepted += _store(batch)
        run.done(
            rows_read=accepted + errors.count,
            accepted=accepted,
            rejected=errors.count,
            errors=errors.items,
        )
        audit_record(
            "registry.imported",
            actor=by,
            area=election.region_id,
            target=job,
            data={"file": job.original_name, "sha256": job.sha256, "accepted": accepted,
                  "rejected": errors.count, "found": imported.found,
                  "not_found": imported.not_found, "deceased": imported.deceased},
        )  # fmt: skip


def _store(batch: list[RegistryAnswer]) -> int:
    """Upsert on (election, NIK hash): a later answer replaces the earlier one."""
    if not batch:
        return 0
    RegistryAnswer.objects.bulk_create(
        batch,
        update_conflicts=True,
        unique_fields=["election", "nik_hash"],
        update_fields=[
            "found",
            "alive",
            "kelurahan_code",
            "birth_hash",
            "minor",
            "source",
            "row_number",
        ],  # fmt: skip
    )
    n = len(batch)
    batch.clear()
    return n


def registry_pending(*, election: Election, pair: Pair | None = None) -> int:
    """How many NIKs are waiting for the registry (what registry_export would write)."""
    params = {"election": election.pk, "pair": pair.pk if pair else None,
              "bit": int(Reason.NOT_IN_ROLL), "no": False}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({_pending_sql(params['pair'])}) q", params)
        return cursor.fetchone()[0]
