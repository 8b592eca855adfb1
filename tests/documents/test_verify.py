"""The public verification page (/berita-acara/<code>/): no account, the issued PDF is
recognised byte for byte, anything else is not, and nothing personal is ever shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.services import Meeting, Person, minutes_issue, minutes_pdf_read

pytestmark = pytest.mark.django_db

MEETING = Meeting(
    date=dt.date(2024, 6, 20),
    place="Kantor KPU Provinsi DKI Jakarta",
    present=[
        Person(name="Wahyu Dewanto", role="Ketua", group="kpu"),
        Person(name="Munandar Nugraha", role="Bawaslu Provinsi", group="bawaslu"),
        Person(name="Rudi Penghubung", role="LO", group="lo"),
    ],
)


@pytest.fixture
def issued(vermin, kpu_dki):
    minutes = minutes_issue(pair=vermin.pair, stage="vermin", meeting=MEETING, by=kpu_dki)
    return minutes, minutes_pdf_read(minutes)


def _check(client, code: str, name: str, body: bytes):
    url = reverse("minutes-verify", kwargs={"code": code})
    return client.post(url, {"file": SimpleUploadedFile(name, body, "application/pdf")})


def test_the_issued_pdf_is_recognised_as_issued(client, issued):
    minutes, pdf = issued
    response = _check(client, minutes.code, "ba.pdf", pdf)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Asli" in html and "Tidak sesuai" not in html
    assert minutes.sha256 in html
    assert "oleh KPU Provinsi DKI Jakarta" in html


@pytest.mark.parametrize("where", [0, 100, -30])
def test_one_byte_changed_is_not_the_issued_pdf(client, issued, where):
    minutes, pdf = issued
    forged = bytearray(pdf)
    forged[where] ^= 0x01
    html = _check(client, minutes.code, "ba.pdf", bytes(forged)).content.decode()
    assert "Tidak sesuai" in html and "Asli</span>" not in html


def test_another_genuine_pdf_is_not_the_one_issued_under_this_code(client, issued, kpu_dki):
    """Valid-looking, even issued by the same KPU: another document is refused for this code."""
    minutes, _pdf = issued
    other = minutes_issue(pair=minutes.pair, stage="vermin", meeting=MEETING, by=kpu_dki)
    other_pdf = minutes_pdf_read(other)
    assert other_pdf.startswith(b"%PDF-") and other.sha256 != minutes.sha256
    html = _check(client, minutes.code, "ba.pdf", other_pdf).content.decode()
    assert "Tidak sesuai" in html
    assert "Asli" in _check(client, other.code, "ba.pdf", other_pdf).content.decode()


def test_a_text_file_is_not_the_issued_pdf(client, issued):
    minutes, _pdf = issued
    html = _check(client, minutes.code, "ba.pdf", b"BERITA ACARA palsu\n").content.decode()
    assert "Tidak sesuai" in html and "bukan PDF" in html


def test_the_page_shows_nothing_personal(client, issued, vermin):
    """Kind, pair, election, date, level and SHA-256: not the officials' names, not a
    supporter's, not the meeting's attendance list."""
    minutes, pdf = issued
    for response in (
        client.get(reverse("minutes-verify", kwargs={"code": minutes.code})),
        _check(client, minutes.code, "ba.pdf", pdf),
    ):
        html = response.content.decode()
        assert minutes.pair.name in html and minutes.pair.election.name in html
        assert minutes.sha256 in html
        for person in MEETING.present:
            assert person.name not in html
        assert "BUDI SANTOSO" not in html  # the supporters' name in the case


def test_an_unknown_code_is_404_and_a_code_typed_loosely_is_found(client, issued):
    minutes, _pdf = issued
    assert client.get("/berita-acara/AAAA-BBBB-CCCC/").status_code == 404
    assert client.get("/berita-acara/not-a-code/").status_code == 404
    loose = minutes.code.replace("-", "").lower()
    response = client.get(reverse("minutes-lookup"), {"code": loose})
    assert response.status_code == 302
    assert response["Location"] == reverse("minutes-verify", kwargs={"code": minutes.code})


def test_the_pdf_carries_its_code_and_the_qr_points_to_the_page(issued, settings):
    minutes, pdf = issued
    from tests.documents.conftest import pdf_text

    text = pdf_text(pdf)
    assert minutes.code in text
    assert f"{settings.PUBLIC_BASE_URL}/berita-acara/{minutes.code}/" in text


def test_checks_are_rate_limited_like_the_citizens_check(client, issued, settings):
    minutes, pdf = issued
    settings.CHECK_RATE_PER_CLIENT = "2/m"
    statuses = [_check(client, minutes.code, "ba.pdf", pdf).status_code for _i in range(3)]
    assert statuses == [200, 200, 429]


def test_a_file_above_the_limit_is_refused_before_it_is_read(client, issued, settings):
    minutes, pdf = issued
    settings.MINUTES_VERIFY_MAX_BYTES = len(pdf) - 1
    response = _check(client, minutes.code, "ba.pdf", pdf)
    assert response.status_code == 400
    assert "terlalu besar" in response.content.decode()
