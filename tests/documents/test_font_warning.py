"""Issue 21 item 5: `make demo-data` printed WeasyPrint's font warning 8 times. Its cause: the
machine lacked libharfbuzz-subset0, so WeasyPrint subset the minutes' two fonts (Liberation
Sans regular and bold) with fontTools and said so for each font of each of the four PDFs. It is
now said once per process; the PDF is the same."""

from __future__ import annotations

import logging

import pytest

from documents import render

CONTEXT = {
    "code": "ABCD-EFGH-JKLM",
    "f": {"stage": "vermin", "area": {"name": "Kota Adm. Jakarta Pusat"}},
    "number": "1/BA/3171/2024",
    "title": "Hasil verifikasi administrasi",
}


def test_the_font_subset_fallback_is_said_once_not_per_font_of_every_pdf(monkeypatch, caplog):
    fonts = pytest.importorskip("weasyprint.pdf.fonts")
    monkeypatch.setattr(fonts, "harfbuzz_subset", None)  # as on a machine without the library
    for once in logging.getLogger("weasyprint").filters:  # a fresh process: not said yet
        if hasattr(once, "said"):
            monkeypatch.setattr(once, "said", False)
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdfs = [render.minutes_pdf(context=CONTEXT) for _i in range(4)]
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs)
    said = [r for r in caplog.records if r.getMessage().startswith("Using fontTools instead")]
    assert len(said) == 1


def test_other_weasyprint_warnings_pass(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    logging.getLogger("weasyprint").warning("Font-face %r cannot be loaded", "X")
    assert [r.getMessage() for r in caplog.records] == ["Font-face 'X' cannot be loaded"]
