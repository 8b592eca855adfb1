"""The entry point: a spreadsheet checked part by part before calamine reads it."""

from __future__ import annotations

import zipfile
from typing import IO

from django.utils.translation import gettext as _

from files.xlsxcheck.cells import _ExactCells, _FastCells
from files.xlsxcheck.limits import SheetRefused, _not_xlsx
from files.xlsxcheck.package import _Package
from files.xlsxcheck.parts import _format_check, _inflated, _members, _Slower, _Total
from files.xlsxcheck.strings import _SharedStrings


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
