"""Reading the files people actually upload: CSV in any of the usual encodings and delimiters,
XLSX, headers spelled a dozen ways, NIKs that Excel has turned into numbers.

Shared by the voter-roll import (electorate.roll_import) and the support-list intake
(candidates.intake). Rows come out as (file_row_number, cells) with the header as row 1, so a
reported row number is the one the team sees in Excel. Field parsers return the clean value or
raise FieldError carrying an Indonesian message that says what to fix.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import IO, Any

from django.utils.translation import gettext as _

from electorate.sheetread import SheetReader, SheetTooBig, SheetUnreadable
from electorate.text import BIDI_UTF8, bidi_strip
from electorate.xlsxcheck import SheetRefused, xlsx_check

log = logging.getLogger(__name__)

CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 date system, past Excel's phantom 29-02-1900
CELL_LIMIT = 1 << 20

csv.field_size_limit(CELL_LIMIT)


class FieldError(ValueError):
    """One bad cell. The message is for the team: what is wrong and how to fix it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FileFormatError(ValueError):
    """The whole file cannot be read (unknown type, missing column). Nothing is imported.
    `missing` and `unknown`: for a header without a required column, the columns not found
    and the header cells that matched no column (shown as the message quotes them)."""

    def __init__(self, message: str, *, missing: Iterable[str] = (), unknown: Iterable[str] = ()):
        super().__init__(message)
        self.missing = list(missing)
        self.unknown = list(unknown)


# --- reading rows -----------------------------------------------------------------------------


RowError = Callable[[int, str, str], None]

# A line longer than this is not read: a row of form B.1-KWK or a DPT is under 1 KB, so 64 KB is
# far beyond any real one, and holding a line without end is how a CSV eats a worker's memory.
LINE_LIMIT = 64 * 1024
# Stand-ins for lines that are not read. NUL never reaches csv from the file (a line holding
# one is replaced), so a row with NUL in it is one of ours.
LONG_LINE = "\x00L\n"
NUL_LINE = "\x00N\n"
OPEN_QUOTE = '"\x00Q\n'  # closes a quote left open for more than LINE_LIMIT, ends the row


class Table:
    """An opened file: `header` is row 1, `rows()` yields (row_number, cells) from row 2 on,
    skipping blank rows but keeping their numbers. `bytes_read` grows as the file is read.

    A row the reader cannot read at all (too long, a NUL byte, broken quoting) is not yielded:
    it goes to `row_error(row, column, message)`; without one, to `row_errors`."""

    header: list[Any]
    size: int
    bytes_read: int

    def __init__(self, row_error: RowError | None = None):
        self.row_errors: list[tuple[int, str, str]] = []
        self.row_error: RowError = row_error or self._row_error_keep
        self.skipped = 0  # rows not yielded because they could not be read (row_error)

    def _row_error_keep(self, row: int, column: str, message: str) -> None:
        if len(self.row_errors) < 1000:
            self.row_errors.append((row, column, message))

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        raise NotImplementedError


def _decode_chunk(chunk: bytes) -> list[str]:
    """UTF-8 where it is UTF-8; a line that is not is Windows-1252 (Excel's 'CSV' on Windows)."""
    try:
        return chunk.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        out = []
        for raw in chunk.splitlines(keepends=True):
            try:
                out.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                out.append(raw.decode("cp1252", errors="replace"))
        return out


def _lines_checked(chunk: bytes) -> list[str]:
    """The lines of a chunk, a line holding NUL or longer than LINE_LIMIT replaced by its
    stand-in. Checked per chunk at C speed; only a chunk with such a line is walked."""
    lines = _decode_chunk(chunk)
    if b"\x00" in chunk or (len(chunk) > LINE_LIMIT and max(map(len, lines)) > LINE_LIMIT):
        lines = [
            NUL_LINE if "\x00" in line else LONG_LINE if len(line) > LINE_LIMIT else line
            for line in lines
        ]
    if BIDI_UTF8.search(chunk):  # no bidirectional control reaches a row (electorate.text)
        lines = [bidi_strip(line) for line in lines]
    return lines


def sniff_delimiter(line: str) -> str:
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class _Record:
    """Characters fed to csv for the row being read (reset by CsvTable.rows at every row),
    and which stand-in, if any, went into it."""

    size = 0
    marker = ""


