"""The command line of factual verification (fieldwork/management/commands/): verfak_start,
verfak_record (a sheet: every bad row a message in Indonesian naming its column, never a
crash) and verfak_close."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from fieldwork.models import Record, Stage, Task
from tests.factories import csv_bytes, make_nik, xlsx_bytes
from tests.fieldwork.field import KEL2, SHEET_HEADER, pps, sheet_row
from tests.verification.case import KEL, verify

pytestmark = pytest.mark.django_db


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def verified(case):
    """Pair A verified: NIKs "a", "b", "c" in Gambir, "d" in Cideng (all MS), and "double",
    also listed by pair B (BMS, handed to the field to choose)."""
    niks = {key: make_nik() for key in ("a", "b", "c", "d", "double")}
    for key in ("a", "b", "c"):
        case.supporter(niks[key])
    case.supporter(niks["d"], kelurahan_id=KEL2)
    case.supporter(niks["double"])
    case.supporter(niks["double"], upload=case.upload("B"))
    verify(case.pair("B"))
    verify(case.pair("A"))
    return niks


def _start(pair, capsys) -> dict:
    call_command("verfak_start", "--pair", str(pair.pk), "--opens", "2024-06-01", "--json")
    return _json(capsys)


def _record(pair, path, capsys, *args) -> dict:
    call_command("verfak_record", "--pair", str(pair.pk), str(path), "--json", *args)
    return _json(capsys)


def test_verfak_start_prints_the_worklist_and_the_window(case, verified, capsys):
    data = _start(case.pair("A"), capsys)
    assert {k: data[k] for k in ("supporters", "kelurahan", "opens", "closes")} == {
        "supporters": 5,
        "kelurahan": 2,
        "opens": "2024-06-01",
        "closes": "2024-06-14",
    }
    assert (data["stage"], data["round"]) == (1, 0)
    assert _start(case.pair("A"), capsys)["stage"] == 1  # again: the same stage
    assert Stage.objects.count() == 1


def test_verfak_start_refuses_an_unverified_pair_with_a_message(case):
    case.supporter(make_nik())
    with pytest.raises(CommandError, match="setelah verifikasi administrasi selesai"):
        call_command("verfak_start", "--pair", str(case.pair("A").pk))


def test_verfak_start_refuses_a_bad_date(case, verified):
    with pytest.raises(CommandError, match="gunakan YYYY-MM-DD"):
        call_command("verfak_start", "--pair", str(case.pair("A").pk), "--opens", "1/6/2024")


def test_verfak_record_reports_each_bad_row_and_keeps_the_good_ones(
    case, verified, capsys, tmp_path
):
    pair = case.pair("A")
    _start(pair, capsys)
    n = verified
    rows = [
        sheet_row(n["a"], "SESUAI", "03-06-2024"),  # row 2: good
        sheet_row(make_nik(), "SESUAI"),  # 3: not in the worklist
        sheet_row(n["b"], "OKE"),  # 4: unknown code
        sheet_row(n["c"], "SESUAI", "20-06-2024"),  # 5: after the window
        sheet_row(n["d"], "TIDAK_DITEMUI", "03-06-2024"),  # 6: good
        sheet_row(n["d"], "SESUAI", "07-06-2024", method="DIHADIRKAN"),  # 7: 4 days later
        sheet_row(n["double"], "SESUAI", chosen="999999"),  # 8: no such pair
        sheet_row(n["c"], "SESUAI", "kemarin"),  # 9: not a date
        sheet_row("3.17101E+15", "SESUAI"),  # 10: Excel damage
        sheet_row(n["double"], "SESUAI", chosen=str(pair.pk)),  # 11: good
    ]
    path = tmp_path / "lembar-gambir.csv"
    path.write_bytes(csv_bytes(rows, header=SHEET_HEADER))

    data = _record(pair, path, capsys)

    assert (data["status"], data["accepted"], data["rejected"]) == ("done", 3, 7)
    assert [(e["row"], e["column"]) for e in data["errors"]] == [
        (3, "NIK"),
        (4, "HASIL"),
        (5, "TANGGAL"),
        (7, "TANGGAL"),
        (8, "PASLON_PILIHAN"),
        (9, "TANGGAL"),
        (10, "NIK"),
    ]
    message = {e["row"]: e["message"] for e in data["errors"]}
    assert "tidak ada dalam daftar verifikasi faktual" in message[3]
    assert "Kode hasil OKE tidak dikenal" in message[4]
    assert "di luar masa verifikasi faktual" in message[5]
    assert "lewat batas 3 hari" in message[7]
    assert "tidak ada pada pemilihan ini" in message[8]
    assert "Tanggal 'kemarin' tidak dapat dibaca" in message[9]
    assert "Excel" in message[10] and "Teks" in message[10]
    results = dict(Task.objects.filter(pair=pair).values_list("supporter__row_number", "result"))
    assert results == {2: "MS", 3: "PENDING", 4: "PENDING", 5: "PENDING", 6: "MS"}
    assert Task.objects.get(pair=pair, supporter__row_number=5).not_met_on == dt.date(2024, 6, 3)


def test_verfak_record_the_same_file_twice_changes_nothing(case, verified, capsys, tmp_path):
    _start(case.pair("A"), capsys)
    path = tmp_path / "lembar.csv"
    path.write_bytes(csv_bytes([sheet_row(verified["a"], "SESUAI")], header=SHEET_HEADER))
    first = _record(case.pair("A"), path, capsys)
    again = _record(case.pair("A"), path, capsys)
    assert (first["duplicate_file"], again["duplicate_file"]) == (False, True)
    assert again["sheet"] == first["sheet"]
    assert Record.objects.count() == 1


def test_verfak_record_a_later_sheet_carries_a_bring_in(case, verified, capsys, tmp_path):
    pair = case.pair("A")
    _start(pair, capsys)
    not_met = sheet_row(verified["b"], "TIDAK_DITEMUI", "10-06-2024")
    first = tmp_path / "lembar-1.csv"
    first.write_bytes(csv_bytes([not_met], header=SHEET_HEADER))
    _record(pair, first, capsys)
    later = tmp_path / "lembar-2.csv"
    later.write_bytes(
        csv_bytes(
            [not_met, sheet_row(verified["b"], "SESUAI", "13-06-2024", method="DIHADIRKAN")],
            header=SHEET_HEADER,
        )
    )
    data = _record(pair, later, capsys)
    assert (data["accepted"], data["rejected"]) == (2, 0)
    t = Task.objects.get(pair=pair, supporter__row_number=3)
    assert (t.finding, t.method, t.result) == ("SESUAI", "DIHADIRKAN", "MS")


def test_verfak_record_as_a_pps_touches_only_its_kelurahan(case, verified, capsys, tmp_path):
    _start(case.pair("A"), capsys)
    pps(KEL2, username="pps_cideng")
    path = tmp_path / "lembar-cideng.csv"
    path.write_bytes(
        csv_bytes(
            [sheet_row(verified["a"], "PINDAH"), sheet_row(verified["d"], "SESUAI")],
            header=SHEET_HEADER,
        )
    )
    data = _record(case.pair("A"), path, capsys, "--user", "pps_cideng")
    assert (data["accepted"], data["rejected"]) == (1, 1)
    assert data["errors"][0]["row"] == 2 and data["errors"][0]["column"] == "NIK"
    assert Task.objects.get(kelurahan_code=KEL, supporter__row_number=2).finding == ""


def test_verfak_record_reads_xlsx(case, verified, capsys, tmp_path):
    _start(case.pair("A"), capsys)
    path = tmp_path / "lembar.xlsx"
    rows = [sheet_row(verified["a"], "SESUAI", dt.date(2024, 6, 3))]
    path.write_bytes(xlsx_bytes(rows, header=SHEET_HEADER))
    assert _record(case.pair("A"), path, capsys)["accepted"] == 1


def test_verfak_record_a_file_without_the_columns_fails_with_the_message(
    case, verified, capsys, tmp_path
):
    _start(case.pair("A"), capsys)
    path = tmp_path / "salah.csv"
    path.write_bytes(b"NIK,NAMA\n3171011201900001,BUDI\n")
    with pytest.raises(CommandError, match="Kolom wajib tidak ditemukan"):
        call_command("verfak_record", "--pair", str(case.pair("A").pk), str(path))


def test_verfak_close_before_the_window_ends_is_refused(case, verified, capsys):
    _start(case.pair("A"), capsys)
    with pytest.raises(CommandError, match="berakhir 14-06-2024"):
        call_command("verfak_close", "--pair", str(case.pair("A").pk), "--as-of", "2024-06-14")
    assert Stage.objects.get().status == "open"


def test_verfak_close_after_the_window_closes_every_level_and_prints_the_counts(
    case, verified, capsys, tmp_path
):
    pair = case.pair("A")
    _start(pair, capsys)
    path = tmp_path / "lembar.csv"
    rows = [
        sheet_row(verified["a"], "SESUAI"),
        sheet_row(verified["b"], "TOLAK_TTD"),
        sheet_row(verified["d"], "TIDAK_DITEMUI", "05-06-2024"),
    ]
    path.write_bytes(csv_bytes(rows, header=SHEET_HEADER))
    _record(pair, path, capsys)

    # c and the double never visited, d not brought in by 8 June: 3 TMS without a visit, which
    # the KPU must confirm by their number.
    call_command(
        "verfak_close", "--pair", str(pair.pk), "--as-of", "2024-06-15", "--preview", "--json"
    )
    preview = _json(capsys)
    assert (preview["unvisited"], preview["not_brought_in"], preview["total"]) == (2, 1, 3)
    with pytest.raises(CommandError, match="menjadikan 3 pendukung TMS tanpa didatangi"):
        call_command("verfak_close", "--pair", str(pair.pk), "--as-of", "2024-06-15", "--json")
    with pytest.raises(CommandError, match="konfirmasi dengan jumlah 3"):
        call_command(
            "verfak_close", "--pair", str(pair.pk), "--as-of", "2024-06-15", "--confirm", "2"
        )
    assert Stage.objects.get().status == "open"
    call_command(
        "verfak_close", "--pair", str(pair.pk), "--as-of", "2024-06-15", "--confirm", "3", "--json"
    )

    data = _json(capsys)
    assert {k: data[k] for k in ("stage", "MS", "TMS", "pending", "total")} == {
        "stage": 1,
        "MS": 1,  # a
        "TMS": 4,  # b denied, d not brought in, c and the double never visited
        "pending": 0,
        "total": 5,
    }
    assert data["by_outcome"] == {
        "BELUM": 2,
        "SESUAI": 1,
        "TOLAK_TTD": 1,
        "TOLAK": 0,
        "TIDAK_DITEMUI": 1,
        "MENINGGAL": 0,
        "PINDAH": 0,
    }
    stage = Stage.objects.get()
    assert stage.status == "closed"
    assert set(stage.closures.values_list("region_code", flat=True)) == {
        KEL,
        KEL2,
        "31.71.01",
        "31.71",
        "31",
    }
    with pytest.raises(CommandError, match="Tidak ada verifikasi faktual yang sedang berlangsung"):
        call_command("verfak_close", "--pair", str(pair.pk), "--as-of", "2024-06-16")
