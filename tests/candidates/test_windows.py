"""Submission windows (candidates.SubmissionWindow): an upload outside its round's window is
refused with the dates in the message, on the page, the API and the service; the KPU running
the election sets them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidates.models import SubmissionWindow, SupportUpload
from candidates.services import support_upload_submit, window_set
from tests.factories import csv_bytes, good_row


def _file():
    return SimpleUploadedFile("dukungan.csv", csv_bytes([good_row()]), content_type="text/csv")


@pytest.fixture
def closed(world):
    """Side A's initial submission closed last week; repair 1 is open now."""
    election = world.objects["a"]["election"]
    today = timezone.localdate()
    window_set(election=election, round=0, opens=today - dt.timedelta(days=12),
               closes=today - dt.timedelta(days=8))  # fmt: skip
    window_set(election=election, round=1, opens=today, closes=today + dt.timedelta(days=6))
    return election


def test_an_upload_after_the_window_is_refused_with_its_dates(world, closed):
    pair = world.objects["a"]["pair"]
    before = SupportUpload.objects.count()
    with pytest.raises(ValidationError) as caught:
        support_upload_submit(
            pair=pair, round=0, file=io.BytesIO(csv_bytes([good_row()])), original_name="a.csv"
        )
    window = SubmissionWindow.objects.get(election=closed, round=0)
    assert window.closes.strftime("%d-%m-%Y") in caught.value.messages[0]
    assert SupportUpload.objects.count() == before  # nothing kept


def test_the_window_days_themselves_are_open(world, closed):
    pair = world.objects["a"]["pair"]
    upload, created = support_upload_submit(
        pair=pair, round=1, file=io.BytesIO(csv_bytes([good_row()])), original_name="a.csv"
    )
    assert created and upload.round == 1


def test_the_page_shows_the_refusal_and_keeps_nothing(client, world, closed):
    client.force_login(world.users["tim_a"])
    before = SupportUpload.objects.count()
    page = client.post(
        reverse("upload-create", kwargs={"pk": world.objects["a"]["pair"].pk}),
        {"file": _file(), "round": 0},
    )
    assert page.status_code == 200
    assert "Masa penyerahan penyerahan awal" in page.content.decode()
    assert SupportUpload.objects.count() == before


def test_the_api_answers_400_with_the_dates(client, world, closed):
    client.force_login(world.users["tim_a"])
    response = client.post(reverse("api-upload-list"), {"file": _file(), "round": 0})
    assert response.status_code == 400
    assert "s.d." in str(response.json()["errors"])


def test_a_round_without_a_window_is_not_limited(world):
    pair = world.objects["b"]["pair"]
    _upload, created = support_upload_submit(
        pair=pair, round=2, file=io.BytesIO(csv_bytes([good_row()])), original_name="b.csv"
    )
    assert created


def test_the_kpu_sets_a_window_and_a_team_may_not(client, world):
    election = world.objects["a"]["election"]
    url = reverse("window-set", kwargs={"pk": election.pk, "round": 2})
    client.force_login(world.users["tim_a"])
    assert client.post(url, {"opens": "2024-08-01", "closes": "2024-08-05"}).status_code == 403
    client.force_login(world.users["kpu_a"])
    assert client.post(url, {"opens": "2024-08-05", "closes": "2024-08-01"}).status_code == 200
    assert not SubmissionWindow.objects.filter(election=election, round=2).exists()
    assert client.post(url, {"opens": "2024-08-01", "closes": "2024-08-05"}).status_code == 302
    window = SubmissionWindow.objects.get(election=election, round=2)
    assert (window.opens, window.closes, window.set_by) == (
        dt.date(2024, 8, 1), dt.date(2024, 8, 5), world.users["kpu_a"],
    )  # fmt: skip