class CsvTable(Table):
    """Streamed in 1 MB blocks; memory stays bounded whatever the file holds: a line longer
    than LINE_LIMIT is skipped up to its newline without being kept (one row error), and so is
    a row whose quote stays open past LINE_LIMIT; a line with a NUL byte is a row error."""

    def __init__(self, fh: IO[bytes], size: int = 0, row_error: RowError | None = None):
        super().__init__(row_error)
        self._fh = fh
        self.size = size
        first = fh.readline(LINE_LIMIT + 1)
        self.bytes_read = len(first)
        _header_check(first)
        if first.startswith(codecs.BOM_UTF8):
            first = first[len(codecs.BOM_UTF8) :]
        header_lines = _decode_chunk(first)
        line = bidi_strip(header_lines[0]) if header_lines else ""
        self.delimiter = sniff_delimiter(line)
        self.header = next(csv.reader([line], delimiter=self.delimiter), [])

    def _lines(self) -> Iterator[list[str]]:
        """Blocks of lines. `rest`, the unfinished last line of a block, never grows past
        LINE_LIMIT: beyond it the line is skipped up to its newline, holding nothing."""
        fh = self._fh
        rest = b""
        skipping = False
        while block := fh.read(CHUNK):
            self.bytes_read += len(block)
            if skipping:
                end = block.find(b"\n")
                if end < 0:
                    continue
                block = block[end + 1 :]
                skipping = False
                yield [LONG_LINE]
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if len(rest) > LINE_LIMIT:
                skipping, rest = True, b""
            if cut:
                yield _lines_checked(block[:cut])
        if skipping:
            yield [LONG_LINE]
        elif rest:
            yield _lines_checked(rest)

    def _fed(self, record: _Record) -> Iterator[str]:
        """The lines as csv reads them. A row whose lines pass LINE_LIMIT is inside a quote
        left open: OPEN_QUOTE closes it and ends the row, and the next line starts a new one."""
        for lines in self._lines():
            for line in lines:
                record.size += len(line)
                if record.size > LINE_LIMIT and record.size > len(line):
                    record.marker = OPEN_QUOTE
                    yield OPEN_QUOTE
                    record.size = len(line)
                if line[0] == "\x00":
                    record.marker = line
                yield line

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        record = _Record()
        reader = csv.reader(self._fed(record), delimiter=self.delimiter)
        number = 1
        while True:
            record.size, record.marker = 0, ""
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                self.skipped += 1
                self.row_error(number, "", _csv_message(exc))
                continue
            number += 1
            if record.marker:
                self.skipped += 1
                self.row_error(number, "", _marker_message(record.marker))
            elif cells and any(cells):
                yield number, cells


