"""A spreadsheet is checked before python-calamine reads it, streaming and in bounded memory.

Why: calamine reads a worksheet into one dense rectangle, 32 bytes a cell, from the first to the
last cell that holds a value. A 1.5 KB file with cells A1 and XFD1048576 asks for 512 GB and the
process aborts (a Rust allocation failure: no exception, nothing to catch, and with late
acknowledgement the task comes back to kill the next worker); A1 and Z1000000 cost 800 MB. And a
zip part can inflate a thousandfold. So, before calamine sees the file:

1. the zip directory: at most MAX_MEMBERS parts, not encrypted, only stored or deflated parts,
   declared sizes within MAX_UNCOMPRESSED and MAX_RATIO;
2. every part inflated here, in 1 MB pieces, trusting no declared size: in all at most
   MAX_UNCOMPRESSED bytes, no part above MAX_RATIO times its compressed size;
3. every worksheet part: its declared <dimension ref> and the cell references it really holds
   (a file can lie in its dimension) within MAX_COLUMNS and MAX_ROWS; the rectangle calamine
   would allocate within MAX_CELLS; and no rectangle larger than the XML that fills it (a few
   cells far apart: A1 and L1000000 would cost 380 MB for 1.5 KB);
4. the shared strings: calamine copies a shared string into every cell that names it, so one
   string of 30,000 characters named by 36,000 cells (a 1.9 MB file) is 1 GB of text, and the
   importer peaked at 2.24 GB. The length of every string is read first (`_SharedStrings`),
   then each worksheet adds the length of the string each of its cells names: at most
   MAX_SHARED_TEXT bytes a sheet.

A worksheet is any part the workbook's relationships name as one, found as calamine finds it
(`_Package`: the package's officeDocument, then its relationships, absolute or relative,
case and backslashes ignored), and any part under xl/worksheets/: a sheet stored elsewhere
would otherwise be read unchecked. Whatever still gets past these is bounded by the process
that reads it (electorate/sheetread.py: calamine in a child limited in memory).

Reading cell references: the fast way (`_FastCells`, a few regex passes at C speed) handles
what Excel, LibreOffice, openpyxl and xlsxwriter write: every cell tag is `<c r="B7" ...>`.
Anything else (cells without a reference, namespace prefixes, references written another
way) goes the exact way (`_ExactCells`), which walks every tag as calamine does. Comments,
CDATA, processing instructions, DOCTYPE, a `<` inside a tag or non-ASCII-compatible encodings
never appear in a real worksheet and would let a scanner and calamine see different cells:
they are refused.

Only XLSX (and XLSM) is read. XLS is binary and XLSB is binary records; ODS repeats rows and
cells by attribute, and calamine reads every sheet of an ODS at once: none of them can be
bounded here, so they are refused with the advice to save as XLSX or CSV (the pages and the
API accept only CSV and XLSX anyway).
"""

from __future__ import annotations

import html
import re
import struct
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from functools import lru_cache
from typing import IO
from xml.parsers import expat

from django.utils.translation import gettext as _

CHUNK = 1 << 20
MAX_MEMBERS = 1000
MAX_DIRECTORY = 4 << 20  # bytes of zip central directory: ~1000 entries need 100 KB
# A 100,000-row list written by xlsxwriter is 63 MB of XML; Excel's full 1,048,576 rows of the
# 12 form columns about 700 MB. Inflating 1 GB takes about 2 s.
MAX_UNCOMPRESSED = 1 << 30
# Real worksheets compress 5-20 times (the 100,000-row list: 9.4); zip bombs 1000 times.
MAX_RATIO = 100
RATIO_FLOOR = 1 << 20  # a part below 1 MB inflates as it likes
MAX_COLUMNS = 64  # form B.1-KWK has 12; a DPT export about 20
MAX_ROWS = 1_048_576  # Excel's own limit
# The rectangle calamine allocates: one full Excel sheet of the 12 form columns. As data, a cell
# costs calamine about 100 bytes (the 100,000-row list: 126 MB), so this is its ~1.2 GB worst
# case; bigger lists come as CSV, which is streamed.
MAX_CELLS = 12 * MAX_ROWS
SPARSE_FLOOR = (
    1_000_000  # rectangles below this (32 MB as empty cells) may be as sparse as they like
)
MAX_CARRY = 2 << 20  # an unfinished tag or text kept between pieces (a cell holds 32,767 chars)
# Text calamine copies out of the shared strings for one worksheet: a cell holds its own copy
# of the string it names. The 100,000-row list written by Excel names 15 MB this way, DKI's
# 840,640 rows about 130 MB; the bomb (30,000 characters x 36,000 cells) 1 GB.
MAX_SHARED_TEXT = 256 << 20
MAX_PACKAGE_PART = 4 << 20  # a relationships part: a few hundred bytes a sheet


class SheetRefused(ValueError):
    """The file is not read; the message says why and what to do, in Indonesian."""


# --- the zip ----------------------------------------------------------------------------------

EOCD = struct.Struct("<4s4H2LH")
EOCD64_LOCATOR = struct.Struct("<4sLQL")
EOCD64 = struct.Struct("<4sQ2H2L4Q")


