"""Which parts calamine reads: the package's relationships."""

from __future__ import annotations

import html
import zipfile
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from files.xlsxcheck.limits import MAX_PACKAGE_PART, SheetRefused, _odd_xml
from files.xlsxcheck.parts import _inflated, _is_worksheet, _normal, _Total
from files.xlsxcheck.tags import ATTRIBUTE, TAG, XML_DECLARATION

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
