"""The candidates pages as users go through them (candidates/views.py): KPU sets up elections,
pairs and teams and uploads the voter roll; the team uploads its list and looks."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.models import Election, Pair, Supporter, SupportUpload
from electorate.models import RollImport, Voter
from tests.factories import csv_bytes, good_row, roll_csv

KEL = "31.71.01.1001"
GOOD = good_row(
    NIK="3171010101900001", birth=dt.date(1990, 1, 1), ALAMAT="Jl. A 1", KODE_WILAYAH=KEL
)
GOOD2 = good_row(
    NIK="3171014202920002",
    NAMA="Siti Aminah",
    birth=dt.date(1992, 2, 2),
    sex="P",
    ALAMAT="Jl. A 2",
    KODE_WILAYAH=KEL,
)
EXCEL_NIK = good_row(NIK="3.17101E+15", NAMA="Andi", birth=dt.date(1993, 3, 3), KODE_WILAYAH=KEL)
SEX_X = good_row(NIK="3171010303930003", NAMA="Andi", birth=dt.date(1993, 3, 3), JENIS_KELAMIN="X")


def _csv(name: str, *rows: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(list(rows)), content_type="text/csv")


def _roll(name="dpt.csv") -> SimpleUploadedFile:
    """Two good rows and a third with an unknown sex (JENIS_KELAMIN X): rejected at row 4."""
    return SimpleUploadedFile(name, roll_csv([GOOD, GOOD2, SEX_X]), content_type="text/csv")


def _upload(client, pair, f, round_=0):
    return client.post(
        reverse("upload-create", kwargs={"pk": pair.pk}), {"round": round_, "file": f}
    )


def test_team_upload_through_the_page_keeps_good_rows_and_shows_the_bad_ones(
    client, world, eager, django_capture_on_commit_callbacks
):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["tim_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, pair, _csv("dukungan.csv", GOOD, EXCEL_NIK, GOOD2))
    upload = SupportUpload.objects.get(pair=pair, original_name="dukungan.csv")
    assert response.status_code == 302
    assert response["Location"] == reverse("upload-detail", kwargs={"pk": upload.pk})
    assert (upload.status, upload.accepted, upload.rejected) == ("done", 2, 1)

    page = client.get(response["Location"]).content.decode()
    # The error table names the row (header = 1), the column and how to fix it, in Indonesian.
    assert 'data-label="Baris">3</td><td data-label="Kolom"><code>NIK</code></td>' in page
    assert "Teks" in page  # the message tells the team to format the NIK column as text
    assert 'hx-trigger="every 2s"' not in page  # finished: no more polling


def test_the_same_file_twice_is_one_upload_with_a_notice(
    client, world, eager, django_capture_on_commit_callbacks
):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["tim_a"])
    with django_capture_on_commit_callbacks(execute=True):
        first = _upload(client, pair, _csv("a.csv", GOOD))
    with django_capture_on_commit_callbacks(execute=True):
        second = _upload(client, pair, _csv("b.csv", GOOD), round_=1)
    assert first["Location"] == second["Location"]
    page = client.get(second["Location"]).content.decode()
    assert "sudah pernah diunggah" in page
    assert SupportUpload.objects.filter(pair=pair, sha256__isnull=False).count() == 2  # + world's


def test_sending_a_failed_upload_again_through_the_page_runs_it_again(
    client, world, eager, django_capture_on_commit_callbacks
):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["tim_a"])
    with django_capture_on_commit_callbacks(execute=True):
        first = _upload(client, pair, _csv("a.csv", GOOD, GOOD2))
    upload = SupportUpload.objects.get(pair=pair, original_name="a.csv")
    # The worker died: the upload was marked failed and its rows rolled back.
    Supporter.objects.filter(upload=upload).delete()
    SupportUpload.objects.filter(pk=upload.pk).update(status="failed", accepted=0)

    with django_capture_on_commit_callbacks(execute=True):
        again = _upload(client, pair, _csv("a-lagi.csv", GOOD, GOOD2))
    assert again["Location"] == first["Location"]  # the same file is the same upload
    upload.refresh_from_db()
    assert (upload.status, upload.accepted) == ("done", 2)
    assert Supporter.objects.filter(upload=upload).count() == 2


def test_progress_partial_polls_while_pending_and_stops_when_done(client, world):
    upload = world.objects["a"]["upload"]
    client.force_login(world.users["tim_a"])
    url = reverse("upload-progress", kwargs={"pk": upload.pk})
    SupportUpload.objects.filter(pk=upload.pk).update(status="running", size=100, bytes_read=40)
    running = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}"' in running
    assert "40%" in running
    SupportUpload.objects.filter(pk=upload.pk).update(status="done")
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' not in done
    assert "NIK harus 16 digit angka." in done


def test_upload_page_refuses_a_file_that_is_not_csv_or_xlsx(client, world):
    client.force_login(world.users["tim_a"])
    f = SimpleUploadedFile("dukungan.pdf", b"%PDF", content_type="application/pdf")
    response = _upload(client, world.objects["a"]["pair"], f)
    assert response.status_code == 200
    assert "Hanya berkas CSV atau XLSX" in response.content.decode()


def test_kpu_creates_an_election_and_sees_its_threshold(client, world):
    client.force_login(world.users["prov"])
    response = client.post(
        reverse("election-create"),
        {
            "slug": "pilgub-dki-2024",
            "name": "",
            "region": "31",
            "level": "governor",
            "dpt": 8_252_897,
            "voting_day": "2024-11-27",
            "rule_set": "2024",
        },
    )
    election = Election.objects.get(slug="pilgub-dki-2024")
    assert response["Location"] == reverse("election-detail", kwargs={"pk": election.pk})
    page = client.get(response["Location"]).content.decode()
    assert "618.968" in page or "618,968" in page


def test_kpu_kabkota_cannot_create_an_election_outside_its_area(client, world):
    client.force_login(world.users["kpu_a"])
    response = client.post(
        reverse("election-create"),
        {
            "slug": "x",
            "region": "31.72",
            "level": "mayor",
            "dpt": 10,
            "voting_day": "2024-11-27",
            "rule_set": "2024",
        },
    )
    assert response.status_code == 200  # the form again, with the region refused
    assert not Election.objects.filter(slug="x").exists()


def test_kpu_registers_a_pair_and_a_team_account_that_sees_only_that_pair(client, world):
    election = world.objects["a"]["election"]
    client.force_login(world.users["kpu_a"])
    response = client.post(reverse("pair-create", kwargs={"pk": election.pk}), {"name": "Paslon C"})
    pair = Pair.objects.get(name="Paslon C")
    assert response["Location"] == reverse("pair-detail", kwargs={"pk": pair.pk})
    response = client.post(
        reverse("team-member-create", kwargs={"pk": pair.pk}),
        {"username": "lo_c", "email": "", "password": "Kuat-sekali-2024"},
    )
    assert response.status_code == 302
    team_user = get_user_model().objects.get(username="lo_c")
    client.force_login(team_user)
    home = client.get(reverse("home")).content.decode()
    assert "Paslon C" in home
    assert "Paslon A" not in home
    other = world.objects["a"]["pair"]
    assert client.get(reverse("pair-detail", kwargs={"pk": other.pk})).status_code == 404


def test_supporter_list_is_masked_paginated_and_filtered(client, world):
    client.force_login(world.users["su"])
    pair = world.governor_pair
    url = reverse("supporter-list", kwargs={"pk": pair.pk})
    page = client.get(url, {"kelurahan": "31.72"}).content.decode()
    assert "Pendukung 31.72.01.1001" in page
    assert "Pendukung 31.71.01.1001" not in page
    assert "********" in page
    nik_prefix_and_serial = Supporter.objects.filter(pair=pair).first().nik_masked
    assert nik_prefix_and_serial in client.get(url).content.decode()
    assert "Tidak ada pendukung" in client.get(url, {"round": 2}).content.decode()


# --- the voter roll, uploaded by the KPU -----------------------------------------------------


def test_kpu_uploads_a_roll_and_sees_progress_and_the_rejected_row(
    client, world, eager, django_capture_on_commit_callbacks
):
    election = world.objects["a"]["election"]
    client.force_login(world.users["kpu_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("roll-upload", kwargs={"pk": election.pk}), {"file": _roll()}
        )
    imp = RollImport.objects.get(original_name="dpt.csv")
    assert response["Location"] == reverse("roll-import-detail", kwargs={"pk": imp.pk})
    assert (imp.status, imp.accepted, imp.rejected) == ("done", 2, 1)
    assert Voter.objects.filter(roll=election.roll).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert 'data-label="Baris">4</td><td data-label="Kolom"><code>JENIS_KELAMIN</code></td>' in page
    assert "100%" in page


def test_first_roll_upload_creates_the_election_roll(
    client, world, eager, django_capture_on_commit_callbacks
):
    election = world.objects["a"]["election"]
    Election.objects.filter(pk=election.pk).update(roll=None)
    client.force_login(world.users["kpu_a"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roll-upload", kwargs={"pk": election.pk}), {"file": _roll()})
    election.refresh_from_db()
    assert election.roll is not None
    assert election.roll.region_id == election.region_id
    assert election.roll.voters.count() == 2


def test_the_same_roll_file_twice_is_one_import(
    client, world, eager, django_capture_on_commit_callbacks
):
    election = world.objects["a"]["election"]
    client.force_login(world.users["kpu_a"])
    url = reverse("roll-upload", kwargs={"pk": election.pk})
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"file": _roll("satu.csv")})
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, {"file": _roll("dua.csv"), "confirm_append": "on"}, follow=True)
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "sudah pernah diimpor" in second.content.decode()


def test_roll_import_progress_partial_polls_until_done(client, world):
    imp = world.objects["a"]["roll_import"]
    RollImport.objects.filter(pk=imp.pk).update(status="running", size=1000, bytes_read=250)
    client.force_login(world.users["kpu_a"])
    url = reverse("roll-import-progress", kwargs={"pk": imp.pk})
    assert 'hx-trigger="every 2s"' in client.get(url).content.decode()
    RollImport.objects.filter(pk=imp.pk).update(status="done")
    assert "hx-trigger" not in client.get(url).content.decode()


def test_a_roll_with_voters_is_added_to_only_after_the_kpu_confirms(
    client, world, eager, django_capture_on_commit_callbacks
):
    election = world.objects["a"]["election"]
    client.force_login(world.users["kpu_a"])
    url = reverse("roll-upload", kwargs={"pk": election.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": _roll("satu.csv")})
    page = client.get(url).content.decode()
    assert "yang kini berisi 2 pemilih" in page
    refused = client.post(url, {"file": _roll_of([good_row(), good_row()], "dua.csv")})
    assert refused.status_code == 200
    assert "Centang pernyataan ini untuk menambahkan berkas ke DPT yang sudah berisi 2" in (
        refused.content.decode()
    )
    assert not RollImport.objects.filter(original_name="dua.csv").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {"file": _roll_of([good_row(), good_row()], "dua.csv"), "confirm_append": "on"}
        )
    assert Voter.objects.filter(roll=election.roll).count() == 4


def test_the_kpu_undoes_a_wrong_roll_import_from_its_page(
    client, world, eager, django_capture_on_commit_callbacks
):
    election = world.objects["a"]["election"]
    client.force_login(world.users["kpu_a"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roll-upload", kwargs={"pk": election.pk}), {"file": _roll()})
    imp = RollImport.objects.get(original_name="dpt.csv")
    detail = client.get(reverse("roll-import-detail", kwargs={"pk": imp.pk})).content.decode()
    undo = reverse("roll-import-undo", kwargs={"pk": imp.pk})
    assert f'href="{undo}"' in detail
    assert "dikeluarkan lagi dari DPT" in client.get(undo).content.decode()
    unconfirmed = client.post(undo, follow=True)
    assert "Centang pernyataan pembatalan dulu." in unconfirmed.content.decode()
    done = client.post(undo, {"confirm": "1"}, follow=True).content.decode()
    assert "Impor dibatalkan: 2 pemilih dikeluarkan dari DPT." in done
    assert "Dibatalkan" in done and "Berkas yang sama dapat diimpor lagi." in done
    assert not Voter.objects.filter(roll=election.roll).exists()


def test_the_supporter_list_is_searched_by_name_and_nik(client, world):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["kpu_a"])
    url = reverse("supporter-list", kwargs={"pk": pair.pk})
    page = client.get(url, {"q": "Pendukung 31.71.01.1001 3"}).content.decode()
    assert "Pendukung 31.71.01.1001 3" in page and "Pendukung 31.71.01.1001 2" not in page
    nik = "3171010101900002"  # the world's second supporter of side A, as typed with dots
    page = client.get(url, {"q": "3171.0101.0190.0002"}).content.decode()
    assert "Pendukung 31.71.01.1001 2" in page and "Pendukung 31.71.01.1001 3" not in page
    assert nik not in page


def test_a_pps_gets_no_region_filter_a_kpu_a_choice_of_its_areas(client, world):
    pair = world.objects["a"]["pair"]
    url = reverse("supporter-list", kwargs={"pk": pair.pk})
    client.force_login(world.users["pps_a"])
    page = client.get(url).content.decode()
    assert '<select name="kelurahan"' not in page and 'type="hidden" name="kelurahan"' in page
    client.force_login(world.users["kpu_a"])
    page = client.get(url).content.decode()
    assert '<select name="kelurahan"' in page
    assert '<option value="31.71.01">Gambir (31.71.01)</option>' in page


def test_bawaslu_sees_no_empty_support_list_card_but_where_it_supervises(client, world):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["bawaslu_a"])
    page = client.get(reverse("pair-detail", kwargs={"pk": pair.pk})).content.decode()
    assert "Pengawas membaca rekapitulasi, tanda bahaya dan verifikasi faktual" in page
    assert ">Daftar dukungan</h2>" not in page


def _roll_of(rows, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, roll_csv(rows), content_type="text/csv")
