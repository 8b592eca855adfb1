"""Reading rows: CSV in any of the usual encodings and delimiters, read in bounded memory, and
spreadsheets (checked by files.xlsxcheck, read by files.sheetread). Rows come out as
(file_row_number, cells) with the header as row 1."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from files.parsing.cells import shown
from files.parsing.errors import FileFormatError
from files.sheetread import SheetReader, SheetTooBig, SheetUnreadable
from files.text import BIDI_UTF8, bidi_strip
from files.xlsxcheck import SheetRefused, xlsx_check

log = logging.getLogger(__name__)

CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 date system, past Excel's phantom 29-02-1900
CELL_LIMIT = 1 << 20

csv.field_size_limit(CELL_LIMIT)


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
    if BIDI_UTF8.search(chunk):  # no bidirectional control reaches a row (files.text)
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
    files.xlsxcheck has made sure calamine can read it in bounded memory, and read in a
    child process limited in memory (files.sheetread), whose death fails the file with
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
    """The rows, without bidirectional controls in their text (files.text)."""
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
