"""The shared strings: the length of every string, and what the cells that name them cost."""

from __future__ import annotations

import re
from array import array
from xml.parsers import expat

from django.utils.translation import gettext as _

from files.xlsxcheck.limits import (
    MAX_CELLS,
    MAX_SHARED_TEXT,
    SheetRefused,
    _not_xlsx,
    _number,
    _odd_xml,
)

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
