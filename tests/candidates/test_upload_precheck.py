"""The upload's pre-check (issue 21 item 2): what a file tells without the roll, at upload.

A messy file (custom headers, a NIK twice, a NIK of an earlier list, a Bekasi kelurahan,
impossible NIKs, a birth date the NIK contradicts, a 16-year-old, month-first dates) gives
exactly the expected counts and rows; every valid row is still loaded; errors name the team's
headers; the month-first dates are told once, with the fix; the flagged rows download with the
team's columns and masked NIKs; the upload form offers the open round.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidates.models import Supporter
from candidates.precheck import date_order
from candidates.services import support_upload_submit, window_set
from tests.candidates.conftest import BEKASI
from tests.factories import (
    SUPPORT_HEADER,
    csv_bytes,
    good_row,
    make_nik,
)

# The team's own headers, in the canonical order of SUPPORT_HEADER.
ANY_MASK = mock.ANY
TEAM_HEADER = ["No KTP", "Nama Lengkap", "Tempat Lahir", "Tgl Lahir", "L/P", "Status Kawin",
               "Alamat", "RT", "RW", "Kode Kel", "Pekerjaan", "Hal"]  # fmt: skip


def team_csv(rows: list[dict]) -> bytes:
    """Rows by canonical column, written under the team's own headers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEAM_HEADER)
    for row in rows:
        writer.writerow([row.get(h, "") for h in SUPPORT_HEADER])
    return out.getvalue().encode()


def messy(earlier_nik: str) -> tuple[list[dict], dict[str, str]]:
    """Rows 2-14 of the messy file and the NIKs by name."""
    niks = {
        "a": make_nik(),
        "bad_region": make_nik(region="999999"),
        "bad_date": "317101" + "320190" + "0001",  # day 32
        "differs": make_nik(),  # 12-01-1990, typed 11-01-1990
        "minor": make_nik(birth=dt.date(2008, 5, 1)),  # 16 on 27-11-2024
    }
    rows = [
        good_row(NIK=niks["a"]),  # 2
        good_row(),  # 3
        good_row(NIK=niks["a"], NAMA="Budi Lagi"),  # 4: the NIK of row 2
        good_row(KODE_WILAYAH=BEKASI.replace(".", "")),  # 5: Bekasi
        good_row(NIK=niks["bad_region"]),  # 6
        good_row(NIK=niks["bad_date"]),  # 7
        good_row(NIK=niks["differs"], TANGGAL_LAHIR="11-01-1990"),  # 8
        good_row(NIK=niks["minor"], birth=dt.date(2008, 5, 1), STATUS_PERKAWINAN="BELUM KAWIN"),
        good_row(TANGGAL_LAHIR="10/22/1981"),  # 10: month-first
        good_row(TANGGAL_LAHIR="01/25/1975"),  # 11: month-first
        good_row(NIK="3.17101E+15"),  # 12: a NIK Excel turned into a number (an error)
        good_row(TANGGAL_LAHIR="04/30/1980", JENIS_KELAMIN="X"),  # 13: month-first + bad sex
        good_row(NIK=earlier_nik),  # 14: in the pair's earlier list
    ]
    rows[7]["TANGGAL_LAHIR"] = "01-05-2008"
    return rows, niks


@pytest.fixture
def loaded(intake, bekasi):
    earlier_nik = make_nik()
    first, _ = intake(csv_bytes([good_row(), good_row(NIK=earlier_nik)]), name="awal.csv")
    rows, niks = messy(earlier_nik)
    upload, _ = intake(team_csv(rows), name="berantakan.csv")
    return first, upload, rows, {**niks, "earlier": earlier_nik}


def _rows(report: dict, kind: str) -> list[tuple[int, str]]:
    return [(i["row"], i["detail"]) for i in report["items"].get(kind, [])]