def xlsx_check(fh: IO[bytes]) -> None:
    """Raise SheetRefused unless calamine can read `fh` (binary, seekable) in bounded memory.
    Leaves the file position anywhere: the caller seeks back."""
    fh.seek(0)
    head = fh.read(8)
    if head[:4] == b"\xd0\xcf\x11\xe0":
        raise SheetRefused(
            _(
                "Berkas ini XLS lama (Excel 97-2003) atau XLSX yang dikunci kata sandi; keduanya "
                "tidak dapat dibaca. Buka di Excel, hapus kata sandinya bila ada, lalu simpan "
                "sebagai Excel Workbook (.xlsx) atau CSV UTF-8."
            )
        )
    if head[:2] != b"PK":
        raise SheetRefused(_not_xlsx(_("bukan arsip zip")))
    infos = _members(fh)
    _format_check(infos)
    total = _Total()
    package = _Package(fh, infos, total)
    strings = None
    if package.strings is not None:
        strings = _SharedStrings(package.strings.filename)
        for piece in _inflated(fh, package.strings, total):
            strings.feed(piece)
        strings.finish()
    for info in infos:
        if info is package.strings or info in package.read:
            continue
        _part_check(fh, info, total, worksheet=package.is_worksheet(info), strings=strings)


def _not_xlsx(why: str) -> str:
    return _(
        "Berkas bukan lembar kerja XLSX yang utuh (%(why)s). Buka di Excel lalu simpan ulang "
        "sebagai Excel Workbook (.xlsx), atau unggah sebagai CSV UTF-8."
    ) % {"why": why}