def _header_check(first: bytes) -> None:
    if first.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise FileFormatError(
            _(
                "Berkas ini lembar kerja Excel, bukan CSV, walau namanya berakhiran .csv. Unggah "
                'dengan nama aslinya (.xlsx), atau simpan dari Excel sebagai "CSV UTF-8".'
            )
        )
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in first:
        raise FileFormatError(
            _(
                'Berkas tersimpan sebagai UTF-16 ("Unicode Text") atau berisi karakter NUL, '
                'bukan CSV biasa. Simpan ulang dari Excel sebagai "CSV UTF-8 (Comma delimited)'
                '", lalu unggah lagi.'
            )
        )
    if len(first) > LINE_LIMIT:
        if b"\r" in first:
            raise FileFormatError(
                _(
                    "Baris pada berkas dipisahkan tanda CR saja (format CSV Macintosh lama). "
                    'Simpan ulang dari Excel sebagai "CSV UTF-8 (Comma delimited)", lalu '
                    "unggah lagi."
                )
            )
        raise FileFormatError(
            _(
                "Baris judul (baris 1) lebih dari %(kb)s KB tanpa pindah baris: berkas ini bukan "
                "tabel CSV (mungkin seluruh isinya satu baris). Simpan ulang dari Excel sebagai "
                '"CSV UTF-8 (Comma delimited)", lalu unggah lagi.'
            )
            % {"kb": LINE_LIMIT // 1024}
        )


def _marker_message(marker: str) -> str:
    if marker == NUL_LINE:
        return _(
            "Baris ini berisi karakter NUL (byte 0) yang tidak ada dalam CSV biasa, jadi tidak "
            'dibaca. Periksa baris ini, atau simpan ulang berkas dari Excel sebagai "CSV UTF-8'
            '".'
        )
    if marker == OPEN_QUOTE:
        return _(
            'Tanda kutip (") di baris ini tidak ditutup, sehingga lebih dari %(kb)s KB baris '
            "berikutnya ikut terbaca sebagai satu sel; baris ini tidak dibaca. Tutup tanda "
            "kutipnya (atau hapus) lalu unggah ulang."
        ) % {"kb": LINE_LIMIT // 1024}
    return _(
        "Baris ini lebih dari %(kb)s KB tanpa pindah baris, jadi tidak dibaca. Biasanya ada "
        'tanda kutip (") yang tidak ditutup atau isi yang tertempel berulang: perbaiki baris '
        "ini lalu unggah ulang."
    ) % {"kb": LINE_LIMIT // 1024}


def _csv_message(exc: csv.Error) -> str:
    return _(
        'Baris ini tidak dapat dibaca sebagai CSV (%(error)s). Periksa tanda kutip (") di baris '
        "ini lalu unggah ulang."
    ) % {"error": str(exc)[:100]}


class SheetTable(Table):
    """XLSX through python-calamine (first sheet, typed cells: float, date, str), after
    electorate.xlsxcheck has made sure calamine can read it in bounded memory, and read in a
    child process limited in memory (electorate.sheetread), whose death fails the file with
    what to do. Spreadsheets are refused whole or read whole: no row error comes from here."""

    def __init__(self, fh: IO[bytes], size: int = 0, row_error: RowError | None = None):
        super().__init__(row_error)
        try:
            xlsx_check(fh)
        except SheetRefused as exc:
            raise FileFormatError(str(exc)) from exc
        fh.seek(0)
        reader = _sheet_reader(fh)
        self.size = size
        self.bytes_read = 0
        self._start = reader.start
        self._height = max(1, reader.height)
        self._iter = _sheet_rows(reader)
        # Rows above the used range are empty: the header is the first row with content.
        self.header = []
        self._header_number = self._start
        for cells in self._iter:
            self._header_number += 1
            if any(c != "" for c in cells):
                self.header = cells
                break

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        # Numbered as Excel shows them, but relative to the header so that row 1 is the header.
        offset = self._header_number - 1
        size, height = self.size, self._height
        for number, cells in enumerate(self._iter, start=self._header_number + 1):
            if number % 50_000 == 0:
                self.bytes_read = size * (number - self._start) // height
            if any(c != "" for c in cells):
                yield number - offset, cells
        self.bytes_read = size


def _unreadable_message() -> str:
    return _(
        "Berkas ini tidak dapat dibaca sebagai lembar kerja Excel: isinya rusak, atau bukan "
        "XLSX walaupun namanya berakhiran .xlsx. Buka berkas di Excel lalu simpan ulang sebagai "
        "Excel Workbook (.xlsx), atau simpan sebagai CSV UTF-8 dan unggah berkas CSV itu."
    )


def _sheet_reader(fh: IO[bytes]) -> SheetReader:
    try:
        return SheetReader(fh)
    except SheetUnreadable as exc:
        # Its text is English and about calamine's insides ("Cannot detect file format"): the
        # log keeps it, the team reads what to do.
        log.info("spreadsheet not readable by calamine: %s", shown(exc, 300))
        raise FileFormatError(_unreadable_message()) from exc
    except SheetTooBig as exc:
        raise FileFormatError(str(exc)) from exc


def _sheet_rows(reader: SheetReader) -> Iterator[list[Any]]:
    """The rows, without bidirectional controls in their text (electorate.text)."""
    try:
        for cells in reader.rows():
            yield [bidi_strip(c) if type(c) is str else c for c in cells]
    except SheetTooBig as exc:
        raise FileFormatError(str(exc)) from exc


SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def table_open(
    fh: IO[bytes], *, name: str, size: int = 0, row_error: RowError | None = None
) -> Table:
    """Open a CSV or spreadsheet by its name; `fh` is a binary file positioned at the start.
    Rows that cannot be read at all go to `row_error(row, column, message)` (see Table)."""
    lower = name.lower()
    if lower.endswith(SHEET_SUFFIXES):
        return SheetTable(fh, size, row_error)
    if lower.endswith((".csv", ".txt", ".tsv")):
        return CsvTable(fh, size, row_error)
    head = fh.read(4)
    fh.seek(0)
    if head[:2] == b"PK" or head == b"\xd0\xcf\x11\xe0":  # zip (xlsx/ods) or OLE (xls)
        return SheetTable(fh, size, row_error)
    return CsvTable(fh, size, row_error)


# --- header matching --------------------------------------------------------------------------


def header_key(value: Any) -> str:
    """Case, spaces, underscores, dots, dashes and slashes do not matter."""
    text = str(value).upper().lstrip("\ufeff")
    for ch in "_.-/\\()":
        text = text.replace(ch, " ")
    return " ".join(text.split())


# Canonical column name -> accepted header names (compared through header_key).
COLUMNS: dict[str, tuple[str, ...]] = {
    "NIK": (
        "NIK",
        "NO KTP",
        "NOMOR KTP",
        "NO NIK",
        "NOMOR NIK",
        "NOMOR INDUK KEPENDUDUKAN",
        "NIK KTP",
        "KTP",
    ),
    "NAMA": ("NAMA", "NAMA LENGKAP", "NAMA PEMILIH", "NAMA PENDUKUNG", "NAMA SESUAI KTP"),
    "TEMPAT_LAHIR": ("TEMPAT LAHIR", "TMPT LAHIR", "TPT LAHIR", "TEMPAT"),
    "TANGGAL_LAHIR": ("TANGGAL LAHIR", "TGL LAHIR", "TGL LHR", "TANGGAL LHR", "TANGGAL"),
    "JENIS_KELAMIN": ("JENIS KELAMIN", "JK", "L P", "KELAMIN", "GENDER", "SEX"),
    "STATUS_PERKAWINAN": (
        "STATUS PERKAWINAN",
        "STATUS KAWIN",
        "STS KAWIN",
        "PERKAWINAN",
        "KAWIN",
        "STATUS",
    ),
    "ALAMAT": ("ALAMAT", "ALAMAT LENGKAP", "JALAN", "ALAMAT KTP"),
    "RT": ("RT", "NO RT", "NOMOR RT"),
    "RW": ("RW", "NO RW", "NOMOR RW"),
    "KODE_WILAYAH": (
        "KODE WILAYAH",
        "KODE KELURAHAN",
        "KODE DESA",
        "KODE KEL",
        "KODE KELURAHAN DESA",
        "KODE DESA KELURAHAN",
        "KODE KEL DESA",
    ),
    "PEKERJAAN": ("PEKERJAAN", "JENIS PEKERJAAN", "PROFESI"),
    "HALAMAN": ("HALAMAN", "HAL", "NO HALAMAN", "NOMOR HALAMAN", "NO HAL", "LEMBAR"),
}


def columns_match(
    header: Iterable[Any],
    required: Iterable[str],
    *,
    optional: Iterable[str] = (),
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, int]:
    """Map each required canonical column to its index in the header, or raise FileFormatError
    naming every missing column and every header cell that matched no column: the accepted
    spellings are in the guide the page links to, not in the message. Optional columns are
    mapped when present. `aliases`: another file's columns (default: COLUMNS)."""
    aliases = COLUMNS if aliases is None else aliases
    required = tuple(required)
    position: dict[str, int] = {}
    for index, cell in enumerate(header):
        position.setdefault(header_key(cell), index)
    found: dict[str, int] = {}
    missing: list[str] = []
    for column in (*required, *optional):
        index = next(
            (position[header_key(a)] for a in aliases[column] if header_key(a) in position), None
        )
        if index is not None:
            found[column] = index
        elif column in required:
            missing.append(column)
    if missing:
        unknown = _unknown_cells(header, aliases)
        raise FileFormatError(
            columns_message(missing, unknown, matched=bool(found)),
            missing=missing,
            unknown=unknown,
        )
    return found


UNKNOWN_SHOWN = 6


def _unknown_cells(header: Iterable[Any], aliases: dict[str, tuple[str, ...]]) -> list[str]:
    """Header cells that are no accepted name of any column, as a message may quote them."""
    known = {header_key(a) for names in aliases.values() for a in names}
    return [
        shown(cell, 30) for cell in header if str(cell).strip() and header_key(cell) not in known
    ]


def columns_message(missing: list[str], unknown: list[str], *, matched: bool) -> str:
    """What is wrong with the header, in one sentence or two: the missing columns by their
    names, the header cells that are no known column, and where the accepted names are."""
    if not matched:
        return _(
            "Baris 1 harus berisi judul kolom, tetapi tidak satu pun judulnya dikenali "
            "(kolom wajib: %(columns)s). Bila baris 1 sudah berisi data, sisipkan baris judul "
            "di atasnya; nama kolom yang diterima ada di panduan pengisian."
        ) % {"columns": ", ".join(missing)}
    message = _("Kolom wajib tidak ditemukan di baris judul (baris 1): %(columns)s.") % {
        "columns": ", ".join(missing)
    }
    if unknown:
        quoted = ", ".join(f"“{cell}”" for cell in unknown[:UNKNOWN_SHOWN])
        more = len(unknown) - UNKNOWN_SHOWN
        if more > 0:
            quoted += " " + _("dan %(n)s lainnya") % {"n": more}
        message += " " + _("Judul kolom yang tidak dikenali: %(cells)s.") % {"cells": quoted}
    return (
        message
        + " "
        + _(
            "Ganti judul kolom sesuai nama yang diterima di panduan pengisian, lalu unggah "
            "ulang berkasnya."
        )
    )


def row_errors(cells: list[Any], checks: Iterable[tuple[str, int, Callable]]) -> list[tuple]:
    """Every bad cell of a row, as (column, message), in column order: `checks` are (column,
    index, parser). The importers' hand-unrolled loops stop at a row's first bad cell; only
    for a row that failed do they call this slower loop, so a good row costs nothing more."""
    found = []
    for column, index, parse in checks:
        try:
            parse(cells[index] if index < len(cells) else "")
        except FieldError as exc:
            found.append((column, exc.message))
    return found


# --- field parsers ----------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _nik_excel_message() -> str:
    return _(
        "NIK tersimpan sebagai angka, bukan teks: Excel membulatkan angka 16 digit sehingga "
        "digit terakhir NIK hilang atau berubah. Format kolom NIK sebagai Teks di Excel, lalu "
        "ketik ulang NIK dari KTP-el."
    )


def parse_nik(value: Any) -> str:
    """Exactly 16 digits, as text. Spaces, dashes and Excel's leading apostrophe are dropped;
    anything Excel has turned into a number is refused, never repaired."""
    if _is_number(value):
        raise FieldError(_nik_excel_message())
    text = value.strip() if type(value) is str else str(value).strip()
    if len(text) == 16 and text.isdigit() and text.isascii():
        return text
    if not text:
        raise FieldError(_("NIK kosong. Isi 16 angka NIK sesuai KTP-el."))
    text = text.lstrip("'").replace(" ", "").replace("-", "")
    if len(text) == 16 and text.isdigit() and text.isascii():
        return text
    upper = text.upper()
    number_like = upper.replace(".", "", 1).replace(",", "", 1)
    if "E+" in upper or "E" in upper and number_like.replace("E", "", 1).isdigit():
        raise FieldError(_nik_excel_message())
    if ("." in text or "," in text) and number_like.isdigit():
        raise FieldError(_nik_excel_message())
    if text.isdigit() and text.isascii():
        if len(text) < 16:
            return _raise(
                _(
                    "NIK hanya %(n)s angka, seharusnya 16. Bila kolom NIK berformat angka, Excel "
                    "membuang atau membulatkan digit: format kolom NIK sebagai Teks di Excel, lalu "
                    "ketik ulang NIK dari KTP-el."
                )
                % {"n": len(text)}
            )
        return _raise(
            _("NIK %(n)s angka, seharusnya tepat 16. Periksa kembali NIK pada KTP-el.")
            % {"n": len(text)}
        )
    # Never echo the value: the message is stored, shown and returned by the API, and a NIK
    # with one wrong character is still a NIK. Say what is wrong instead.
    letters = sum(ch.isalpha() for ch in text)
    others = sum(not ch.isalnum() for ch in text)
    if letters:
        raise FieldError(
            _(
                "NIK berisi %(letters)s huruf (dari %(n)s karakter); NIK hanya boleh 16 angka. "
                "Huruf O dan I sering tertukar dengan angka 0 dan 1: ketik ulang NIK dari KTP-el."
            )
            % {"letters": letters, "n": len(text)}
        )
    raise FieldError(
        _(
            "NIK berisi %(others)s tanda selain angka (dari %(n)s karakter); NIK hanya boleh 16 "
            "angka tanpa titik, koma atau tanda lain. Ketik ulang NIK dari KTP-el."
        )
        % {"others": others, "n": len(text)}
    )


# 11 or more digits, whatever spaces, dots, dashes or slashes sit between them: a NIK or a KK
# number typed as "3171 0101 0190 0009" or "3171.0101.0190.0009" is still one. So is one typed
# with letters that look like digits ("31710105O5750382": O for 0, I or l for 1, S for 5, B for
# 8, ...), as long as LONG_NUMBER_DIGITS of them are digits: a word beside a short number is not.
DIGIT_LIKE = "OoQDIiLl|SsBZzGbgq"
LONG_NUMBER = re.compile(rf"[\d{DIGIT_LIKE}](?:[\s.\-/,_]*[\d{DIGIT_LIKE}]){{10,}}")
LONG_NUMBER_DIGITS = 6


def _starred(match: re.Match) -> str:
    run = match.group()
    return "*" * len(run) if sum(ch.isdigit() for ch in run) >= LONG_NUMBER_DIGITS else run


def shown(value: Any, limit: int) -> str:
    """A cell as quoted in a message: cut to `limit`, and any run of 11+ digits starred (letters
    that look like digits among them), in case a NIK (or a KK number) sits in the wrong column:
    messages are stored and shown to users."""
    text = LONG_NUMBER.sub(_starred, str(value)[: limit * 4])
    return text[:limit]


def _raise(message: str):
    raise FieldError(message)


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("JANUARI", "JANUARY", "JAN"),
            ("FEBRUARI", "PEBRUARI", "FEBRUARY", "FEB", "PEB"),
            ("MARET", "MARCH", "MAR", "MRT"),
            ("APRIL", "APR"),
            ("MEI", "MAY"),
            ("JUNI", "JUNE", "JUN"),
            ("JULI", "JULY", "JUL"),
            ("AGUSTUS", "AUGUST", "AGU", "AGT", "AGS", "AUG", "AGUST"),
            ("SEPTEMBER", "SEP", "SEPT"),
            ("OKTOBER", "OCTOBER", "OKT", "OCT"),
            ("NOVEMBER", "NOPEMBER", "NOV", "NOP"),
            ("DESEMBER", "DECEMBER", "DES", "DEC"),
        ),
        start=1,
    )
    for name in names
}


