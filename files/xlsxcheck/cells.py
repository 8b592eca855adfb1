"""The cells of a worksheet: the rectangle calamine would allocate, read the fast way or the
exact way."""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.translation import gettext as _

from files.xlsxcheck.limits import (
    MAX_CARRY,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SHARED_TEXT,
    SPARSE_FLOOR,
    SheetRefused,
    _number,
    _odd_xml,
)
from files.xlsxcheck.parts import _Slower
from files.xlsxcheck.strings import _shared_message, _SharedStrings
from files.xlsxcheck.tags import ATTRIBUTE, TAG, XML_DECLARATION

# --- the cells of a worksheet -----------------------------------------------------------------


def column_name(index: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, 16384 -> XFD."""
    name = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


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
