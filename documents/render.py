"""Minutes as PDF: an HTML template (templates/documents/minutes.html, with its print stylesheet
minutes.css) laid out by WeasyPrint on A4, and a QR code (segno) to the public verification page.

The SHA-256 of the PDF cannot be printed inside the bytes it hashes: the PDF carries its code
(and the QR code to /berita-acara/<code>/), and the SHA-256 of the issued bytes is kept with the
minutes, shown on the public page and printed by `minutes --json`.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
ONES = (
    "", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
)  # fmt: skip


def words(n: int) -> str:
    """An Indonesian number in words ("terbilang"), as minutes write their dates."""
    if n < 12:
        return ONES[n]
    if n < 20:
        return f"{ONES[n - 10]} belas"
    if n < 100:
        return f"{ONES[n // 10]} puluh {words(n % 10)}".strip()
    if n < 200:
        return f"seratus {words(n - 100)}".strip()
    if n < 1000:
        return f"{ONES[n // 100]} ratus {words(n % 100)}".strip()
    if n < 2000:
        return f"seribu {words(n - 1000)}".strip()
    return f"{words(n // 1000)} ribu {words(n % 1000)}".strip()


def date_long(day: dt.date) -> str:
    """27 June 2024 -> "Kamis tanggal dua puluh tujuh bulan Juni tahun dua ribu dua puluh
    empat", the opening of a Berita Acara."""
    return (
        f"{DAYS[day.weekday()]} tanggal {words(day.day)} bulan {MONTHS[day.month - 1]} "
        f"tahun {words(day.year)}"
    )


def date_short(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def verify_url(code: str) -> str:
    """The absolute address of the public verification page (PUBLIC_BASE_URL + path)."""
    return settings.PUBLIC_BASE_URL + reverse("minutes-verify", kwargs={"code": code})


def qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=3, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def issuer_name(region_name: str, level: int) -> str:
    """KPU Provinsi DKI Jakarta / KPU Kota Adm. Jakarta Pusat, as the letterhead writes it."""
    name = region_name.upper().replace("KAB. ", "KABUPATEN ", 1)
    return f"PROVINSI {name}" if level == 1 else name


def issuer_title(region_name: str, level: int) -> str:
    """The same in running text: Provinsi DKI Jakarta, Kota Adm. Jakarta Pusat."""
    return issuer_name(region_name, level).title().replace("Dki ", "DKI ")


class FontSubsetOnce(logging.Filter):
    """WeasyPrint subsets each font it embeds with HarfBuzz-Subset (libharfbuzz-subset0); where
    the library is missing it falls back to fontTools, which makes the same PDF, and warns
    "Using fontTools instead of HarfBuzz-Subset" once per font of every PDF: twice per minutes
    (Liberation Sans regular and bold), 8 times in `make demo-data`'s four minutes. The cause is
    the machine (.ci/prepare installs the library), so it is said once per process; the
    repeats say nothing new. Every other warning of WeasyPrint passes."""

    MESSAGE = "Using fontTools instead of HarfBuzz-Subset"

    def __init__(self) -> None:
        super().__init__()
        self.said = False

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(self.MESSAGE):
            return True
        said, self.said = self.said, True
        return not said


_weasyprint_log = logging.getLogger("weasyprint")
if not any(isinstance(f, FontSubsetOnce) for f in _weasyprint_log.filters):
    _weasyprint_log.addFilter(FontSubsetOnce())


def minutes_pdf(*, context: dict) -> bytes:
    """The PDF bytes of the minutes described by `context` (documents.services builds it)."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    url = verify_url(context["code"])
    html = render_to_string(
        "documents/minutes.html",
        {**context, "verify_url": url, "qr": qr_data_uri(url)},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