def _date_message(value: Any) -> str:
    return _(
        "Tanggal '%(value)s' tidak dapat dibaca. Tulis sebagai hari-bulan-tahun, misalnya "
        "12-01-1990 atau 12 Januari 1990."
    ) % {"value": shown(value, 40)}


def _make_date(year: int, month: int, day: int, value: Any) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError(
            _(
                "Tanggal '%(value)s' tidak ada di kalender (hari %(day)s, bulan %(month)s). "
                "Periksa kembali tanggal dari KTP-el."
            )
            % {"value": shown(value, 40), "day": day, "month": month}
        ) from None


def _year(text: str, value: Any, today: dt.date) -> int:
    if len(text) == 4 and text.isdecimal():
        return int(text)
    if len(text) == 2 and text.isdecimal():
        # Two digits: a birth year is in the past, so the century is the latest one that fits.
        year = 2000 + int(text)
        return year if year <= today.year else year - 100
    raise FieldError(_date_message(value))


def _excel_serial(serial: float, value: Any) -> dt.date:
    if not 1 <= serial < 2958466:
        raise FieldError(_date_message(value))
    days = int(serial)
    if days < 61:  # Excel counts a 29-02-1900 that never was
        days += 1
    return EXCEL_EPOCH + dt.timedelta(days=days)


