"""The upload size limit where users meet it: the forms say it in MB at the file field, the API
answers 413 with the same words, and a page whose form does not check (the PPS sheet page) gets
the message back on the page instead of a server error. The limit itself and what happens to a
kept file above it: tests/electorate/test_upload_safety.py."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.models import SupportUpload
from electorate.models import RollImport
from fieldwork.models import Sheet
from tests.factories import csv_bytes, good_row, roll_csv

MB = 1 << 20


def big(name: str, data: bytes) -> SimpleUploadedFile:
    """`data` padded to 1.5 MB."""
    return SimpleUploadedFile(name, data + b"\r\n" * ((3 * MB // 2 - len(data)) // 2))


def test_the_upload_page_refuses_a_file_over_the_limit_naming_it_in_mb(client, world, settings):
    settings.UPLOAD_MAX_BYTES = MB
    client.force_login(world.users["tim_a"])
    before = SupportUpload.objects.count()

    response = client.post(
        reverse("upload-create", kwargs={"pk": world.objects["a"]["pair"].pk}),
        {"file": big("dukungan.csv", csv_bytes([good_row()])), "round": 0},
    )

    assert response.status_code == 200
    assert "Berkas 1,5 MB melebihi batas 1,0 MB per unggahan" in response.content.decode()
    assert SupportUpload.objects.count() == before


def test_the_roll_upload_page_has_the_roll_limit(client, world, settings):
    settings.UPLOAD_MAX_BYTES = MB // 2  # not the one that counts for a voter roll
    settings.ROLL_UPLOAD_MAX_BYTES = MB
    client.force_login(world.users["kpu_a"])
    before = RollImport.objects.count()

    response = client.post(
        reverse("roll-upload", kwargs={"pk": world.objects["a"]["election"].pk}),
        {"file": big("dpt.csv", roll_csv([good_row()]))},
    )

    assert response.status_code == 200
    assert "melebihi batas 1,0 MB" in response.content.decode()
    assert RollImport.objects.count() == before


def test_the_api_answers_413_with_the_limit_in_indonesian(client, world, settings):
    settings.UPLOAD_MAX_BYTES = MB
    client.force_login(world.users["tim_a"])
    before = SupportUpload.objects.count()

    response = client.post(
        reverse("api-upload-list"),
        {"file": big("dukungan.csv", csv_bytes([good_row()])), "round": 1},
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "Berkas 1,5 MB melebihi batas 1,0 MB per unggahan. Bagi daftar menjadi "
        "beberapa berkas yang masing-masing di bawah 1,0 MB, lalu unggah satu per satu."
    }
    assert SupportUpload.objects.count() == before


def test_a_page_without_its_own_size_check_shows_the_limit_not_an_error(client, world, settings):
    # The PPS sheet page checks only the file type; the service refuses the size, and the
    # message comes back on the page (config.middleware).
    settings.UPLOAD_MAX_BYTES = MB
    client.force_login(world.users["kpu_a"])
    url = reverse("verfak-sheet-upload", kwargs={"pk": world.objects["a"]["pair"].pk})

    response = client.post(url, {"file": big("lembar.csv", b"NIK,HASIL,METODE,TANGGAL\r\n")})

    assert (response.status_code, response["Location"]) == (302, url)
    page = client.get(url).content.decode()
    assert "melebihi batas 1,0 MB" in page
    assert not Sheet.objects.exists()