def test_a_messy_file_gives_exactly_the_expected_warnings(loaded):
    first, upload, _rows_in, _niks = loaded
    report = upload.precheck
    assert (upload.status, upload.accepted, upload.rejected) == ("done", 9, 4)
    assert report["counts"] == {
        "dup_file": 1, "dup_earlier": 1, "outside_region": 1, "nik_region": 1, "nik_date": 1,
        "birth_differs": 1, "underage": 1,
    }  # fmt: skip
    assert _rows(report, "dup_file") == [(4, "sama dengan baris 2")]
    assert _rows(report, "dup_earlier") == [(14, f"unggahan #{first.pk} baris 3")]
    assert _rows(report, "outside_region") == [(5, BEKASI)]
    assert _rows(report, "nik_region") == [(6, "")]
    assert _rows(report, "nik_date") == [(7, "")]
    assert _rows(report, "birth_differs") == [(8, "Tgl Lahir")]  # the team's header
    assert _rows(report, "underage") == [(9, "")]
    assert report["flagged"] == 7
    assert [row for row, _bits in upload.precheck_flags] == [4, 5, 6, 7, 8, 9, 14]
    assert "flags" not in report  # kept apart, read by the download alone
    assert all(re.fullmatch(r"\d{4}\*{12}", i["nik"]) for v in report["items"].values() for i in v)


def test_nothing_valid_is_lost(loaded):
    _first, upload, _rows_in, niks = loaded
    stored = Supporter.objects.filter(upload=upload)
    assert sorted(stored.values_list("row_number", flat=True)) == [2, 3, 4, 5, 6, 7, 8, 9, 14]
    minor = stored.get(row_number=9)
    assert minor.minor  # and the stored row agrees with the warning


def test_errors_name_the_teams_headers_and_month_first_is_told_once(loaded):
    _first, upload, _rows_in, _niks = loaded
    assert [(e["row"], e["column"]) for e in upload.errors] == [
        (10, "Tgl Lahir"),  # the one month-first message, at the first such row
        (12, "No KTP"),
        (13, "L/P"),  # row 13's other mistake is still its own
    ]
    month_first = [e for e in upload.errors if "bulan-hari-tahun" in e["message"]]
    assert len(month_first) == 1
    message = month_first[0]["message"]
    assert "10/22/1981" in message and "Text to Columns" in message and "Date: MDY" in message
    assert "3 baris ditolak" in message and "baris 10, 11, 13" in message
    assert [n["kind"] for n in upload.precheck["notices"]] == ["month_first"]
    assert not any("22" in e["message"] and "tidak ada di kalender" in e["message"]
                   for e in upload.errors)  # fmt: skip


def test_a_day_first_file_keeps_each_rows_own_date_message(intake):
    rows = [good_row(TANGGAL_LAHIR="22/10/1981"), good_row(TANGGAL_LAHIR="10/22/1981")]
    upload, _ = intake(csv_bytes(rows))
    assert (upload.accepted, upload.rejected) == (1, 1)
    assert [(e["row"], e["column"]) for e in upload.errors] == [(3, "TANGGAL_LAHIR")]
    assert "tidak ada di kalender" in upload.errors[0]["message"]
    assert upload.precheck["notices"] == []


def test_date_order():
    assert [date_order(v) for v in ("10/22/1981", "22/10/1981", "05/06/1990", "1990-01-12",
                                     "12 Januari 1990", dt.date(1990, 1, 1), "10-22-81")] == [
        2, 1, 0, 0, 0, 0, 2,
    ]  # fmt: skip


def test_a_clean_file_has_no_warnings(intake):
    upload, _ = intake(csv_bytes([good_row(), good_row()]))
    assert upload.precheck["flagged"] == 0
    assert set(upload.precheck["counts"].values()) == {0}


# --- the page and the download ---------------------------------------------------------------


@pytest.fixture
def team(loaded):
    from candidates.services import team_member_create

    _first, upload, _rows_in, _niks = loaded
    return team_member_create(pair=upload.pair, username="tim_berantakan", password="x-Uji-2024!")


def test_the_page_shows_the_report(client, loaded, team):
    _first, upload, _rows_in, _niks = loaded
    client.force_login(team)
    page = client.get(reverse("upload-detail", kwargs={"pk": upload.pk})).content.decode()
    assert "Pemeriksaan awal berkas" in page
    assert "7 baris diterima dengan peringatan" in page
    for label in ("NIK ganda dalam berkas", "Kelurahan di luar wilayah pemilihan",
                  "Belum 17 tahun pada hari pemungutan suara"):  # fmt: skip
        assert label in page
    assert page.count("bulan-hari-tahun") == 1  # once, the first line of the rejected rows
    assert reverse("upload-precheck-download", kwargs={"pk": upload.pk, "fmt": "csv"}) in page


