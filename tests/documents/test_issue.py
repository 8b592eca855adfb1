"""Issuing minutes: the command's JSON, what is kept, the refusals, the pages and who may act."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.urls import reverse

from audit.models import Event
from documents.models import Minutes
from documents.services import Meeting, Person, minutes_issue, minutes_pdf_read
from electorate.models import Role
from tests.documents.conftest import command
from tests.fieldwork.field import staff

pytestmark = pytest.mark.django_db

MEETING = Meeting(date=dt.date(2024, 6, 20), place="Kantor KPU Provinsi DKI Jakarta")


def test_minutes_command_prints_sha256_and_code_of_the_file_it_wrote(vermin, tmp_path):
    out = tmp_path / "ba.pdf"
    result = command(
        "minutes", "--pair", str(vermin.pair.pk), "--stage", "vermin", "--round", "0",
        "--out", str(out), "--present", "Wahyu Dewanto;Ketua;kpu",
    )  # fmt: skip
    body = out.read_bytes()
    assert body.startswith(b"%PDF-")
    assert result["sha256"] == hashlib.sha256(body).hexdigest()
    minutes = Minutes.objects.get(code=result["code"])
    assert (minutes.sha256, minutes.stage, minutes.round, minutes.region_id) == (
        result["sha256"], "vermin", 0, "31",
    )  # fmt: skip
    assert result["url"].endswith(f"/berita-acara/{result['code']}/")
    assert minutes_pdf_read(minutes) == body
    assert minutes.present == [{"name": "Wahyu Dewanto", "role": "Ketua", "group": "kpu"}]


def test_the_code_is_random_unguessable_and_short(vermin):
    codes = {
        minutes_issue(pair=vermin.pair, stage="vermin", meeting=MEETING).code for _i in range(3)
    }
    assert len(codes) == 3
    for code in codes:
        assert len(code) == 14 and code.count("-") == 2
        assert not set(code.replace("-", "")) & set("01OIL")


def test_the_pdf_is_kept_encrypted_at_rest(vermin, settings):
    minutes = minutes_issue(pair=vermin.pair, stage="vermin", meeting=MEETING)
    stored = minutes.pdf.file.storage.open(minutes.pdf.file.name).read()
    assert not stored.startswith(b"%PDF") and b"BERITA ACARA" not in stored
    assert hashlib.sha256(minutes_pdf_read(minutes)).hexdigest() == minutes.sha256


@pytest.mark.parametrize(
    ("stage", "round", "message"),
    [
        ("vermin", 1, "belum selesai"),
        ("verfak", 1, "belum dimulai"),
        ("decision", 0, "belum ditetapkan"),
    ],
)
def test_nothing_final_nothing_minuted(vermin, stage, round, message):
    with pytest.raises(ValidationError, match=message):
        minutes_issue(pair=vermin.pair, stage=stage, round=round, meeting=MEETING)


def test_a_nik_among_those_present_is_refused(vermin):
    meeting = Meeting(
        date=MEETING.date,
        place=MEETING.place,
        present=[Person(name="Budi 3171012601780001", role="LO", group="lo")],
    )
    with pytest.raises(ValidationError, match="NIK"):
        minutes_issue(pair=vermin.pair, stage="vermin", meeting=meeting)
    assert not Minutes.objects.exists()


def test_the_command_says_why_it_refuses(vermin, tmp_path):
    with pytest.raises(CommandError, match="belum ditetapkan"):
        command("minutes", "--pair", str(vermin.pair.pk), "--stage", "decision",
                "--out", str(tmp_path / "x.pdf"))  # fmt: skip


def test_verfak_minutes_wait_for_the_stage_to_close(vermin):
    from fieldwork.stages import stage_start
    from tests.fieldwork.field import OPENS

    stage_start(pair=vermin.pair, opens=OPENS)
    with pytest.raises(ValidationError, match="belum ditutup"):
        minutes_issue(pair=vermin.pair, stage="verfak", round=1, meeting=MEETING)


# --- the pages ----------------------------------------------------------------------------


def _form(area: str = "31", stage: str = "vermin") -> dict:
    return {
        "stage": stage, "round": 0, "area": area, "number": "12/PL.02.2-BA/31/2024",
        "meeting_date": "2024-06-20", "meeting_place": "Kantor KPU Provinsi DKI Jakarta",
        "kpu": "Wahyu Dewanto; Ketua\nDody Wijaya; Anggota",
        "bawaslu": "Munandar Nugraha; Ketua Bawaslu Provinsi", "lo": "Rudi; LO",
    }  # fmt: skip


def test_the_kpu_issues_from_the_pairs_page_and_bawaslu_downloads(client, vermin, kpu_dki):
    bawaslu = staff("bawaslu_dki", Role.BAWASLU, "31")
    url = reverse("minutes-pair", kwargs={"pk": vermin.pair.pk})
    client.force_login(kpu_dki)
    page = client.get(url).content.decode()
    assert "Terbitkan berita acara" in page and f'href="{url}"' in page  # the tab
    response = client.post(url, _form())
    assert response.status_code == 302
    minutes = Minutes.objects.get()
    assert minutes.number == "12/PL.02.2-BA/31/2024" and minutes.issued_by == kpu_dki
    assert [p["name"] for p in minutes.present] == [
        "Wahyu Dewanto", "Dody Wijaya", "Munandar Nugraha", "Rudi",
    ]  # fmt: skip
    client.force_login(bawaslu)
    page = client.get(url).content.decode()
    assert minutes.code in page and "Terbitkan berita acara" not in page
    assert client.post(url, _form()).status_code == 403
    download = reverse("minutes-download", kwargs={"pk": minutes.pk})
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == minutes.sha256
    event = Event.objects.filter(action="minutes.downloaded").get()
    assert (event.actor, json.loads(json.dumps(event.data))["code"]) == (
        "bawaslu_dki",
        minutes.code,
    )
    assert Event.objects.filter(action="minutes.issued", actor="kpu_dki").count() == 1


def test_a_kpu_kabkota_issues_and_reads_only_its_own_level(client, vermin, kpu_dki):
    """Jakarta Pusat's KPU minutes its part of the governor election; the province's minutes
    (whose counts cover every kab/kota) are not within its reach."""
    kpu_pusat = staff("kpu_pusat", Role.KPU_KABKOTA, "31.71")
    province = minutes_issue(pair=vermin.pair, stage="vermin", meeting=MEETING, by=kpu_dki)
    url = reverse("minutes-pair", kwargs={"pk": vermin.pair.pk})
    client.force_login(kpu_pusat)
    assert client.post(url, _form(area="31")).status_code == 400  # not a level it may choose
    assert client.post(url, _form(area="31.71")).status_code == 302
    own = Minutes.objects.get(region_id="31.71")
    page = client.get(url).content.decode()
    assert own.code in page and province.code not in page
    assert client.get(reverse("minutes-download", kwargs={"pk": province.pk})).status_code == 404
    assert client.get(reverse("minutes-download", kwargs={"pk": own.pk})).status_code == 200


def test_committees_and_teams_have_no_minutes_page(client, vermin):
    url = reverse("minutes-pair", kwargs={"pk": vermin.pair.pk})
    for user in (
        staff("pps_gambir", Role.PPS, "31.71.01.1001"),
        staff("tim_a", Role.TIM, "31", pair=vermin.pair),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 403
