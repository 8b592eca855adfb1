"""The upload pre-check in a real browser at a desk's width (issue 21 item 2): a team sends a
messy file through the upload page and reads what the file already tells without the roll
(docs/screenshots/upload-precheck-desktop.png, with SCREENSHOTS=docs/screenshots)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from candidates.intake import support_upload_create, support_upload_run
from tests.browser.conftest import DESKTOP, PASSWORD
from tests.candidates.conftest import BEKASI
from tests.candidates.test_upload_precheck import messy, team_csv
from tests.factories import RegionFactory, csv_bytes, good_row, make_nik

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_team_reads_the_pre_check_of_a_messy_file(
    world, open_as, live_server, eager, shot, tmp_path
):
    for code in ("32", "32.75", "32.75.01", BEKASI):
        RegionFactory(code=code)
    pair = world.objects["a"]["pair"]
    earlier = make_nik()
    first, _ = support_upload_create(
        pair=pair, file=io.BytesIO(csv_bytes([good_row(NIK=earlier)])), original_name="awal.csv"
    )
    support_upload_run(upload_id=first.pk)
    team = world.users["tim_a"]
    team.set_password(PASSWORD)
    team.save()
    rows, _niks = messy(earlier)
    path = tmp_path / "dukungan-kelurahan-gambir.csv"
    path.write_bytes(team_csv(rows))
    _context, page = open_as("tim_a", DESKTOP)
    page.goto(live_server.url + reverse("upload-create", args=[pair.pk]))
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_selector("section.precheck")
    report = page.inner_text("section.precheck")
    assert "7 baris diterima dengan peringatan" in report
    for label in ("NIK ganda dalam berkas", "NIK sudah ada di daftar sebelumnya",
                  "Kelurahan di luar wilayah pemilihan", "Kode wilayah NIK tidak ada",
                  "Tanggal lahir di NIK tidak mungkin", "Tanggal lahir berbeda dengan NIK",
                  "Belum 17 tahun pada hari pemungutan suara"):  # fmt: skip
        assert label in report
    errors = page.inner_text("table.errors")
    assert "Tgl Lahir" in errors and errors.count("bulan-hari-tahun") == 1  # the team's header
    assert "7 baris yang diterima berperingatan" in page.inner_text(".messages")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    shot(page, "upload-precheck-desktop")
