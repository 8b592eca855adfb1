"""The team's results as XLSX (verification/exports.py): masked NIKs only, reasons in
Indonesian, every cell text or number. The job around it (progress, expiry, who downloads,
the audit trail): test_export_jobs.py."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from candidates.models import Supporter
from tests.factories import make_nik
from verification.exports import supporter_results_xlsx

pytestmark = pytest.mark.django_db


def test_xlsx_lists_every_supporter_with_status_and_reasons_in_indonesian(verified_two):
    pair, nik = verified_two
    out = io.BytesIO()
    assert supporter_results_xlsx(pair=pair, out=out) == 2
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "NIK", "Nama")
    assert rows[1][1] == nik[:4] + "*" * 12
    assert rows[1][8] == "MS"
    assert rows[2][8] == "TMS"
    assert "Tidak terdaftar di DPT" in rows[2][10] and "Pekerjaan" in rows[2][10]
    assert not any(nik in str(cell) for row in rows for cell in row)


HOSTILE = [
    '=HYPERLINK("http://x";"Klik")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "http://evil.example",
    "{=SUM(A1:A2)}",
]


def test_every_cell_is_text_never_a_formula_or_a_link(case):
    # Names and sheet pages come from the team's own file: whatever they hold stays text.
    for n, name in enumerate(HOSTILE, start=1):
        supporter = case.supporter(make_nik(serial=n), name=name)
        Supporter.objects.filter(pk=supporter.pk).update(sheet_page=f"=1+{n}")
    out = io.BytesIO()

    assert supporter_results_xlsx(pair=case.pair("A"), out=out) == len(HOSTILE)

    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        names = book.namelist()
    assert "<f>" not in sheet and "<f " not in sheet
    assert "<hyperlink" not in sheet
    assert not [n for n in names if n.startswith("xl/worksheets/_rels/")]
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sorted(row[2] for row in rows[1:]) == sorted(HOSTILE)
    assert sorted(row[5] for row in rows[1:]) == sorted(f"=1+{n}" for n in range(1, 7))
