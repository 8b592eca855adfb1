"""How a team's typist and Excel turn a person into the cells of a B.1-KWK support list file.

`Styler` makes the clean variations of hand-typed rows (titles and degrees, case, spacing, old
spellings, date formats, spelled-out sex and marital status): verification must flag none of
them. `mangle` is what Excel does to a 16-digit NIK, which intake must reject. `SupportWriter`
streams the rows to CSV or XLSX, with fixed metadata so that the same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from candidates.intake import REQUIRED as SUPPORT_COLUMNS
from seeds import names as N
from seeds.nik import mix
from seeds.population import WRITE_BLOCK, Person

# The importer's own column list, in its order: the files carry exactly what is read.
SUPPORT_HEADER = SUPPORT_COLUMNS


class Styler:
    """Clean variations a team's typist produces; none of them may be flagged."""

    def __init__(self, fmt: str):
        self.xlsx = fmt == "xlsx"

    def name(self, name: str, sex: str, h: int) -> str:
        h, v = divmod(h, 100)
        if v < 55:
            return name
        if v < 65:
            return name.title()
        if v < 70:
            return name.lower()
        if v < 78:
            titles = N.PREFIX_TITLES_FEMALE if sex == "P" else N.PREFIX_TITLES_MALE
            return f"{titles[h % len(titles)]} {name}"
        if v < 85:
            return f"{name}, {N.SUFFIX_DEGREES[h % len(N.SUFFIX_DEGREES)]}"
        if v < 92:
            return "  " + name.replace(" ", "  ") + " "
        tokens = name.split(" ")
        old = [N.old_spelling(t) if t in N.OLD_SPELLING_NAMES else t for t in tokens]
        return " ".join(old).title() if old != tokens and v < 96 else " ".join(old)

    def date(self, day: dt.date, h: int):
        v = h % 100
        if self.xlsx:
            if v < 40:
                return day  # a date cell
            if v < 50:
                return float((day - dt.date(1899, 12, 30)).days)  # an Excel serial number
        if v < 70:
            return f"{day.day:02d}-{day.month:02d}-{day.year}"
        if v < 80:
            return f"{day.day:02d}/{day.month:02d}/{day.year}"
        if v < 88:
            return f"{day.day} {N.MONTHS_ID[day.month - 1]} {day.year}"
        if v < 95:
            return day.isoformat()
        return f"{day.day:02d}-{N.MONTHS_ID_SHORT[day.month - 1]}-{day.year}"

    @staticmethod
    def sex(sex: str, h: int) -> str:
        if h % 10:
            return sex
        return "LAKI-LAKI" if sex == "L" else "PEREMPUAN"

    @staticmethod
    def marital(code: str, h: int) -> str:
        if h % 5:
            return code
        return {"B": "BELUM KAWIN", "S": "KAWIN", "P": "CERAI HIDUP"}[code]


def person_cells(p: Person, style: Styler, h: int, *, occupation: str) -> list:
    """The cells of a supporter row in the header's order (without HALAMAN), as typed."""
    h1 = mix(h)
    return [
        p.nik,
        style.name(p.name, p.sex, h1 % 10_000),
        p.birth_place,
        style.date(p.birth_date, h1 // 10_000),
        style.sex(p.sex, h1 // 1_000_000),
        p.address,
        p.rt,
        p.rw,
        p.kelurahan,
        occupation,
        style.marital(p.marital, h1 // 100_000_000),
    ]


def mangle(nik: str, h: int, fmt: str):
    """What Excel does to a 16-digit NIK typed into a number column."""
    v = h % 3
    if v == 0:
        return f"{nik[0]}.{nik[1:6]}E+15"
    if v == 1 or fmt == "csv":
        return nik[:15]
    return float(nik)  # a number cell


class SupportWriter:
    """Streams rows to CSV (in blocks) or XLSX (constant memory), typed as Excel would hold them."""

    def __init__(self, path: str | Path, fmt: str):
        if fmt not in ("csv", "xlsx"):
            raise ValueError("fmt: csv atau xlsx")
        self.fmt = fmt
        self.row = 0
        if fmt == "csv":
            self._fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._csv = csv.writer(self._fh, lineterminator="\n")
            self._csv.writerow(SUPPORT_HEADER)
            self._block: list[list] = []
        else:
            import xlsxwriter

            self._book = xlsxwriter.Workbook(
                str(path), {"constant_memory": True, "strings_to_numbers": False}
            )
            # Fixed metadata so that the same seed gives the same bytes.
            self._book.set_properties({"created": dt.datetime(2024, 5, 8, 8, 0, 0)})
            self._sheet = self._book.add_worksheet("B.1-KWK")
            self._date_format = self._book.add_format({"num_format": "dd-mm-yyyy"})
            self._sheet.write_row(0, 0, SUPPORT_HEADER)

    def write(self, cells: list) -> None:
        self.row += 1
        if self.fmt == "csv":
            self._block.append(cells)
            if len(self._block) >= WRITE_BLOCK:
                self._csv.writerows(self._block)
                self._block.clear()
            return
        sheet, r = self._sheet, self.row
        for c, value in enumerate(cells):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self._date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)

    def close(self) -> None:
        if self.fmt == "csv":
            self._csv.writerows(self._block)
            self._fh.close()
        else:
            self._book.close()
