"""What an upload can already tell the team without the voter roll (the pre-check).

The intake (candidates.intake) reads each good row once; on the way it notes here what the
KPU's verification would find later anyway, so the team learns it while it can still fix it:

- the same NIK twice in the file, and a NIK already in one of the pair's other lists (compared
  by the keyed NIK hash, never by the NIK);
- a kelurahan outside the election's region (a Bekasi code in a Jakarta list);
- a NIK whose region code (digits 1-6) is no kecamatan, or whose birth date (digits 7-12, day
  + 40 for women) is no day at all, or is another day than the typed one;
- a supporter under 17 on the voting day by the NIK's birth date (and not married).

These are warnings: the rows stay, the verification still decides. What a row cannot be read
for is an error, as before (candidates.intake). A file whose dates are written month-first
(10/22/1981) is told so once, with the fix (`DateOrder`).

The report kept on the upload (SupportUpload.precheck) holds counts, row numbers, masked NIKs
(keys.nik.nik_mask: the first four digits) and short details, never a NIK, a name or a date:
the downloadable file of the flagged rows is read from the kept file when asked
(`precheck_download`), with the NIK masked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from files.parsing import shown
from keys.nik import MARRIED, NikCheck, eligible_birth_cutoff, nik_mask

# Plain ints: `&` with an IntFlag costs a few microseconds a row (the enum's __and__).
PREFIX_UNKNOWN = int(NikCheck.PREFIX_UNKNOWN)
DATE_IMPOSSIBLE = int(NikCheck.DATE_IMPOSSIBLE)
BIRTH_DATE_DIFFERS = int(NikCheck.BIRTH_DATE_DIFFERS)
NIK_WARNED = PREFIX_UNKNOWN | DATE_IMPOSSIBLE | BIRTH_DATE_DIFFERS
ITEMS_KEPT = 1000  # rows shown per kind; the counts are of every row
EARLIER_BATCH = 5000  # hashes per query against the pair's other lists
FLAGS_KEPT = 200_000  # flagged rows the download can list (a list is at most ~840k rows)
ROWS_QUOTED = 10  # row numbers quoted in the month-first notice

DUP_FILE = "dup_file"
DUP_EARLIER = "dup_earlier"
OUTSIDE = "outside_region"
NIK_REGION = "nik_region"
NIK_DATE = "nik_date"
BIRTH_DIFFERS = "birth_differs"
UNDERAGE = "underage"
BITS = {DUP_FILE: 1, DUP_EARLIER: 2, OUTSIDE: 4, NIK_REGION: 8, NIK_DATE: 16, BIRTH_DIFFERS: 32,
        UNDERAGE: 64}  # fmt: skip


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # as the page and the download name it (gettext at use)
    hint: str

    @property
    def bit(self) -> int:
        return BITS[self.key]


def kinds() -> tuple[Kind, ...]:
    """The warnings in the order the page lists them, with what the team can do."""
    return (
        Kind(DUP_FILE, _("NIK ganda dalam berkas"),
             _("NIK yang sama tertulis lebih dari sekali: dukungan dihitung satu kali. Hapus "
               "baris yang berulang.")),
        Kind(DUP_EARLIER, _("NIK sudah ada di daftar sebelumnya"),
             _("NIK ini sudah ada di unggahan lain pasangan ini: dukungan dihitung satu kali. "
               "Jangan unggah ulang baris yang sudah diterima.")),
        Kind(OUTSIDE, _("Kelurahan di luar wilayah pemilihan"),
             _("Kode kelurahan/desa ini bukan bagian dari wilayah pemilihan: pendukung harus "
               "berdomisili di wilayah pemilihan. Periksa kode wilayahnya.")),
        Kind(NIK_REGION, _("Kode wilayah NIK tidak ada"),
             _("Enam angka pertama NIK bukan kode kecamatan mana pun: periksa NIK dari KTP-el.")),
        Kind(NIK_DATE, _("Tanggal lahir di NIK tidak mungkin"),
             _("Angka ke-7 s.d. 12 NIK (tanggal, bulan, tahun lahir; tanggal + 40 untuk "
               "perempuan) bukan tanggal yang ada: periksa NIK dari KTP-el.")),
        Kind(BIRTH_DIFFERS, _("Tanggal lahir berbeda dengan NIK"),
             _("Tanggal lahir yang diketik berbeda dengan tanggal lahir di NIK (angka ke-7 s.d. "
               "12, tanggal + 40 untuk perempuan): periksa keduanya dari KTP-el.")),
        Kind(UNDERAGE, _("Belum 17 tahun pada hari pemungutan suara"),
             _("Menurut NIK, pendukung belum berusia 17 tahun pada hari pemungutan suara dan "
               "tidak berstatus kawin: dukungannya tidak memenuhi syarat.")),
    )  # fmt: skip


# --- month-first dates ------------------------------------------------------------------------


def date_order(value: Any) -> int:
    """A date written as text a/b/yyyy: 1 if a > 12 (day-first), 2 if b > 12 (month-first),
    0 otherwise (either way, not that shape, or a date cell)."""
    if type(value) is not str:
        return 0
    text = value.strip().split(" ", 1)[0]
    for sep in "-.":
        text = text.replace(sep, "/")
    parts = text.split("/")
    if len(parts) != 3 or not all(p.isdecimal() for p in parts):
        return 0
    first, second, year = parts
    if len(first) > 2 or len(second) > 2 or len(year) not in (2, 4):
        return 0
    a, b = int(first), int(second)
    if a > 12 >= b:
        return 1
    if b > 12 >= a:
        return 2
    return 0


class DateOrder:
    """Counts the two orders over a file's date cells. Month-first: some second number above
    12 and no first one (`10/22/1981` and never `22/10/1981`)."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0]
        self._memo: dict[Any, int] = {}

    def see(self, value: Any) -> int:
        try:
            order = self._memo[value]
        except (KeyError, TypeError):
            order = date_order(value)
            if type(value) is str and len(self._memo) < 100_000:
                self._memo[value] = order
        self.counts[order] += 1
        return order

    @property
    def month_first(self) -> bool:
        return self.counts[2] > 0 and self.counts[1] == 0


