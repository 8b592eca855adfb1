"""A PPS's paper sheet typed into CSV or XLSX (fieldwork/sheets.py): each row goes through the
checks of the phone form; bad rows get row, column and message, good rows are kept; the same
file twice is one sheet; a later sheet may repeat earlier rows and carry a bring-in; a PPS
touches only its own kelurahan. The command that applies a sheet is in test_commands.py."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldwork.models import Finding, Record, Sheet, Task
from fieldwork.sheets import NOT_IN_WORKLIST
from keys.nik import nik_hash
from tests.factories import csv_bytes, make_nik, xlsx_bytes
from tests.fieldwork.field import (
    KEL2,
    SHEET_HEADER,
    enter,
    pps,
    sheet_apply,
    sheet_row,
    started,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def niks(case):
    """Pair A started, with two supporters in Gambir and one in Cideng: {name: NIK}."""
    found = {"gambir1": make_nik(), "gambir2": make_nik(), "cideng": make_nik()}
    case.supporter(found["gambir1"])
    case.supporter(found["gambir2"])
    case.supporter(found["cideng"], kelurahan_id=KEL2)
    started(case.pair("A"))
    return found


def _sheet(rows: list[dict]) -> bytes:
    return csv_bytes(rows, header=SHEET_HEADER)


def _task(case, nik: str) -> Task:
    return Task.objects.get(pair=case.pair("A"), nik_hash=nik_hash(nik))


def _result(case, nik: str) -> tuple[str, str]:
    t = _task(case, nik)
    return t.finding, t.result


def test_a_sheet_records_every_good_row_as_the_uploader(case, niks):
    officer = pps()
    sheet, created = sheet_apply(
        case.pair("A"),
        _sheet([sheet_row(niks["gambir1"], "SESUAI"), sheet_row(niks["gambir2"], "tolak ttd")]),
        by=officer,
    )
    assert created and sheet.status == Sheet.Status.DONE
    assert (sheet.accepted, sheet.rejected, sheet.errors) == (2, 0, [])
    assert _result(case, niks["gambir1"]) == ("SESUAI", "MS")
    assert _result(case, niks["gambir2"]) == ("TOLAK_TTD", "TMS")
    records = Record.objects.filter(sheet=sheet)
    assert {(r.source, r.by) for r in records} == {("sheet", officer)}
    assert records.count() == 2


def test_the_same_file_twice_is_one_sheet_and_changes_nothing(case, niks):
    data = _sheet([sheet_row(niks["gambir1"], "SESUAI")])
    first, _created = sheet_apply(case.pair("A"), data)
    again, created = sheet_apply(case.pair("A"), data, name="lembar-lagi.csv")
    assert not created and again.pk == first.pk
    assert Sheet.objects.count() == 1 and Record.objects.count() == 1


def test_a_later_sheet_repeats_the_earlier_rows_and_carries_a_bring_in(case, niks):
    not_met = sheet_row(niks["gambir2"], "TIDAK_DITEMUI", "03-06-2024")
    first_rows = [sheet_row(niks["gambir1"], "SESUAI"), not_met]
    sheet_apply(case.pair("A"), _sheet(first_rows))
    assert _result(case, niks["gambir2"]) == ("TIDAK_DITEMUI", "PENDING")

    brought = sheet_row(niks["gambir2"], "SESUAI", "06-06-2024", method="DIHADIRKAN")
    later, _created = sheet_apply(case.pair("A"), _sheet([*first_rows, brought]))

    assert (later.accepted, later.rejected) == (3, 0)
    assert _result(case, niks["gambir2"]) == ("SESUAI", "MS")
    assert Record.objects.filter(sheet=later).count() == 1  # the repeated rows change nothing


def test_a_sheet_repeating_the_not_met_row_after_the_bring_in_keeps_the_bring_in(case, niks):
    """The bring-in was entered on the phone; the paper sheet typed in later still shows the
    visit that did not meet the supporter. That visit is history, not a newer finding."""
    t = _task(case, niks["gambir2"])
    enter(t, Finding.TIDAK_DITEMUI, dt.date(2024, 6, 3))
    enter(t, Finding.SESUAI, dt.date(2024, 6, 5), method="DIHADIRKAN")

    sheet, _created = sheet_apply(
        case.pair("A"), _sheet([sheet_row(niks["gambir2"], "TIDAK_DITEMUI", "03-06-2024")])
    )

    assert (sheet.accepted, sheet.rejected) == (1, 0)
    assert _result(case, niks["gambir2"]) == ("SESUAI", "MS")
    assert t.records.count() == 2


def test_a_pps_sheet_cannot_touch_another_kelurahan(case, niks):
    officer = pps(KEL2, username="pps_cideng")
    sheet, _created = sheet_apply(
        case.pair("A"),
        _sheet([sheet_row(niks["gambir1"], "PINDAH"), sheet_row(niks["cideng"], "SESUAI")]),
        by=officer,
    )
    assert (sheet.accepted, sheet.rejected) == (1, 1)
    assert [(e["row"], e["column"]) for e in sheet.errors] == [(2, "NIK")]
    # The same words as a NIK nowhere in the worklist: the sheet is no oracle of who is listed.
    assert sheet.errors[0]["message"] == str(NOT_IN_WORKLIST)
    assert "31.71" not in sheet.errors[0]["message"]
    assert _result(case, niks["gambir1"]) == ("", "PENDING")
    assert _result(case, niks["cideng"]) == ("SESUAI", "MS")


def test_an_xlsx_sheet_with_date_and_number_cells_works(case, niks):
    rows = [
        sheet_row(niks["gambir1"], "SESUAI", dt.date(2024, 6, 3)),
        sheet_row(niks["gambir2"], "MENINGGAL", dt.date(2024, 6, 4), deceased=dt.date(2024, 5, 2)),
        sheet_row(int(niks["cideng"]), "SESUAI", dt.date(2024, 6, 4)),  # a number cell
    ]
    sheet, _created = sheet_apply(
        case.pair("A"), xlsx_bytes(rows, header=SHEET_HEADER), name="lembar.xlsx"
    )
    assert (sheet.status, sheet.accepted, sheet.rejected) == ("done", 2, 1)
    assert _result(case, niks["gambir1"]) == ("SESUAI", "MS")
    assert _result(case, niks["gambir2"]) == ("MENINGGAL", "TMS")
    assert [(e["row"], e["column"]) for e in sheet.errors] == [(4, "NIK")]
    assert "Excel" in sheet.errors[0]["message"]


def test_a_sheet_with_other_accepted_column_names_works(case, niks):
    header = ["No KTP", "Hasil Verifikasi", "Cara", "Tgl Verifikasi"]
    data = csv_bytes(
        [
            {
                "No KTP": niks["gambir1"],
                "Hasil Verifikasi": "sesuai",
                "Cara": "video call",
                "Tgl Verifikasi": "3/6/2024",
            }
        ],
        header=header,
    )
    sheet, _created = sheet_apply(case.pair("A"), data)
    assert sheet.accepted == 1
    assert Task.objects.get(finding="SESUAI").method == "VIDEO_CALL"


def test_a_sheet_missing_a_column_fails_naming_it(case, niks):
    data = csv_bytes([{"NIK": niks["gambir1"], "HASIL": "SESUAI"}], header=["NIK", "HASIL"])
    sheet, _created = sheet_apply(case.pair("A"), data)
    assert sheet.status == Sheet.Status.FAILED
    assert "METODE" in sheet.failure and "TANGGAL" in sheet.failure
    assert not Record.objects.exists()
