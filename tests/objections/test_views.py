"""The pages: a citizen checks, objects with a statement, follows the reference code; the KPU
of the kab/kota clarifies and decides through its pages; `recap --json` then counts the
supporter under PUBLIC_OBJECTION. Bawaslu reads and files; nobody else sees objections."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from objections.models import Objection, Statement
from tests.objections.people import BIRTH, NAME, NIKS, PDF, PNG, citizen_objects, confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_floor(settings):
    settings.CHECK_RESPONSE_FLOOR_MS = 0


def _check(client, nik=NIKS[0]):
    return client.post(
        reverse("check"), {"nik": nik, "birth_date": BIRTH.isoformat(), "name": NAME}
    )


def _object(client, html: str, *, statement=None, contact="0812 1111 2222"):
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    prefix = re.search(r'name="(p\d+)-kind"', html).group(1)
    data = {"token": token, f"{prefix}-kind": "tidak_pernah", f"{prefix}-contact": contact}
    if statement is not None:
        data[f"{prefix}-statement"] = statement
    return client.post(reverse("objection-new"), data)


def _recap(pair) -> dict:
    out = io.StringIO()
    call_command("recap", "--pair", str(pair.pk), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_from_the_page_to_the_kpus_decision_to_public_objection_in_recap(client, field):
    before = _recap(field.pair)
    assert (before["administrative"]["reasons"]["PUBLIC_OBJECTION"], before["MS"]) == (0, 3)

    # The citizen: checks, sees the pair, objects with a photo of the statement.
    page = _check(client).content.decode()
    assert "A" in page and "Verifikasi faktual 1" in page
    done = _object(client, page, statement=SimpleUploadedFile("ktp budi.jpg", PNG))
    assert done.status_code == 200
    reference = re.search(r"TM-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", done.content.decode())[0]
    objection = Objection.objects.get(reference=reference)
    assert objection.statement.original_name == "pernyataan.png"  # not the phone's file name

    # The KPU of Jakarta Pusat: sees it, clarifies (how and when), decides.
    client.force_login(field.users["kpu"])
    assert reference in client.get(reverse("objection-list")).content.decode()
    url = reverse("objection-detail", args=[objection.pk])
    detail = client.get(url).content.decode()
    assert "0812 1111 2222" in detail  # the KPU needs the contact to clarify
    when = timezone.localtime() - timezone.timedelta(hours=2)
    response = client.post(url, {
        "action": "clarify", "k-method": "telepon",
        "k-happened_at": when.strftime("%Y-%m-%dT%H:%M"),
        "k-note": "Warga membenarkan tidak pernah mendukung.",
    })  # fmt: skip
    assert response.status_code == 302
    response = client.post(url, {"action": "decide", "d-confirmed": "1", "d-reason": ""})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == "terbukti"

    after = _recap(field.pair)
    admin = after["administrative"]
    assert admin["reasons"]["PUBLIC_OBJECTION"] == 1
    assert (admin["MS"], admin["TMS"]) == (2, 1)
    assert after["MS"] == after["final"]["MS"] == 2  # the field result no longer counts it
    assert after["verfak"]["by_outcome"]["SESUAI"] == 3

    # The citizen follows the code: the status, and nothing else.
    client.logout()
    track = client.post(reverse("objection-track"), {"reference": reference.lower()})
    text = track.content.decode()
    assert "Terbukti: dukungan dicoret" in text
    assert "0812" not in text and "Warga membenarkan" not in text and "kpu_pusat" not in text


def test_the_statement_must_be_an_image_or_pdf_by_content_and_small(client, field, settings):
    page = _check(client).content.decode()
    fake = SimpleUploadedFile("surat.pdf", b"MZ\x90\x00 not a pdf at all")
    response = _object(client, page, statement=fake)
    assert response.status_code == 400
    assert "foto (JPG, PNG, WebP, HEIC) atau PDF" in response.content.decode()
    settings.OBJECTION_STATEMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("surat.pdf", PDF + b"0" * 200)
    response = _object(client, _check(client).content.decode(), statement=big)
    assert "terlalu besar" in response.content.decode()
    assert not Statement.objects.exists() and not Objection.objects.exists()


def test_the_statement_is_kept_encrypted_and_read_back_by_the_area(client, field, settings):
    page = _check(client).content.decode()
    _object(client, page, statement=SimpleUploadedFile("s.pdf", PDF))
    statement = Statement.objects.get()
    stored = (settings.MEDIA_ROOT / statement.file.name).read_bytes()
    assert b"%PDF" not in stored
    objection = Objection.objects.get()
    url = reverse("objection-statement", args=[objection.pk])
    client.force_login(field.users["bawaslu"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == PDF
    client.force_login(field.users["pps"])
    assert client.get(url).status_code == 403


def test_an_expired_or_forged_token_goes_back_to_the_check(client, field):
    response = client.post(reverse("objection-new"), {"token": "AAAA", "p1-kind": "tidak_pernah"})
    assert response.status_code == 302 and response["Location"] == reverse("check")


def test_bawaslu_reads_with_the_contact_masked_and_cannot_decide(client, field):
    objection = citizen_objects(contact="0812-3456-7890")
    client.force_login(field.users["bawaslu"])
    url = reverse("objection-detail", args=[objection.pk])
    page = client.get(url).content.decode()
    assert "***" in page and "0812-3456-7890" not in page
    assert "Catat klarifikasi" not in page
    assert client.post(url, {"action": "clarify"}).status_code == 403


def test_bawaslu_files_an_objection_through_its_page(client, field):
    client.force_login(field.users["bawaslu"])
    response = client.post(reverse("objection-file"), {
        "pair": field.pair.pk, "nik": NIKS[2], "name": NAME, "kind": "tidak_pernah",
        "contact": "", "note": "Aduan ke Bawaslu Jakarta Pusat.",
    })  # fmt: skip
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert (objection.source, objection.supporter) == ("bawaslu", field.supporters[2])


def test_the_list_shows_each_area_its_own(client, field):
    citizen_objects()
    client.force_login(field.users["kpu_utara"])
    assert "TM-" not in client.get(reverse("objection-list")).content.decode()
    client.force_login(field.users["pps"])
    assert client.get(reverse("objection-list")).status_code == 403


def test_the_recap_shows_the_misuse_flag_with_the_others(client, field, settings):
    settings.OBJECTION_MISUSE_MIN = 1
    settings.OBJECTION_MISUSE_SHARE = 0.1
    confirmed(citizen_objects(), field.users["kpu"])
    client.force_login(field.users["bawaslu"])
    page = client.get(reverse("verification-recap", args=[field.pair.pk])).content.decode()
    assert "1 pendukung terbukti dicatut" in page
    pair_page = client.get(reverse("objection-pair", args=[field.pair.pk])).content.decode()
    assert "di atas 10" in pair_page