def _members(fh: IO[bytes]) -> list[zipfile.ZipInfo]:
    """The parts, after bounding the central directory: zipfile would build an object for each
    of millions of entries a small file can declare."""
    entries, directory = _directory_size(fh)
    if entries > MAX_MEMBERS:
        raise SheetRefused(_too_many_parts(entries))
    if directory > MAX_DIRECTORY:
        raise SheetRefused(_not_xlsx(_("direktori zip lebih dari 4 MB")))
    fh.seek(0)
    try:
        infos = zipfile.ZipFile(fh).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise SheetRefused(_not_xlsx(_("zip rusak"))) from exc
    if len(infos) > MAX_MEMBERS:
        raise SheetRefused(_too_many_parts(len(infos)))
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise SheetRefused(
                _(
                    "Berkas XLSX dikunci kata sandi. Buka di Excel, hapus kata sandinya, lalu "
                    "simpan ulang sebagai XLSX."
                )
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SheetRefused(_not_xlsx(_("cara pemadatan zip yang tidak dikenal")))
        declared += info.file_size
        _ratio_check(info, info.file_size)
    if declared > MAX_UNCOMPRESSED:
        raise SheetRefused(_too_big())
    return infos


def _directory_size(fh: IO[bytes]) -> tuple[int, int]:
    """(entries, bytes) of the central directory, from the end record (zip64 included)."""
    size = fh.seek(0, 2)
    tail_size = min(size, EOCD.size + 65535)
    fh.seek(size - tail_size)
    tail = fh.read(tail_size)
    # The end record is the one whose comment reaches the end of the file; two such (one
    # hidden in the other's comment) could make zipfile and calamine read different parts.
    ends = [
        at
        for at in _occurrences(tail, b"PK\x05\x06")
        if at + EOCD.size <= len(tail)
        and at + EOCD.size + EOCD.unpack_from(tail, at)[7] == len(tail)
    ]
    if len(ends) != 1:
        raise SheetRefused(_not_xlsx(_("direktori zip tidak ditemukan")))
    at = ends[0]
    fields = EOCD.unpack_from(tail, at)
    entries, directory = fields[4], fields[5]
    if at >= EOCD64_LOCATOR.size and tail[at - EOCD64_LOCATOR.size :].startswith(b"PK\x06\x07"):
        fh.seek(EOCD64_LOCATOR.unpack_from(tail, at - EOCD64_LOCATOR.size)[2])
        record = fh.read(EOCD64.size)
        if len(record) == EOCD64.size and record.startswith(b"PK\x06\x06"):
            fields64 = EOCD64.unpack(record)
            entries, directory = max(entries, fields64[7]), max(directory, fields64[8])
    return entries, directory


def _occurrences(data: bytes, needle: bytes) -> Iterator[int]:
    at = data.find(needle)
    while at >= 0:
        yield at
        at = data.find(needle, at + 1)


def _too_many_parts(count: int) -> str:
    return _(
        "Berkas XLSX berisi %(n)s bagian (paling banyak %(max)s): ini bukan lembar kerja biasa. "
        "Simpan ulang dari Excel sebagai XLSX, atau unggah sebagai CSV UTF-8."
    ) % {"n": _number(count), "max": _number(MAX_MEMBERS)}


def _too_big() -> str:
    return _(
        "Isi berkas XLSX setelah dibuka lebih dari %(max)s MB, terlalu besar untuk dibaca "
        "sekaligus. Unggah daftar sebagai CSV UTF-8 (dibaca bertahap, tanpa batas ini), atau "
        "bagi menjadi beberapa berkas."
    ) % {"max": _number(MAX_UNCOMPRESSED >> 20)}


def _ratio_check(info: zipfile.ZipInfo, inflated: int) -> None:
    if inflated > RATIO_FLOOR and inflated > MAX_RATIO * max(info.compress_size, 1):
        raise SheetRefused(
            _(
                "Bagian %(part)s dalam berkas XLSX mengembang lebih dari %(max)s kali ukurannya "
                "saat dibuka: berkas rusak atau sengaja dibuat begitu. Simpan ulang dari Excel "
                "sebagai XLSX, atau unggah sebagai CSV UTF-8."
            )
            % {"part": info.filename[:80], "max": MAX_RATIO}
        )


def _normal(name: str) -> str:
    return name.replace("\\", "/").lower()


def _format_check(infos: list[zipfile.ZipInfo]) -> None:
    """XLSX only: calamine tries XLSX, then XLSB, then ODS on any zip."""
    names = {_normal(info.filename) for info in infos}
    if "content.xml" in names or "mimetype" in names:
        what = "ODS (LibreOffice/OpenOffice)"
    elif "xl/workbook.bin" in names:
        what = "XLSB (Excel Binary)"
    elif "xl/workbook.xml" not in names:
        raise SheetRefused(_not_xlsx(_("tidak ada xl/workbook.xml")))
    else:
        return
    raise SheetRefused(
        _(
            "Format %(what)s tidak diterima. Simpan ulang sebagai Excel Workbook (.xlsx) atau "
            "CSV UTF-8, lalu unggah lagi."
        )
        % {"what": what}
    )


def _is_worksheet(info: zipfile.ZipInfo) -> bool:
    """Every part calamine could read as a worksheet: it takes `xl/` + the relationship's target,
    whose second component must be `worksheets`, and finds it ignoring case."""
    name = _normal(info.filename)
    return name.startswith("xl/worksheets/") and not (
        name.endswith(".rels") or "/_rels/" in name[len("xl/worksheets") :]
    )


class _Total:
    def __init__(self) -> None:
        self.bytes = 0

    def add(self, n: int) -> None:
        self.bytes += n
        if self.bytes > MAX_UNCOMPRESSED:
            raise SheetRefused(_too_big())


class _Slower(Exception):
    """The fast scan met a worksheet it cannot vouch for: start the part over, exactly."""


def _part_check(
    fh: IO[bytes],
    info: zipfile.ZipInfo,
    total: _Total,
    *,
    worksheet: bool,
    strings: _SharedStrings | None,
) -> None:
    if not worksheet:
        for _piece in _inflated(fh, info, total):
            pass
        return
    fast = _FastCells(info.filename, strings)
    counted = total.bytes
    try:
        for piece in _inflated(fh, info, total):
            fast.feed(piece)
        fast.finish()
    except _Slower:
        total.bytes = counted  # the part is read again from its start
        exact = _ExactCells(info.filename, strings)
        for piece in _inflated(fh, info, total):
            exact.feed(piece)
        exact.finish()


def _raw(fh: IO[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) < 30 or not local.startswith(b"PK\x03\x04"):
        raise SheetRefused(_not_xlsx(_("bagian %(part)s rusak") % {"part": info.filename[:80]}))
    name_size, extra_size = struct.unpack("<HH", local[26:30])
    fh.seek(info.header_offset + 30 + name_size + extra_size)
    left = info.compress_size
    while left > 0:
        piece = fh.read(min(CHUNK, left))
        if not piece:
            return
        left -= len(piece)
        yield piece


def _inflated(fh: IO[bytes], info: zipfile.ZipInfo, total: _Total) -> Iterator[bytes]:
    """What the part really holds, at most CHUNK bytes a piece, counted against the limits as
    it comes: a bomb is stopped after MAX_RATIO times its compressed size."""
    size = 0
    if info.compress_type == zipfile.ZIP_STORED:
        pieces: Iterator[bytes] = _raw(fh, info)
    else:
        pieces = _deflated(_raw(fh, info), info)
    for piece in pieces:
        size += len(piece)
        total.add(len(piece))
        _ratio_check(info, size)
        yield piece


def _deflated(raw: Iterator[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for data in raw:
            while data and not inflater.eof:
                piece = inflater.decompress(data, CHUNK)
                if piece:
                    yield piece
                data = inflater.unconsumed_tail
            if inflater.eof:
                return
        rest = inflater.flush()
    except zlib.error as exc:
        raise SheetRefused(
            _not_xlsx(_("bagian %(part)s rusak") % {"part": info.filename[:80]})
        ) from exc
    if rest:
        yield rest


# --- which parts calamine reads: the package's relationships ----------------------------------

SHEET_TYPES = ("worksheet", "chartsheet", "dialogsheet")


class _Package:
    """The parts calamine reads as worksheets and as the shared strings, found as calamine
    0.37 finds them: `_rels/.rels` names the workbook (its folder is the "xl path"), the
    workbook's relationships name each sheet (a target absolute or relative to that folder),
    the shared strings are `<xl path>sharedStrings.xml`; a name is looked up ignoring case and
    backslashes. Read leniently, so as to name every part calamine could take: each
    relationship whatever its place, every value of a repeated attribute, each value as written
    and unescaped, "xl/" always. The relationship parts are read here (and counted) once."""

    def __init__(self, fh: IO[bytes], infos: list[zipfile.ZipInfo], total: _Total):
        self.fh, self.total = fh, total
        self.by_name: dict[str, list[zipfile.ZipInfo]] = {}
        for info in infos:
            self.by_name.setdefault(_normal(info.filename), []).append(info)
        self.read: list[zipfile.ZipInfo] = []
        roots = {"xl/"}
        for kind, target in self._relationships("_rels/.rels"):
            if kind.endswith("officeDocument"):
                folder = target[: target.rfind("/") + 1]
                roots.add(folder[1:] if folder.startswith("/") else folder)
        self.sheets: set[str] = set()
        for root in roots:
            for kind, target in self._relationships(f"{root}_rels/workbook.xml.rels"):
                if kind.rpartition("/")[2] in SHEET_TYPES:
                    self.sheets.add(
                        _normal(target[1:] if target.startswith("/") else root + target)
                    )
        tables = [
            info
            for root in roots
            for info in self.by_name.get(_normal(f"{root}sharedStrings.xml"), [])
        ]
        if len(tables) > 1 or (tables and _normal(tables[0].filename) in self.sheets):
            raise SheetRefused(_odd_xml(tables[0].filename, _("tabel teks bersama ganda")))
        self.strings: zipfile.ZipInfo | None = tables[0] if tables else None

    def is_worksheet(self, info: zipfile.ZipInfo) -> bool:
        return _is_worksheet(info) or _normal(info.filename) in self.sheets

    def _relationships(self, name: str) -> Iterator[tuple[str, str]]:
        """(type, target) of every Relationship element of the part `name`, if there is one."""
        for info in self.by_name.get(_normal(name), []):
            if info in self.read:
                continue
            self.read.append(info)
            data = b""
            for piece in _inflated(self.fh, info, self.total):
                data += piece
                if len(data) > MAX_PACKAGE_PART:
                    raise SheetRefused(_odd_xml(info.filename, _("relasi lebih dari 4 MB")))
            yield from _relationship_values(info.filename, data)


def _relationship_values(part: str, data: bytes) -> Iterator[tuple[str, str]]:
    declaration = XML_DECLARATION.match(data)
    if declaration:
        data = data[declaration.end() :]
    if b"<!" in data or b"<?" in data:
        raise SheetRefused(_odd_xml(part, _("komentar, CDATA atau instruksi XML")))
    tags = list(TAG.finditer(data))
    if len(tags) != data.count(b"<"):
        raise SheetRefused(_odd_xml(part, _("tanda < di luar tag")))
    for tag in tags:
        if tag.group(1) or tag.group(2).rpartition(b":")[2] != b"Relationship":
            continue
        values: dict[bytes, list[str]] = {b"Type": [], b"Target": []}
        for key, double, single in ATTRIBUTE.findall(tag.group(3)):
            if key in values:
                raw = (double or single).decode("utf-8", "replace")
                values[key] += [raw, html.unescape(raw)]
        for kind in values[b"Type"]:
            for target in values[b"Target"]:
                yield kind, target


# --- the shared strings -----------------------------------------------------------------------

STRING_OVERHEAD = 48  # what calamine spends on each string of the table besides its text
PLAIN_INDEX = re.compile(rb"0|[1-9][0-9]{0,17}")


class _SharedStrings:
    """The length in bytes (UTF-8, as calamine holds them) of every shared string, read as
    calamine reads the table: strings are the `si` elements after the first `sst` start and
    before its end, each ending at the first end tag of its own name (a nested `si` is not a
    string). All the text inside an `si` counts, phonetic runs too: what calamine keeps is never
    longer. Streaming through expat: a DOCTYPE (entities) is refused."""

    def __init__(self, part: str):
        self.part = part
        self.lengths = array("L")
        self.longest = 0
        self.cost = 0  # the table itself in calamine's memory
        self._state = "before"  # "before" <sst>, "in", "after" </sst>
        self._closing: str | None = None  # the name of the `si` being read
        self._length = 0
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.StartDoctypeDeclHandler = self._doctype
        self._parser = parser

    def feed(self, piece: bytes) -> None:
        try:
            self._parser.Parse(piece, False)
        except expat.ExpatError as exc:
            raise SheetRefused(
                _not_xlsx(_("bagian %(part)s rusak") % {"part": self.part[:80]})
            ) from exc

    def finish(self) -> None:
        self.feed(b"")
        try:
            self._parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise SheetRefused(
                _not_xlsx(_("bagian %(part)s rusak") % {"part": self.part[:80]})
            ) from exc

    def _doctype(self, *args) -> None:
        raise SheetRefused(_odd_xml(self.part, _("DOCTYPE")))

    def _start(self, name: str, attributes: dict) -> None:
        if self._state == "before":
            if name.rpartition(":")[2] == "sst":
                self._state = "in"
        elif self._state == "in" and self._closing is None and name.rpartition(":")[2] == "si":
            self._closing, self._length = name, 0

    def _end(self, name: str) -> None:
        if self._closing is not None:
            if name == self._closing:
                self._closing = None
                self.lengths.append(self._length)
                self.longest = max(self.longest, self._length)
                self.cost += self._length + STRING_OVERHEAD
                if self.cost > MAX_SHARED_TEXT or len(self.lengths) > MAX_CELLS:
                    raise SheetRefused(self._too_many())
        elif self._state == "in" and name.rpartition(":")[2] == "sst":
            self._state = "after"

    def _text(self, data: str) -> None:
        if self._closing is not None:
            self._length += len(data) if data.isascii() else len(data.encode())

    def _too_many(self) -> str:
        return _(
            "Tabel teks bersama (shared strings) berkas XLSX ini berisi %(n)s teks berbeda, "
            "lebih dari %(max)s MB setelah dibuka: terlalu besar untuk dibaca. Unggah daftar "
            "sebagai CSV UTF-8 (dibaca bertahap), atau bagi menjadi beberapa berkas."
        ) % {"n": _number(len(self.lengths)), "max": _number(MAX_SHARED_TEXT >> 20)}

    def size_of(self, raw: bytes) -> int:
        """What calamine copies into a cell whose <v> reads `raw`: the string of that index
        (none past the table's end: calamine then refuses the file); a value it would parse
        another way (spaces, an entity, leading zeros) counts as the longest string."""
        if not raw:
            return 0
        if PLAIN_INDEX.fullmatch(raw):
            index = int(raw)
            return self.lengths[index] if index < len(self.lengths) else 0
        return self.longest

    def sizes_of(self, indexes: list[bytes]) -> list[int]:
        """size_of for plain indexes, at C speed where every one is inside the table."""
        try:
            return list(map(self.lengths.__getitem__, map(int, indexes)))
        except IndexError:
            return [self.size_of(raw) for raw in indexes]


def _shared_message(cells: int, longest: int, size: int) -> str:
    return _(
        "Berkas XLSX memuat teks yang dipakai berulang di banyak sel (%(cells)s sel; yang "
        "terpanjang %(chars)s karakter): setelah dibuka menjadi %(mb)s MB teks, paling banyak "
        "%(max)s MB. Hapus teks panjang yang diulang di setiap baris (misalnya kolom "
        "keterangan), atau unggah daftar sebagai CSV UTF-8."
    ) % {
        "cells": _number(cells),
        "chars": _number(longest),
        "mb": _number(size >> 20),
        "max": _number(MAX_SHARED_TEXT >> 20),
    }


# --- the cells of a worksheet -----------------------------------------------------------------


def column_name(index: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, 16384 -> XFD."""
    name = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class _Cells:
    """The rectangle calamine would allocate for one worksheet part: rows and columns 1-based,
    from A1 (a table starting lower only makes the estimate larger)."""

    def __init__(self, part: str, strings: _SharedStrings | None = None):
        self.part = part
        self.rows = 0
        self.columns = 0
        self.bytes = 0
        self.carry = b""
        self.started = False
        # What calamine holds of the shared strings for this sheet: the table, then a copy of
        # the string each cell names.
        self.strings = strings
        self.shared = strings.cost if strings is not None else 0
        self.shared_cells = 0
        self.shared_longest = 0

    def shared_add(self, sizes: list[int]) -> None:
        if not sizes:
            return
        self.shared += sum(sizes)
        self.shared_cells += len(sizes)
        self.shared_longest = max(self.shared_longest, max(sizes))
        if self.shared > MAX_SHARED_TEXT:
            raise SheetRefused(_shared_message(self.shared_cells, self.shared_longest, self.shared))

    def cell(self, column: int, row: int) -> None:
        if column > self.columns:
            self.columns = column
            if column > MAX_COLUMNS:
                raise SheetRefused(
                    _(
                        "Lembar kerja berisi sel di kolom %(column)s (kolom ke-%(n)s; paling "
                        "banyak %(max)s kolom dibaca): hapus kolom kosong di luar tabel (pilih "
                        "kolomnya, klik kanan, Hapus) lalu simpan ulang."
                    )
                    % {
                        "column": column_name(column),
                        "n": _number(column),
                        "max": MAX_COLUMNS,
                    }
                )
        if row > self.rows:
            self.rows = row
            if row > MAX_ROWS:
                raise SheetRefused(
                    _(
                        "Lembar kerja berisi sel di baris %(row)s, melewati batas Excel "
                        "(%(max)s baris): berkas rusak atau bukan buatan Excel. Simpan ulang "
                        "dari Excel, atau unggah sebagai CSV UTF-8."
                    )
                    % {"row": _number(row), "max": _number(MAX_ROWS)}
                )
        if self.rows * self.columns > MAX_CELLS:
            raise SheetRefused(self._area_message(_number(MAX_CELLS)))

    def _area_message(self, limit: str) -> str:
        return _(
            "Lembar kerja berisi sel sampai %(ref)s, jadi harus dibaca sebagai %(cells)s sel "
            "(paling banyak %(max)s): hapus baris dan kolom kosong di luar tabel (pilih, klik "
            "kanan, Hapus) lalu simpan ulang. Daftar yang memang sebesar ini unggah sebagai CSV "
            "UTF-8."
        ) % {
            "ref": f"{column_name(self.columns)}{self.rows}",
            "cells": _number(self.rows * self.columns),
            "max": limit,
        }

    def head(self, buf: bytes) -> bytes:
        """The start of the part: refuse what is not ASCII-compatible XML, check the declared
        dimension, drop the XML declaration (the only processing instruction allowed)."""
        self.started = True
        if b"\x00" in buf[:4096] or buf[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise SheetRefused(_odd_xml(self.part, _("pengodean selain UTF-8")))
        declaration = XML_DECLARATION.match(buf)
        if declaration:
            buf = buf[declaration.end() :]
        data_at = buf.find(b"sheetData")
        dimension = DIMENSION.search(buf, 0, data_at if data_at >= 0 else len(buf))
        if dimension:
            self._dimension_check(dimension.group(1).decode("latin-1"))
        return buf

    def _dimension_check(self, ref: str) -> None:
        end = ref.rpartition(":")[2].replace("$", "")
        parsed = _ref_parse(end.encode("latin-1"))
        if parsed is None:
            return  # calamine refuses a malformed dimension itself
        column, row = parsed
        if column > MAX_COLUMNS or row > MAX_ROWS or column * row > MAX_CELLS:
            raise SheetRefused(
                _(
                    "Lembar kerja menyatakan ukuran %(ref)s (%(columns)s kolom x %(rows)s baris; "
                    "paling banyak %(max_columns)s kolom, %(max_cells)s sel): hapus baris dan "
                    "kolom kosong di luar tabel lalu simpan ulang dari Excel."
                )
                % {
                    "ref": ref[:40],
                    "columns": _number(column),
                    "rows": _number(row),
                    "max_columns": MAX_COLUMNS,
                    "max_cells": _number(MAX_CELLS),
                }
            )

    def markup_check(self, text: bytes) -> None:
        """No comment, CDATA, DOCTYPE or processing instruction: a scanner would read the tags
        inside them, calamine would not (or the reverse)."""
        if (b"!" in text and b"<!" in text) or (b"?" in text and b"<?" in text):
            raise SheetRefused(_odd_xml(self.part, _("komentar, CDATA atau instruksi XML")))

    def finish_check(self) -> None:
        area = self.rows * self.columns
        if area > SPARSE_FLOOR and area > self.bytes:
            raise SheetRefused(
                _(
                    "Lembar kerja berisi sel yang terpencil jauh dari isinya (sampai %(ref)s, "
                    "%(cells)s sel untuk %(kb)s KB isi): hapus baris dan kolom kosong di luar "
                    "tabel (pilih, klik kanan, Hapus) lalu simpan ulang."
                )
                % {
                    "ref": f"{column_name(self.columns)}{self.rows}",
                    "cells": _number(area),
                    "kb": _number(self.bytes >> 10),
                }
            )


def _odd_xml(part: str, what: str) -> str:
    return _(
        "Lembar kerja %(part)s berisi struktur XML yang tidak lazim (%(what)s) sehingga tidak "
        "dapat diperiksa dengan aman. Buka di Excel lalu simpan ulang sebagai XLSX, atau "
        "unggah sebagai CSV UTF-8."
    ) % {"part": part.rsplit("/", 1)[-1][:60], "what": what}


XML_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^<>]*\?>")
DIMENSION = re.compile(rb"<(?:[\w.\-]+:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']{0,64})[\"']")
REF = re.compile(rb"([A-Za-z]{1,3})([1-9][0-9]{0,6})")


def _ref_parse(ref: bytes) -> tuple[int, int] | None:
    """b'XFD1048576' -> (16384, 1048576); None if not a plain reference."""
    match = REF.fullmatch(ref)
    if match is None:
        return None
    column = 0
    for ch in match.group(1).upper():
        column = column * 26 + ch - 64
    return column, int(match.group(2))


# A cell tag: quote-aware, no '<' inside (not XML, and it would hide a tag from a scanner).
CELL_TAG = re.compile(rb"<c(?=[\s/>])((?:[^<>\"']++|\"[^<\"]*+\"|'[^<']*+')*+)>")
ATTRIBUTE = re.compile(rb"([\w.:\-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
CELL_START = re.compile(rb"<c(?=[\s/>])")
PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|row|sheetData)[\s/>]")
# A `t` attribute saying "shared string", however written (calamine compares the raw value).
ANY_SHARED = re.compile(rb"""\bt\s*=\s*(?:"s"|'s')""")
# A shared-string cell as Excel, LibreOffice, openpyxl and xlsxwriter write it: its index.
FAST_SHARED = re.compile(
    rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"(?: s="[0-9]{1,9}")? t="s"(?: s="[0-9]{1,9}")?>'
    rb"<v>(0|[1-9][0-9]{0,8})</v></c>"
)


def _last_cell_start(buf: bytes, end: int) -> int:
    """Where the last cell tag (`<c` then a space, `/` or `>`) before `end` starts, or -1."""
    at = buf.rfind(b"<c", 0, end + 2)
    while at >= 0 and buf[at + 2 : at + 3] not in (b" ", b"\t", b"\r", b"\n", b"/", b">"):
        at = buf.rfind(b"<c", 0, at)
    return at


@lru_cache(maxsize=256)
def _unexpected(columns: int, rows: int) -> re.Pattern[bytes]:
    """A cell tag that is not `<c r="REF" ...>` with REF inside columns x rows and no other `r`
    attribute: what the fast scan cannot account for at C speed. calamine takes the last `r`
    of a tag, so a second one is unexpected too."""
    refs = b"(?:" + _columns_upto(columns) + b")(?:" + _rows_upto(rows) + b')"'
    rest = rb"(?:[^<>\"'r]++|\"[^<\"]*+\"|'[^<']*+'|r(?!\s*=))*+>"
    return re.compile(rb'<c(?=[\s/>])(?! r="' + refs + rest + b")")


def _round_up(rows: int) -> int:
    """Up to 3 significant digits (100,001 -> 101,000), at most MAX_ROWS."""
    step = 10 ** max(0, len(str(rows)) - 3)
    return min(MAX_ROWS, -(-rows // step) * step) if rows > 0 else 0


def _columns_upto(columns: int) -> bytes:
    """Column names A..column_name(columns), upper case, as a regex (at most 2 letters)."""
    if columns <= 0:
        return b"(?!)"
    if columns <= 26:
        return b"[A-" + column_name(columns).encode() + b"]"
    last = column_name(columns)  # two letters: A..Z, then AA.., up to `last`
    alternatives = [b"[A-Z]"]
    if last[0] > "A":
        alternatives.append(b"[A-" + chr(ord(last[0]) - 1).encode() + b"][A-Z]")
    alternatives.append(last[0].encode() + b"[A-" + last[1].encode() + b"]")
    return b"|".join(alternatives)


def _rows_upto(rows: int) -> bytes:
    """Decimal numbers 1..rows without leading zeros, as a regex."""
    if rows <= 0:
        return b"(?!)"
    digits = str(rows)
    alternatives = []
    if len(digits) > 1:
        alternatives.append(f"[1-9][0-9]{{0,{len(digits) - 2}}}")
    for i, d in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(d) > low:
            alternatives.append(f"{digits[:i]}[{low}-{int(d) - 1}][0-9]{{{len(digits) - i - 1}}}")
    alternatives.append(digits)
    return "|".join(alternatives).encode()


class _FastCells(_Cells):
    """Every cell tag `<c r="B7" ...>`: the rectangle comes from the references alone. Per
    piece: the last reference (in a table written top to bottom, the lowest row so far), then
    one search for any cell tag outside what is known; only a piece with one is parsed tag by
    tag (the first piece, or a file written out of order)."""

    def feed(self, piece: bytes) -> None:
        self.bytes += len(piece)
        buf = self.carry + piece
        if not self.started:
            buf = self.head(buf)
        cut = buf.rfind(b"<")
        if self.strings is not None and cut >= 0:
            # A cell with its value stays whole: its shared string is read with it.
            cell = _last_cell_start(buf, cut)
            cut = cell if cell >= 0 else cut
        self.carry = buf[cut:] if cut >= 0 else b""
        self._scan(buf[:cut] if cut >= 0 else b"", final=False)
        if len(self.carry) > MAX_CARRY:
            raise SheetRefused(_odd_xml(self.part, _("tag atau isi sel lebih dari 2 MB")))

    def finish(self) -> None:
        buf, self.carry = self.carry, b""
        self._scan(buf, final=True)
        self.finish_check()

    def _scan(self, text: bytes, *, final: bool) -> None:
        self.markup_check(text)
        if b":" in text and PREFIXED.search(text):
            raise _Slower
        if self.strings is not None:
            named = len(ANY_SHARED.findall(text))
            if named:
                indexes = FAST_SHARED.findall(text)
                if len(indexes) != named:
                    raise _Slower  # a shared cell written another way: the exact way reads it
                self.shared_add(self.strings.sizes_of(indexes))
        last = text.rfind(b'<c r="')
        if last >= 0:
            end = text.find(b'"', last + 6)
            parsed = _ref_parse(text[last + 6 : end]) if end > 0 else None
            if parsed is not None:
                self.cell(*parsed)
        # Searched up to a round bound (fewer patterns to compile), then counted at that bound.
        bound = _round_up(self.rows)
        found = _unexpected(self.columns, bound).search(text)
        if found is not None:
            self._tags(text, found.start(), final=final)
        if bound > self.rows:
            self.cell(self.columns, bound)

    def _tags(self, text: bytes, start: int, *, final: bool) -> None:
        """The cell tags from `start` on, one by one."""
        for opening in CELL_START.finditer(text, start):
            tag = CELL_TAG.match(text, opening.start())
            if tag is None:
                if final or b"<" in text[opening.start() + 1 :]:
                    raise _Slower  # not a tag the fast way can read: let the exact way judge
                # The piece ends inside this tag: keep it for the next piece.
                self.carry = text[opening.start() :] + self.carry
                return
            references = _references(tag.group(1))
            if not references:
                raise _Slower  # a cell placed by counting: the exact way follows the counters
            for ref in references:
                parsed = _ref_parse(ref)
                if parsed is None:
                    raise _Slower
                self.cell(*parsed)


# Any tag (quote-aware, no '<' inside): its '/', its name (prefix kept), its attributes.
TAG = re.compile(
    rb"<(/?)([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)((?:[^<>\"']++|\"[^<\"]*+\"|'[^<']*+')*+)>"
)


class _ExactCells(_Cells):
    """Every tag, as calamine's cell reader sees them: cells between <sheetData> and
    </sheetData>; a <row r> sets the row, </row> moves to the next and back to column A; a cell
    with `r` goes there (calamine takes its last `r`), one without goes to the next column.
    Inside a cell only its own </c> counts: a cell or row tag there, or a </c> inside a child
    element, is refused (calamine's value reader swallows such tags; we will not guess how).
    Every '<' must start a whole tag."""

    def __init__(self, part: str, strings: _SharedStrings | None = None):
        super().__init__(part, strings)
        self.state = "before"  # "before" <sheetData>, "rows", "cell", "after" </sheetData>
        self.row = 0  # calamine's row_index and col_index, 0-based
        self.column = 0
        self.depth = 0  # open child elements inside the current cell
        self.cell_shared = False  # the current cell names a shared string (t="s")

    def feed(self, piece: bytes) -> None:
        self.bytes += len(piece)
        buf = self.carry + piece
        if not self.started:
            buf = self.head(buf)
        cut = buf.rfind(b"<")
        if cut < 0:
            self.carry = b""
            return
        self.carry = buf[cut:]
        self._scan(buf[:cut])
        if len(self.carry) > MAX_CARRY:
            raise SheetRefused(_odd_xml(self.part, _("tag atau isi sel lebih dari 2 MB")))

    def finish(self) -> None:
        buf, self.carry = self.carry, b""
        self._scan(buf)
        self.finish_check()

    def _scan(self, text: bytes) -> None:
        self.markup_check(text)
        tags = 0
        for tag in TAG.finditer(text):
            tags += 1
            closing, name, attributes = tag.group(1) == b"/", tag.group(2), tag.group(3)
            name = name.rpartition(b":")[2]
            empty = attributes.rstrip().endswith(b"/")
            if self.state == "rows":
                self._in_rows(closing, name, attributes, empty)
            elif self.state == "cell":
                if self.cell_shared and name == b"v" and not closing and not empty:
                    # Its text runs to the next tag: every '<' starts one (checked below).
                    end = text.find(b"<", tag.end())
                    value = text[tag.end() : end if end >= 0 else len(text)]
                    self.shared_add([self.strings.size_of(value)])  # type: ignore[union-attr]
                self._in_cell(closing, name, empty)
            elif self.state == "before" and name == b"sheetData" and not closing:
                self.state = "after" if empty else "rows"
        if tags != text.count(b"<"):
            raise SheetRefused(_odd_xml(self.part, _("tanda < di luar tag")))

    def _in_rows(self, closing: bool, name: bytes, attributes: bytes, empty: bool) -> None:
        if name == b"sheetData" and closing:
            self.state = "after"
        elif name == b"row":
            if not closing:
                self._row_start(attributes)
            if closing or empty:
                self.row += 1
                self.column = 0
        elif name == b"c" and not closing:
            self._cell_start(attributes)
            if empty:
                self.column += 1
            else:
                self.state, self.depth = "cell", 0

    def _in_cell(self, closing: bool, name: bytes, empty: bool) -> None:
        if name in (b"c", b"row"):
            if not (closing and name == b"c" and self.depth == 0):
                raise SheetRefused(_odd_xml(self.part, _("sel di dalam sel")))
            self.column += 1
            self.state = "rows"
        elif closing:
            self.depth -= 1
        elif not empty:
            self.depth += 1

    def _row_start(self, attributes: bytes) -> None:
        refs = _references(attributes)
        if refs:  # calamine reads a row's first `r`: letters, if any, then the row number
            digits = refs[0].lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
            if not digits.isdigit() or int(digits) < 1:
                raise SheetRefused(_odd_xml(self.part, _("nomor baris tidak sah")))
            self.row = int(digits) - 1

    def _cell_start(self, attributes: bytes) -> None:
        self.cell_shared = self.strings is not None and any(
            key == b"t" and (double or single) == b"s"
            for key, double, single in ATTRIBUTE.findall(attributes)
        )
        refs = _references(attributes)
        if not refs:
            self.cell(self.column + 1, self.row + 1)
            return
        parsed = _ref_parse(refs[-1])
        if parsed is None:
            raise SheetRefused(_odd_xml(self.part, _("alamat sel tidak sah")))
        self.cell(*parsed)
        self.column = parsed[0] - 1


def _references(attributes: bytes) -> list[bytes]:
    """The values of the attributes named exactly `r`, in order."""
    return [m[1] or m[2] for m in ATTRIBUTE.findall(attributes) if m[0] == b"r"]
