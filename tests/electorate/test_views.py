"""Voter-roll upload through the KPU page: the import is kept, run, and its errors shown."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.models import Election
from config.celery import app as celery_app
from electorate.models import RollImport, Voter
from tests.web_world import world_build

HEADER = (
    "NIK,NAMA,TEMPAT_LAHIR,TANGGAL_LAHIR,JENIS_KELAMIN,STATUS_PERKAWINAN,ALAMAT,RT,RW,"
    "KODE_WILAYAH\n"
)
ROWS = (
    "3171010101900001,Budi Santoso,Jakarta,01-01-1990,L,S,Jl. A 1,001,002,3171011001\n"
    "3171014202920002,Siti Aminah,Jakarta,02-02-1992,P,B,Jl. A 2,001,002,31.71.01.1001\n"
    "3171010303930003,Andi,Jakarta,03-03-1993,X,B,Jl. A 3,001,002,31.71.01.1001\n"
)


@pytest.fixture
def world(db):
    return world_build()


@pytest.fixture
def eager():
    conf = celery_app.conf
    before = (conf.task_always_eager, conf.task_eager_propagates)
    conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


def _roll_file(name="dpt.csv"):
    return SimpleUploadedFile(name, (HEADER + ROWS).encode(), content_type="text/csv")


def test_kpu_uploads_a_roll_and_sees_progress_and_the_rejected_row(
    client, world, eager, django_capture_on_commit_callbacks
):
    election = world.objects["a"]["election"]
    client.force_login(world.users["kpu_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("roll-upload", kwargs={"pk": election.pk}), {"file": _roll_file()}
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
        client.post(reverse("roll-upload", kwargs={"pk": election.pk}), {"file": _roll_file()})
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
        first = client.post(url, {"file": _roll_file("satu.csv")})
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, {"file": _roll_file("dua.csv")}, follow=True)
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