def parse_date(value: Any, *, today: dt.date | None = None) -> dt.date:
    """dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy, d/m/yy, yyyy-mm-dd, '12 Januari 1990', '12-Agu-1990',
    Excel serial numbers (cells or digit strings), date cells. Impossible dates are refused."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if _is_number(value):
        return _excel_serial(value, value)
    text = str(value).strip()
    if len(text) == 10 and (fast := _date_fast(text)) is not None:
        return fast
    if not text:
        raise FieldError(_("Tanggal kosong. Isi tanggal lahir sesuai KTP-el, misalnya 12-01-1990."))
    whole, _dot, fraction = text.partition(".")
    if len(whole) == 5 and whole.isdecimal() and (not fraction or fraction.isdecimal()):
        # A serial as text (a date column exported as General). Five digits only: "1990" is a
        # year written alone, not 12-06-1905.
        return _excel_serial(int(whole), text)
    return _date_from_parts(_date_parts(text), value, today or dt.date.today())


def _date_fast(text: str) -> dt.date | None:
    """The two forms that fill real files, dd-mm-yyyy (or / .) and yyyy-mm-dd, without splitting."""
    sep = text[2]
    if sep in "-/." and text[5] == sep and text[:2].isdecimal() and text[3:5].isdecimal():
        if text[6:].isdecimal():
            return _make_date(int(text[6:]), int(text[3:5]), int(text[:2]), text)
        return None
    iso = text[4] == "-" and text[7] == "-" and text[:4].isdecimal() and text[5:7].isdecimal()
    if iso and text[8:].isdecimal():
        return _make_date(int(text[:4]), int(text[5:7]), int(text[8:]), text)
    return None


def _date_parts(text: str) -> list[str]:
    """'12/01/1990 0:00' -> ['12', '01', '1990']: a time part says nothing about the day."""
    if "T" in text and text[:4].isdecimal():
        text = text.split("T", 1)[0]
    head, _sep, tail = text.partition(" ")
    if ":" in tail and head.count("-") + head.count("/") + head.count(".") == 2:
        text = head
    for ch in "/.-,":
        text = text.replace(ch, " ")
    return text.split()


def _date_from_parts(parts: list[str], value: Any, today: dt.date) -> dt.date:
    if len(parts) != 3:
        raise FieldError(_date_message(value))
    first, middle, last = parts
    if not middle.isdecimal():  # a month name: 12 Januari 1990, 12-Agu-90
        month = MONTHS.get(middle.upper())
        if month is None or not first.isdecimal():
            raise FieldError(_date_message(value))
        return _make_date(_year(last, value, today), month, int(first), value)
    if len(first) == 4 and first.isdecimal() and last.isdecimal() and len(last) <= 2:
        return _make_date(int(first), int(middle), int(last), value)
    if first.isdecimal() and len(first) <= 2 and len(middle) <= 2:
        return _make_date(_year(last, value, today), int(middle), int(first), value)
    raise FieldError(_date_message(value))


def parse_birth_date(value: Any, *, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    date = parse_date(value, today=today)
    if not dt.date(1900, 1, 1) <= date <= today:
        raise FieldError(
            _("Tanggal lahir %(date)s tidak mungkin. Periksa kembali tanggal dari KTP-el.")
            % {"date": date.strftime("%d-%m-%Y")}
        )
    return date


def _squash(value: Any) -> str:
    return "".join(ch for ch in str(value).upper() if ch.isalpha())


SEXES = {
    "L": "L",
    "LK": "L",
    "LAKILAKI": "L",
    "LAKI": "L",
    "PRIA": "L",
    "M": "L",
    "MALE": "L",
    "P": "P",
    "PR": "P",
    "PEREMPUAN": "P",
    "WANITA": "P",
    "W": "P",
    "F": "P",
    "FEMALE": "P",
}


def parse_sex(value: Any) -> str:
    """L/P, LAKI-LAKI/PEREMPUAN, PRIA/WANITA, LK/PR -> "L" or "P"."""
    sex = SEXES.get(_squash(value))
    if sex is None:
        raise FieldError(
            _("Jenis kelamin '%(value)s' tidak dikenal. Isi L (laki-laki) atau P (perempuan).")
            % {"value": shown(value, 30)}
        )
    return sex


MARITAL = {
    "B": "B",
    "BK": "B",
    "BELUMKAWIN": "B",
    "BELUMMENIKAH": "B",
    "BELUM": "B",
    "TIDAKKAWIN": "B",
    "K": "S",
    "S": "S",
    "KAWIN": "S",
    "SUDAHKAWIN": "S",
    "MENIKAH": "S",
    "SUDAHMENIKAH": "S",
    "P": "P",
    "PERNAHKAWIN": "P",
    "CERAIHIDUP": "P",
    "CERAIMATI": "P",
    "CERAI": "P",
    "CH": "P",
    "CM": "P",
    "JANDA": "P",
    "DUDA": "P",
}


def parse_marital(value: Any) -> str:
    """B (belum kawin), S (kawin), P (pernah kawin: cerai hidup or mati); blank stays blank."""
    if value is None or not str(value).strip():
        return ""
    # Something that is not a word (digits, a stray NIK) is an error, not a blank.
    status = MARITAL.get(_squash(value))
    if status is None:
        raise FieldError(
            _(
                "Status perkawinan '%(value)s' tidak dikenal. Isi B (belum kawin), S (kawin) atau "
                "P (pernah kawin/cerai)."
            )
            % {"value": shown(value, 30)}
        )
    return status


def _digits(value: Any) -> str:
    if _is_number(value):
        if not math.isfinite(value) or value != int(value):  # NaN and infinities have no int
            return str(value)
        return str(int(value))
    return str(value).strip()


def kelurahan_code_normalize(value: Any) -> str:
    """'3171011001', 3171011001.0 or '31.71.01.1001' -> '31.71.01.1001' ('' if not that shape)."""
    text = _digits(value).replace(" ", "")
    if len(text) == 10 and text.isdigit():
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    parts = text.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return text
    return ""


def parse_kelurahan(value: Any, known: set[str] | frozenset[str]) -> str:
    """A kelurahan/desa code that exists in the region tree (`known`: the level-4 codes)."""
    code = kelurahan_code_normalize(value)
    if code and code in known:
        return code
    raise FieldError(
        _(
            "Kode wilayah '%(value)s' bukan kode kelurahan/desa yang dikenal. Isi kode kelurahan "
            "Kemendagri 10 angka (misalnya 3171011001) atau bertitik (31.71.01.1001)."
        )
        % {"value": shown(value, 30)}
    )


def parse_rt(value: Any, column: str = "RT") -> str:
    """Up to 3 digits, zero padded: 1 -> '001'. Blank stays blank."""
    text = _digits(value).upper()
    if text.startswith(column):
        text = text[len(column) :].strip(" .:")
    if not text:
        return ""
    if text.isdigit() and text.isascii() and len(text) <= 3:
        return text.zfill(3)
    raise FieldError(
        _(
            "%(column)s '%(value)s' tidak valid. Isi angka %(column)s, paling banyak 3 digit "
            "(misalnya 001)."
        )
        % {"column": column, "value": shown(value, 20)}
    )


def parse_text(value: Any, *, max_length: int, column: str) -> str:
    """Whitespace collapsed, otherwise kept as written."""
    text = " ".join(value.split()) if type(value) is str else " ".join(_digits(value).split())
    if len(text) > max_length:
        raise FieldError(
            _("%(column)s terlalu panjang (%(n)s karakter, paling banyak %(max)s). Singkat isinya.")
            % {"column": column, "n": len(text), "max": max_length}
        )
    return text


def parse_name(value: Any, *, max_length: int = 200) -> str:
    name = parse_text(value, max_length=max_length, column="NAMA")
    if not name:
        raise FieldError(_("Nama kosong. Isi nama lengkap sesuai KTP-el."))
    return name


def cached(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Memoise a parser over one import: dates, sexes, codes repeat endlessly in a roll, and a
    dict hit is far cheaper than parsing again. Errors are cached too (as FieldError)."""
    memo: dict[Any, Any] = {}

    def parse(value: Any) -> Any:
        try:
            result = memo[value]
        except KeyError:
            try:
                result = parser(value)
            except FieldError as exc:
                result = exc
            except TypeError:  # unhashable: never in CSV, never from calamine
                return parser(value)
            if len(memo) < 200_000:
                memo[value] = result
        if type(result) is FieldError:
            raise result
        return result

    return parse


def person_parsers(*, known: frozenset[str], today: dt.date) -> dict[str, Callable[[Any], Any]]:
    """The parsers of the columns a voter roll and a support list share, by column, memoised
    for one import (`cached`): each importer takes them into locals for its unrolled loop and
    passes them, in its column order, to `row_errors` for a failed row."""
    return {
        "NIK": parse_nik,
        "NAMA": parse_name,
        "TEMPAT_LAHIR": cached(partial(parse_text, max_length=100, column="TEMPAT_LAHIR")),
        "TANGGAL_LAHIR": cached(lambda v: parse_birth_date(v, today=today).isoformat()),
        "JENIS_KELAMIN": cached(parse_sex),
        "STATUS_PERKAWINAN": cached(parse_marital),
        "ALAMAT": partial(parse_text, max_length=300, column="ALAMAT"),
        "RT": cached(parse_rt),
        "RW": cached(partial(parse_rt, column="RW")),
        "KODE_WILAYAH": cached(partial(parse_kelurahan, known=known)),
    }
