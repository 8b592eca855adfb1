"""The zip: its directory and its parts, inflated in bounded pieces."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from files.xlsxcheck.limits import (
    CHUNK,
    MAX_DIRECTORY,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    RATIO_FLOOR,
    SheetRefused,
    _not_xlsx,
    _number,
)

# --- the zip ----------------------------------------------------------------------------------

EOCD = struct.Struct("<4s4H2LH")


EOCD64_LOCATOR = struct.Struct("<4sLQL")


EOCD64 = struct.Struct("<4sQ2H2L4Q")


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
