from __future__ import annotations

import io

import openpyxl
import pytest

from verification.engine import run_create, verification_run
from verification.exports import supporter_results_xlsx
from verification.selectors import latest_run, supporter_results

from .conftest import make_nik

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(case):
    ok = make_nik()
    case.supporter(ok)
    case.supporter(make_nik(), in_roll=False, occupation="PNS")
    run = run_create(pair=case.pair("A"))
    verification_run(run_id=run.pk)
    return case.pair("A"), ok


def test_supporter_results_carry_outcome_reasons_and_masked_nik_only(verified):
    pair, nik = verified
    rows = list(supporter_results(pair=pair))
    assert [r.outcome for r in rows] == ["MS", "TMS"]
    assert rows[1].reasons == 2 | 128
    assert rows[0].nik_masked == nik[:4] + "********" + nik[12:]
    deferred = rows[0].get_deferred_fields()
    assert {"nik_hash", "nik_cipher"} <= deferred


def test_latest_run_is_the_newest(verified):
    pair, _nik = verified
    second = run_create(pair=pair)
    assert latest_run(pair=pair) == second
    assert latest_run(pair=pair, round=2) is None


def test_xlsx_lists_every_supporter_with_status_and_reasons_in_indonesian(verified):
    pair, nik = verified
    out = io.BytesIO()
    assert supporter_results_xlsx(pair=pair, out=out) == 2
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "NIK", "Nama")
    assert rows[1][1] == nik[:4] + "********" + nik[12:]
    assert rows[1][7] == "MS"
    assert rows[2][7] == "TMS"
    assert "Tidak terdaftar di DPT" in rows[2][9] and "Pekerjaan" in rows[2][9]
    assert not any(nik in str(cell) for row in rows for cell in row)