def month_first_message(column: str, rows: list[int], count: int) -> str:
    quoted = ", ".join(str(r) for r in rows[:ROWS_QUOTED])
    if count > ROWS_QUOTED:
        quoted += " " + _("dan %(n)s lainnya") % {
            "n": number_format(count - ROWS_QUOTED, force_grouping=True)
        }
    return _(
        "Tanggal di kolom “%(column)s” ditulis bulan-hari-tahun (misalnya 10/22/1981), bukan "
        "hari-bulan-tahun: %(n)s baris ditolak karena bulannya lebih dari 12 (baris %(rows)s), "
        "dan tanggal lain seperti 05/06/1990 terbaca 5 Juni, bukan 6 Mei. Perbaiki seluruh "
        "kolom sekaligus: di Excel pilih kolom “%(column)s”, Data > Text to Columns > Date: MDY "
        "> Finish, lalu Format Cells > Custom dd-mm-yyyy (atau simpan CSV dengan pengaturan "
        "wilayah Indonesia); unggah ulang berkasnya."
    ) % {"column": column, "n": number_format(count, force_grouping=True), "rows": quoted}


# --- the row checks ---------------------------------------------------------------------------


class Precheck:
    """The warnings of one upload, gathered row by row in the intake's loop (`row`), then
    against the pair's other lists once the rows are loaded (`earlier`)."""

    def __init__(
        self, *, region: str, voting_day: dt.date, columns: dict[str, str], nik_index: int = 0
    ):
        self.region = region
        self.inside_prefix = region + "."
        self.cutoff = eligible_birth_cutoff(voting_day)
        self.voting_day = voting_day
        self.columns = columns  # canonical column -> the team's header
        self.nik_index = nik_index  # the NIK's column in the file (masked in the download)
        self.counts = {k.key: 0 for k in kinds()}
        self.items: dict[str, list[dict[str, Any]]] = {k.key: [] for k in kinds()}
        self.flags: dict[int, int] = {}
        self.notices: list[dict[str, Any]] = []
        self.dates = DateOrder()
        # NIK hash -> its first row * 10,000 + the NIK's first four digits (the mask's).
        self._seen: dict[bytes, int] = {}
        self._inside: dict[str, bool] = {}
        self._minor: dict[tuple[str, str], bool] = {}

    def _add(self, kind: str, row: int, nik: str, detail: str = "") -> None:
        self.counts[kind] += 1
        if len(self.items[kind]) < ITEMS_KEPT:
            self.items[kind].append({"row": row, "nik": nik, "detail": detail})
        if row in self.flags or len(self.flags) < FLAGS_KEPT:
            self.flags[row] = self.flags.get(row, 0) | BITS[kind]

    def row(
        self, number: int, nik: str, nik_hash: bytes, bits: int, birth: str, kel: str, marital: str
    ) -> None:
        """A good row: `birth` its typed date in ISO, `bits` keys.nik.NikCheck of its NIK."""
        masked = None
        first = self._seen.setdefault(nik_hash, number * 10_000 + int(nik[:4]))
        if first // 10_000 != number:
            masked = nik_mask(nik)
            detail = _("sama dengan baris %(row)s") % {"row": first // 10_000}
            self._add(DUP_FILE, number, masked, detail)
        inside = self._inside.get(kel)
        if inside is None:
            inside = self._inside[kel] = kel == self.region or kel.startswith(self.inside_prefix)
        if not inside:
            masked = masked or nik_mask(nik)
            self._add(OUTSIDE, number, masked, kel)
        if bits & NIK_WARNED:
            masked = masked or nik_mask(nik)
            self._nik(number, masked, bits)
        if marital in MARRIED or bits & DATE_IMPOSSIBLE:
            return
        key = (nik[6:12], birth[:4])
        minor = self._minor.get(key)
        if minor is None:
            minor = self._minor[key] = self._nik_minor(*key)
        if minor:
            self._add(UNDERAGE, number, masked or nik_mask(nik))

    def _nik(self, number: int, masked: str, bits: int) -> None:
        if bits & PREFIX_UNKNOWN:
            self._add(NIK_REGION, number, masked)
        if bits & DATE_IMPOSSIBLE:
            self._add(NIK_DATE, number, masked)
        elif bits & BIRTH_DATE_DIFFERS:
            self._add(BIRTH_DIFFERS, number, masked, self.columns.get("TANGGAL_LAHIR", ""))

    def _nik_minor(self, ddmmyy: str, typed_year: str) -> bool:
        """Under 17 on voting day by the NIK's date. The NIK has two digits of the year: the
        typed year's century when they agree, else the latest century not after voting day."""
        day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
        day = day - 40 if day > 40 else day
        year = int(typed_year)
        if year % 100 != yy:
            year = (self.voting_day.year // 100) * 100 + yy
            if year > self.voting_day.year:
                year -= 100
        try:
            return dt.date(year, month, day) > self.cutoff
        except ValueError:
            return False

    def earlier(self, upload: Any) -> None:
        """The rows whose NIK (keyed hash) is in another of the pair's lists, inside the load's
        transaction (the same hash keys). The file's hashes are asked for in batches on the
        nik_hash index: a correlated subquery per row took 20 s for 15,000 rows on a table
        whose statistics predate the load. A NIK twice in the file is flagged here at its
        first row (its repeats are duplicates within the file)."""
        from candidates.models import Supporter

        others = Supporter.objects.filter(pair_id=upload.pair_id).exclude(upload_id=upload.pk)
        if not self._seen or not others.exists():
            return
        found: dict[bytes, tuple[int, int]] = {}
        hashes = list(self._seen)
        for start in range(0, len(hashes), EARLIER_BATCH):
            rows = others.filter(nik_hash__in=hashes[start : start + EARLIER_BATCH])
            for nik_hash, other_upload, other_row in rows.values_list(
                "nik_hash", "upload_id", "row_number"
            ).order_by():
                key, where = bytes(nik_hash), (other_upload, other_row)
                if key not in found or where < found[key]:
                    found[key] = where
        for key, (other_upload, other_row) in found.items():
            number, prefix = divmod(self._seen[key], 10_000)
            detail = _("unggahan #%(upload)s baris %(row)s") % {
                "upload": other_upload, "row": other_row
            }  # fmt: skip
            self._add(DUP_EARLIER, number, f"{prefix:04d}" + "*" * 12, detail)

    def month_first(self, column: str, rows: list[int], count: int) -> dict[str, Any]:
        notice = {
            "kind": "month_first",
            "column": column,
            "rows": rows[:ROWS_QUOTED],
            "count": count,
            "message": month_first_message(column, rows, count),
        }
        self.notices.append(notice)
        return notice

    def report(self) -> dict[str, Any]:
        """What SupportUpload.precheck keeps: counts, rows (masked NIKs), notices."""
        for items in self.items.values():
            items.sort(key=lambda item: item["row"])
        return {
            "columns": self.columns,
            "nik_index": self.nik_index,
            "counts": self.counts,
            "items": {key: items for key, items in self.items.items() if items},
            "flagged": len(self.flags),
            "notices": self.notices,
        }

    def flag_rows(self) -> list[tuple[int, int]]:
        """What SupportUpload.precheck_flags keeps: each flagged row with its kinds' bits."""
        return sorted(self.flags.items())


# --- reading the report -----------------------------------------------------------------------


def precheck_sections(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report as the page lists it: each kind found, with its label, hint, count and rows."""
    counts, items = report.get("counts") or {}, report.get("items") or {}
    return [
        {
            "key": kind.key,
            "label": kind.label,
            "hint": kind.hint,
            "count": counts.get(kind.key, 0),
            "items": items.get(kind.key, []),
            "cut": counts.get(kind.key, 0) > len(items.get(kind.key, [])),
        }
        for kind in kinds()
        if counts.get(kind.key)
    ]


def _flag_text(bits: int) -> str:
    return "; ".join(str(k.label) for k in kinds() if bits & k.bit)


def _cell_text(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if value is None:
        return ""
    return shown(value, 1000)  # a NIK typed in another column is starred there too


def _nik_cell(value: Any) -> str:
    text = str(value or "").strip().lstrip("'").replace(" ", "").replace("-", "")
    if len(text) == 16 and text.isdigit():
        return nik_mask(text)
    return "*" * len(text) if any(ch.isdigit() for ch in text) else text


def precheck_rows(upload: Any) -> Iterator[list[str]]:
    """The flagged rows read back from the kept file, with the team's own header: "Baris",
    "Peringatan", then every column as written, the NIK masked (never a full NIK)."""
    from files.parsing import table_open
    from files.uploads import upload_open

    report = upload.precheck or {}
    flags = {int(row): bits for row, bits in upload.precheck_flags or []}
    if not flags:
        return
    last = max(flags)
    with upload_open(upload) as fh:
        table = table_open(fh, name=upload.original_name, size=upload.size, row_error=_ignore)
        header = list(table.header)
        i_nik = int(report.get("nik_index", 0))
        yield [_("Baris"), _("Peringatan"), *(_cell_text(h) for h in header)]
        for number, cells in table.rows():
            if number > last:
                break
            bits = flags.get(number)
            if bits is None:
                continue
            cells = list(cells) + [""] * (len(header) - len(cells))
            out = [_nik_cell(c) if i == i_nik else _cell_text(c) for i, c in enumerate(cells)]
            yield [str(number), _flag_text(bits), *out]


def _ignore(*_args: Any) -> None:
    return None


def _csv_safe(text: str) -> str:
    """No cell read as a formula by a spreadsheet that opens the CSV."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def precheck_csv(upload: Any) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in precheck_rows(upload):
        writer.writerow([_csv_safe(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # Excel reads the BOM as UTF-8


def precheck_xlsx(upload: Any) -> bytes:
    import xlsxwriter

    body = io.BytesIO()
    book = xlsxwriter.Workbook(
        body,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
         "in_memory": True},
    )  # fmt: skip
    sheet = book.add_worksheet(_("Peringatan"))
    bold = book.add_format({"bold": True})
    for r, row in enumerate(precheck_rows(upload)):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value, bold if r == 0 else None)
    sheet.freeze_panes(1, 0)
    book.close()
    return body.getvalue()
