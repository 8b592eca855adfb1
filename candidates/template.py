"""The support-list template a team fills in per kelurahan (XLSX), as KPU has long handed out:
the kelurahan's code already in every row, so codes and formats arrive intact.

Row 1 is exactly the header the intake reads (candidates.intake.REQUIRED), on the first sheet;
the instructions go on a second sheet. Every column but the date is formatted as text ('@'), so
that Excel keeps a NIK as the 16 digits typed (never 3.17E+15) and RT 003 as 003; TANGGAL_LAHIR
is a date cell; JENIS_KELAMIN and STATUS_PERKAWINAN offer drop-down lists of the words the
intake accepts (files.parsing); NIK must be 16 characters long. Rows left unfilled hold
only their KODE_WILAYAH: the intake passes over them (candidates.intake.template_row).

Strings stay strings: xlsxwriter's conversions of strings to formulas, links and numbers are
off, as in the exports (verification/exports.py).
"""

from __future__ import annotations

import datetime as dt
from typing import IO

import xlsxwriter
from django.utils.translation import gettext as _

from candidates.intake import REQUIRED
from candidates.models import Pair
from electorate.models import Region

ROWS = 500  # rows prefilled with the kelurahan code: far more than one kelurahan's sheets
LAST_ROW = 1_048_575  # Excel's last row (0-based): formats and lists hold below ROWS too
SEXES = ("L", "P")
MARITAL = ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")
WIDTHS = {"NIK": 20, "NAMA": 28, "TEMPAT_LAHIR": 16, "TANGGAL_LAHIR": 14, "ALAMAT": 32,
          "KODE_WILAYAH": 15, "PEKERJAAN": 20, "STATUS_PERKAWINAN": 20}  # fmt: skip
OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}


def template_name(kelurahan: Region) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in kelurahan.name.lower()).strip("-")
    return f"dukungan-{kelurahan.code.replace('.', '')}-{slug}.xlsx"


def support_template_xlsx(
    *, pair: Pair, kelurahan: Region, out: str | IO[bytes], rows: int = ROWS
) -> None:
    """Write the template for one kelurahan of the pair's election to `out`."""
    book = xlsxwriter.Workbook(out, OPTIONS)
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "dd-mm-yyyy"})
    head = book.add_format({"bold": True, "num_format": "@", "bg_color": "#E8E8E8", "border": 1})
    sheet = book.add_worksheet(_sheet_name(kelurahan))
    col = {name: i for i, name in enumerate(REQUIRED)}
    for name, i in col.items():
        sheet.set_column(i, i, WIDTHS.get(name, 10), date if name == "TANGGAL_LAHIR" else text)
        sheet.write_string(0, i, name, head)
    sheet.freeze_panes(1, 0)
    for r in range(1, rows + 1):
        sheet.write_string(r, col["KODE_WILAYAH"], kelurahan.code, text)
    _validations(sheet, col)
    _instructions(book, pair=pair, kelurahan=kelurahan, rows=rows)
    book.close()


def _sheet_name(kelurahan: Region) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    name = "".join(ch for ch in kelurahan.name if ch not in "[]:*?/\\")
    return f"{kelurahan.code.replace('.', '')} {name}"[:31]


def _validations(sheet, col: dict[str, int]) -> None:
    def rule(name: str, options: dict) -> None:
        sheet.data_validation(1, col[name], LAST_ROW, col[name], options)

    rule("NIK", {
        "validate": "length", "criteria": "==", "value": 16,
        "error_title": _("NIK 16 angka"),
        "error_message": _("NIK harus 16 angka sesuai KTP-el, diketik sebagai teks."),
    })  # fmt: skip
    rule("JENIS_KELAMIN", {
        "validate": "list", "source": list(SEXES),
        "error_message": _("Pilih L (laki-laki) atau P (perempuan)."),
    })  # fmt: skip
    rule("STATUS_PERKAWINAN", {
        "validate": "list", "source": list(MARITAL),
        "error_message": _("Pilih salah satu status dari daftar."),
    })  # fmt: skip
    rule("TANGGAL_LAHIR", {
        "validate": "date", "criteria": "between",
        "minimum": dt.date(1900, 1, 1), "maximum": dt.date(2100, 12, 31),
        "error_message": _("Tulis tanggal lahir sebagai tanggal, misalnya 26-01-1978."),
    })  # fmt: skip
    for name in ("RT", "RW"):
        rule(name, {
            "validate": "length", "criteria": "<=", "value": 3,
            "error_message": _("Paling banyak 3 angka, misalnya 003."),
        })  # fmt: skip


def _instructions(book, *, pair: Pair, kelurahan: Region, rows: int) -> None:
    sheet = book.add_worksheet(_("Petunjuk"))
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 90)
    bold = book.add_format({"bold": True})
    kecamatan = kelurahan.parent
    kabkota = kecamatan.parent if kecamatan else None
    lines = [
        (_("Pemilihan"), pair.election.name),
        (_("Bakal pasangan calon"), pair.name),
        (_("Kelurahan/desa"), f"{kelurahan.name} ({kelurahan.code})"),
        (_("Kecamatan"), kecamatan.name if kecamatan else ""),
        (_("Kabupaten/kota"), kabkota.name if kabkota else ""),
        ("", ""),
        ("NIK", _("16 angka dari KTP-el. Kolom ini berformat Teks: ketik atau tempel apa adanya, "
                  "jangan ubah formatnya (Excel akan membulatkan menjadi 3,17E+15).")),
        ("TANGGAL_LAHIR", _("Tanggal, misalnya 26-01-1978.")),
        ("JENIS_KELAMIN", _("Pilih dari daftar: L atau P.")),
        ("STATUS_PERKAWINAN", _("Pilih dari daftar: BELUM KAWIN, KAWIN, CERAI HIDUP, CERAI MATI.")),
        ("RT, RW", _("Angka, misalnya 003.")),
        ("KODE_WILAYAH", _("Sudah terisi pada %(n)s baris untuk kelurahan ini; jangan diubah. "
                           "Baris yang hanya berisi kode ini diabaikan saat diunggah.")
         % {"n": rows}),
        ("HALAMAN", _("Nomor halaman formulir B.1-KWK tempat pernyataan dukungan ini.")),
        ("", _("Baris 1 (judul kolom) jangan diubah. Satu berkas untuk satu kelurahan; unggah "
               "berkas ini apa adanya (XLSX) di halaman unggah daftar dukungan.")),
    ]  # fmt: skip
    for r, (label, value) in enumerate(lines):
        sheet.write_string(r, 0, str(label), bold)
        sheet.write_string(r, 1, str(value))
