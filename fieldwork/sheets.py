"""Bulk entry from a PPS's paper sheet typed into CSV or XLSX (many PPS work on paper and enter
later): one row per supporter met, with the columns of fieldwork.sheets.COLUMNS.

The file is kept as it came (files.uploads: the same file twice is one sheet, read once),
then each row goes through the same checks as the phone form (fieldwork.records). A bad row
gets its row, column and the fix in Indonesian and the good rows are kept; a row that repeats
what is already recorded changes nothing, so a later sheet may repeat earlier rows and add a
supporter's bring-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from typing import IO, Any

from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from candidates.models import Pair
from fieldwork.models import Record, Sheet, Stage, Task
from fieldwork.records import Entry, record_entry
from files.parsing import COLUMNS as SUPPORT_COLUMNS
from files.parsing import (
    FieldError,
    columns_match,
    parse_date,
    parse_nik,
    shown,
    table_open,
)
from files.uploads import ErrorLog, Progress, upload_done, upload_keep, upload_open
from jobs.runner import Run, job_run
from keys import keyring
from keys.nik import nik_hash
from staff.access import code_within, user_area

REQUIRED = ("NIK", "HASIL", "METODE", "TANGGAL")
OPTIONAL = ("PASLON_PILIHAN", "TANGGAL_MENINGGAL")
COLUMNS: dict[str, tuple[str, ...]] = {
    "NIK": SUPPORT_COLUMNS["NIK"],
    "HASIL": ("HASIL", "HASIL VERIFIKASI", "HASIL VERFAK", "KETERANGAN HASIL"),
    "METODE": ("METODE", "METODE VERIFIKASI", "CARA", "CARA VERIFIKASI"),
    "TANGGAL": ("TANGGAL", "TGL", "TANGGAL VERIFIKASI", "TGL VERIFIKASI"),
    "PASLON_PILIHAN": ("PASLON PILIHAN", "PASANGAN PILIHAN", "PILIHAN PASLON", "ID PASLON"),
    "TANGGAL_MENINGGAL": ("TANGGAL MENINGGAL", "TGL MENINGGAL", "TANGGAL WAFAT"),
}
BATCH = 500
NOT_IN_WORKLIST = _lazy(
    "NIK ini tidak ada dalam daftar verifikasi faktual yang sedang berlangsung untuk pasangan "
    "ini di wilayah Anda. Periksa NIK dari KTP-el atau daftar kerja PPS."
)


def sheet_keep(
    *, pair: Pair, file: IO[bytes] | File, original_name: str, uploaded_by=None
) -> tuple[Sheet, bool]:
    return upload_keep(
        Sheet, file=file, original_name=original_name, uploaded_by=uploaded_by, scope={"pair": pair}
    )


def sheet_run(*, sheet_id: int, today: dt.date | None = None) -> Sheet:
    """Apply a pending sheet as a leased job (jobs.runner), as the user who uploaded it (a PPS
    only inside its kelurahan). Returns the sheet as it stands; unchanged if another run holds
    it or it is done."""
    load = partial(_sheet_load, today=today or timezone.localdate())
    return job_run(Sheet, sheet_id, load, related=("pair__election", "uploaded_by"))


def _sheet_load(run: Run[Sheet], *, today: dt.date) -> None:
    sheet = run.job
    keyring.hasher(fresh=True)  # NIKs are matched under the database's current hash keys
    errors = ErrorLog()
    accepted = 0
    with upload_open(sheet) as fh:
        table = table_open(fh, name=sheet.original_name, size=sheet.size, row_error=errors.add)
        cols = columns_match(table.header, REQUIRED, optional=OPTIONAL, aliases=COLUMNS)
        progress = Progress(run, table)
        for batch in _batches(table.rows(), progress):
            accepted += _apply_batch(sheet, batch, cols, errors, today)
    upload_done(run, progress, errors, accepted)


def _batches(rows: Iterator[tuple[int, list[Any]]], progress: Progress) -> Iterator[list]:
    batch: list = []
    count = 0
    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) >= BATCH:
            progress.tick(count)
            yield batch
            batch = []
    progress.tick(count)
    if batch:
        yield batch


def _cell(cells: list[Any], cols: dict[str, int], column: str) -> Any:
    index = cols.get(column)
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    return value.strip() if isinstance(value, str) else value


def _parse_row(cells: list[Any], cols: dict[str, int]) -> tuple[str | None, Entry | None, list]:
    """(nik, entry, [(column, message)]): every problem of the row at once."""
    problems: list[tuple[str, str]] = []
    nik = None
    try:
        nik = parse_nik(_cell(cells, cols, "NIK"))
    except FieldError as exc:
        problems.append(("NIK", exc.message))
    dates: dict[str, dt.date | None] = {}
    for column in ("TANGGAL", "TANGGAL_MENINGGAL"):
        value = _cell(cells, cols, column)
        dates[column] = None
        if value not in ("", None):
            try:
                dates[column] = parse_date(value)
            except FieldError:
                problems.append((column, _(
                    "Tanggal '%(value)s' tidak dapat dibaca: tulis hari-bulan-tahun, misalnya "
                    "03-06-2024."
                ) % {"value": shown(value, 20)}))  # fmt: skip
    chosen = _cell(cells, cols, "PASLON_PILIHAN")
    chosen_id = None
    if chosen not in ("", None):
        text = str(chosen).strip().removesuffix(".0")
        # A pair id is short: a long number is a NIK in the wrong column, which must not be
        # quoted back in the "no such pair" message (records.py).
        if text.isdigit() and text.isascii() and len(text) <= 9:
            chosen_id = int(text)
        else:
            problems.append(
                (
                    "PASLON_PILIHAN",
                    _(
                        "Isi PASLON_PILIHAN dengan nomor id bakal pasangan calon (angka), "
                        "misalnya 12."
                    ),
                )
            )
    entry = Entry(
        finding=str(_cell(cells, cols, "HASIL") or "").upper().replace(" ", "_"),
        method=str(_cell(cells, cols, "METODE") or "").upper().replace(" ", "_"),
        visited_on=dates["TANGGAL"],
        deceased_on=dates["TANGGAL_MENINGGAL"],
        chosen_pair_id=chosen_id,
    )
    return nik, entry, problems


def _apply_batch(
    sheet: Sheet, batch: list, cols: dict[str, int], errors: ErrorLog, today: dt.date
) -> int:
    parsed = [(number, *_parse_row(cells, cols)) for number, cells in batch]
    hashes = {nik_hash(nik): nik for _n, nik, _e, _p in parsed if nik}
    tasks = {
        bytes(t.nik_hash): t
        for t in Task.objects.filter(
            pair=sheet.pair, nik_hash__in=list(hashes), stage__status=Stage.Status.OPEN
        ).select_related("stage__pair__election")
    }
    user = sheet.uploaded_by
    area = user_area(user) if user is not None else ""
    accepted = 0
    for number, nik, entry, problems in parsed:
        task = tasks.get(nik_hash(nik)) if nik else None
        if nik and task is None:
            problems.append(("NIK", NOT_IN_WORKLIST))
        elif task is not None and not code_within(task.kelurahan_code, area):
            problems.append(
                (
                    "NIK",
                    # The same words as a NIK not in the worklist: a PPS must not learn from
                    # its sheet that a NIK is listed somewhere else, or where.
                    NOT_IN_WORKLIST,
                )
            )
        if problems or task is None or entry is None:
            for column, message in problems:
                errors.add(number, column, message)
            continue
        outcome = record_entry(
            task=task, entry=entry, by=user, source=Record.Source.SHEET, today=today, sheet=sheet
        )
        if outcome.errors:
            for error in outcome.errors:
                errors.add(number, error.column, error.message)
            continue
        tasks[bytes(task.nik_hash)] = outcome.task
        accepted += 1
    return accepted
