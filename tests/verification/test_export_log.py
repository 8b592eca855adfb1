from __future__ import annotations

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from verification.exports import supporter_results_export
from verification.models import ExportLog

from .conftest import make_nik

pytestmark = pytest.mark.django_db


def test_export_is_logged_with_who_what_and_how_many_and_masks_the_nik(case):
    nik = make_nik()
    case.supporter(nik)
    case.supporter(make_nik())
    user = get_user_model().objects.create_user("tim_uji", password="x")

    out, rows = supporter_results_export(pair=case.pair("A"), round=None, user=user)

    assert rows == 2
    log = ExportLog.objects.get()
    assert (log.user, log.pair, log.rows, log.what) == (
        user,
        case.pair("A"),
        2,
        "supporter_results_xlsx",
    )
    sheet = openpyxl.load_workbook(out).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row]
    assert nik not in cells and nik[:4] + "********" + nik[12:] in cells