def test_the_flagged_rows_download_with_the_teams_columns_and_no_nik(client, loaded, team):
    _first, upload, rows_in, niks = loaded
    client.force_login(team)
    url = reverse("upload-precheck-download", kwargs={"pk": upload.pk, "fmt": "csv"})
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0] == ["Baris", "Peringatan", *TEAM_HEADER]
    assert [r[0] for r in table[1:]] == ["4", "5", "6", "7", "8", "9", "14"]
    assert table[1][1] == "NIK ganda dalam berkas" and table[1][3] == "Budi Lagi"
    assert table[1][2] == niks["a"][:4] + "*" * 12
    everything = {r["NIK"] for r in rows_in} | set(niks.values())
    assert not any(nik in re.sub(r"\D", "", text) for nik in everything if nik.isdigit())
    xlsx = client.get(url.replace(".csv", ".xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == ["Baris", "Peringatan", *TEAM_HEADER]
    assert sheet.max_row == 8


def test_the_download_is_for_those_who_may_upload(client, loaded):
    from candidates.services import team_member_create
    from tests.factories import PairFactory

    _first, upload, _rows_in, _niks = loaded
    url = reverse("upload-precheck-download", kwargs={"pk": upload.pk, "fmt": "csv"})
    other = PairFactory(election=upload.pair.election)
    client.force_login(team_member_create(pair=other, username="tim_lain", password="x-Uji-2024!"))
    assert client.get(url).status_code == 404  # another pair's team: not even found


# --- the form's round --------------------------------------------------------------------------


@pytest.fixture
def repair_open(world):
    election = world.objects["a"]["election"]
    today = timezone.localdate()
    window_set(election=election, round=0, opens=today - dt.timedelta(days=12),
               closes=today - dt.timedelta(days=8))  # fmt: skip
    window_set(election=election, round=1, opens=today, closes=today + dt.timedelta(days=6))
    return election


def test_the_form_offers_the_open_round_and_the_refusal_names_it(client, world, repair_open):
    client.force_login(world.users["tim_a"])
    url = reverse("upload-create", kwargs={"pk": world.objects["a"]["pair"].pk})
    page = client.get(url).content.decode()
    assert re.search(r'<option value="1" selected>Perbaikan 1 \(terbuka ', page)
    assert re.search(r'<option value="0" disabled>Penyerahan awal \(ditutup; masa ', page)
    sent = SimpleUploadedFile("d.csv", csv_bytes([good_row()]), content_type="text/csv")
    refused = client.post(url, {"file": sent, "round": 0}).content.decode()
    assert "Masa penyerahan penyerahan awal" in refused
    assert "Yang terbuka sekarang: perbaikan" in refused


def test_the_service_refusal_names_the_open_window(world, repair_open):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        support_upload_submit(
            pair=world.objects["a"]["pair"], round=0, file=io.BytesIO(csv_bytes([good_row()])),
            original_name="a.csv",
        )  # fmt: skip
    today = timezone.localdate().strftime("%d-%m-%Y")
    assert "Yang terbuka sekarang: perbaikan" in caught.value.messages[0]
    assert today in caught.value.messages[0]


def test_the_api_gives_the_report_without_the_download_list(client, loaded, team):
    _first, upload, _rows_in, _niks = loaded
    client.force_login(team)
    data = client.get(reverse("api-upload-detail", kwargs={"pk": upload.pk})).json()
    assert data["precheck"]["counts"]["dup_file"] == 1
    assert data["precheck"]["items"]["underage"] == [{"row": 9, "nik": ANY_MASK, "detail": ""}]
    assert "flags" not in data["precheck"]


def test_the_flagged_rows_list_is_read_by_the_download_alone(client, loaded, team):
    """Up to 200,000 [row, bits] pairs: the pair's page and the upload's page never read them
    (they were read with every list of uploads: 370 ms on the pair's page at DKI's size)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _first, upload, _rows_in, _niks = loaded
    client.force_login(team)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("pair-detail", kwargs={"pk": upload.pair_id})).status_code == 200
        assert client.get(reverse("upload-detail", kwargs={"pk": upload.pk})).status_code == 200
        assert client.get(reverse("api-upload-detail", kwargs={"pk": upload.pk})).status_code == 200
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "precheck" in read and "precheck_flags" not in read
    csv = client.get(reverse("upload-precheck-download", kwargs={"pk": upload.pk, "fmt": "csv"}))
    assert csv.status_code == 200 and len(csv.content.decode().splitlines()) == 1 + 7
