"""The candidates pages as users go through them: KPU sets up, the team uploads and looks."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.models import Election, Pair, Supporter, SupportUpload
from config.celery import app as celery_app
from tests.web_world import world_build

HEADER = (
    "NIK,NAMA,TEMPAT_LAHIR,TANGGAL_LAHIR,JENIS_KELAMIN,ALAMAT,RT,RW,KODE_WILAYAH,"
    "PEKERJAAN,STATUS_PERKAWINAN,HALAMAN\n"
)
KEL = "31.71.01.1001"
GOOD = f"3171010101900001,Budi Santoso,Jakarta,01-01-1990,L,Jl. A 1,001,002,{KEL},Karyawan,S,1\n"
GOOD2 = f"3171014202920002,Siti Aminah,Jakarta,02-02-1992,P,Jl. A 2,001,002,{KEL},Pedagang,S,1\n"
EXCEL_NIK = "3.17101E+15,Andi,Jakarta,03-03-1993,L,Jl. Merdeka 3,001,002,31.71.01.1001,Buruh,B,2\n"


@pytest.fixture
def world(db):
    return world_build()


@pytest.fixture
def eager():
    """Celery tasks run in-process, whatever broker the environment names."""
    conf = celery_app.conf
    before = (conf.task_always_eager, conf.task_eager_propagates)
    conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


def _csv(name: str, *rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "".join(rows)).encode(), content_type="text/csv")


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
    assert "hx-get" not in page  # finished: no more polling


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
    assert "hx-get" not in done
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


def test_home_dashboard_speaks_indonesian_for_every_role(client, world):
    for user in world.users.values():
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert "Beranda" in page


def test_login_and_logout_pages(client, world):
    user = world.users["kpu_a"]
    user.set_password("Kuat-sekali-2024")
    user.save()
    assert "Masuk" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("login"), {"username": "kpu_a", "password": "Kuat-sekali-2024"})
    assert response["Location"] == reverse("home")
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["pps_a", "bawaslu_a", "tim_a", "kpu_a"])
def test_no_link_on_the_dashboard_or_pair_page_leads_to_a_refusal(client, world, username):
    """Every pair link a user is shown opens for that user (no link ends in a 403 page)."""
    pair = world.objects["a"]["pair"]
    client.force_login(world.users[username])
    for page in (reverse("home"), reverse("pair-detail", kwargs={"pk": pair.pk})):
        html = client.get(page).content.decode()
        links = set(re.findall(rf'href="(/paslon/{pair.pk}/[^"?]*)', html))
        assert links
        for link in links:
            assert client.get(link).status_code == 200, (username, page, link)


def test_pair_page_links_to_its_recap_results_and_upload_for_its_kpu(client, world):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["kpu_a"])
    html = client.get(reverse("pair-detail", kwargs={"pk": pair.pk})).content.decode()
    for name in ("verification-recap", "verification-results", "upload-create", "verification-run"):
        assert reverse(name, kwargs={"pk": pair.pk}) in html
