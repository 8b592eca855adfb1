"""Errors a team can act on (issue 9, item 4), each case as the team met it: through the intake
and through the upload page.

- a file with the wrong columns names the missing and the unknown column and links to the
  guide, instead of every accepted spelling of all 12 columns twice;
- a failed file says it failed, no "0 rows rejected ... other rows are kept", no green banner;
- a random binary named .xlsx is told so in Indonesian, never "(Cannot detect file format)";
- a file with only its header row is a failure, not "Semua baris diterima";
- a row with several bad cells gets an error for each of them.
"""

from __future__ import annotations

import io
import os
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from candidates.models import Supporter, SupportUpload
from tests.factories import SUPPORT_HEADER, csv_bytes, good_row

KEL = "31.71.01.1001"
# The row of the issue: a bad sex, RT "abc", an unknown region code, a bad marital status.
FOUR_WRONG = good_row(
    JENIS_KELAMIN="X", RT="abc", KODE_WILAYAH="99.99.99.9999", STATUS_PERKAWINAN="KADANG"
)


def _fake_xlsx() -> bytes:
    """A zip with the parts a workbook names, but no workbook in them: what calamine answered
    with "Cannot detect file format"."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "x")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


# --- the intake ------------------------------------------------------------------------------


def test_every_bad_cell_of_a_row_is_reported_and_the_row_counts_once(intake):
    upload, _ = intake(csv_bytes([good_row(KODE_WILAYAH=KEL), FOUR_WRONG]))
    assert (upload.status, upload.accepted, upload.rejected) == ("done", 1, 1)
    assert [(e["row"], e["column"]) for e in upload.errors] == [
        (3, "JENIS_KELAMIN"),
        (3, "RT"),
        (3, "KODE_WILAYAH"),
        (3, "STATUS_PERKAWINAN"),
    ]
    messages = [e["message"] for e in upload.errors]
    assert messages[0].startswith("Jenis kelamin 'X' tidak dikenal")
    assert messages[1].startswith("RT 'abc' tidak valid")
    assert messages[2].startswith("Kode wilayah '99.99.99.9999' bukan kode kelurahan")
    assert messages[3].startswith("Status perkawinan 'KADANG' tidak dikenal")


def test_a_file_with_only_its_header_row_fails_and_says_why(intake):
    upload, _ = intake(csv_bytes([]))
    assert upload.status == "failed"
    assert upload.failure == (
        "Berkas hanya berisi baris judul (baris 1), tanpa baris data: tidak ada pendukung yang "
        "disimpan. Isi data pendukung mulai baris 2, lalu unggah ulang."
    )
    assert upload.accepted == 0


@pytest.mark.parametrize("data", [os.urandom(4096), _fake_xlsx()], ids=["random", "zip"])
def test_a_file_that_is_no_workbook_though_named_xlsx_is_told_so_in_indonesian(intake, data):
    upload, _ = intake(data, name="dukungan.xlsx")
    assert upload.status == "failed"
    assert "Cannot" not in upload.failure and "detect" not in upload.failure
    assert "XLSX" in upload.failure and "simpan ulang" in upload.failure


def test_a_misspelt_and_a_missing_column_are_named_without_the_list_of_spellings(intake):
    header = [("TMP LHR" if h == "TEMPAT_LAHIR" else h) for h in SUPPORT_HEADER if h != "HALAMAN"]
    upload, _ = intake(csv_bytes([good_row(KODE_WILAYAH=KEL)], header=header))
    assert upload.status == "failed"
    assert upload.failure == (
        "Kolom wajib tidak ditemukan di baris judul (baris 1): TEMPAT_LAHIR, HALAMAN. Judul "
        "kolom yang tidak dikenali: “TMP LHR”. Ganti judul kolom sesuai nama yang diterima di "
        "panduan pengisian, lalu unggah ulang berkasnya."
    )
    assert not Supporter.objects.filter(upload=upload).exists()


# --- the page --------------------------------------------------------------------------------


def _send(client, world, name: str, data: bytes, capture):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["tim_a"])
    with capture(execute=True):
        response = client.post(
            reverse("upload-create", kwargs={"pk": pair.pk}),
            {"round": 0, "file": SimpleUploadedFile(name, data)},
            follow=True,
        )
    return SupportUpload.objects.get(pair=pair, original_name=name), response.content.decode()


def test_a_failed_file_says_it_failed_and_links_to_the_guide(
    client, world, eager, django_capture_on_commit_callbacks
):
    header = [h for h in SUPPORT_HEADER if h != "HALAMAN"]
    upload, _page = _send(
        client, world, "kolom.csv", csv_bytes([good_row()], header=header),
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    assert upload.status == "failed"
    page = client.get(reverse("upload-detail", kwargs={"pk": upload.pk})).content.decode()
    assert "Berkas ini tidak diproses: tidak ada baris yang disimpan." in page
    assert page.count("Kolom wajib tidak ditemukan") == 1  # once, not again in a table
    assert "NO HALAMAN" not in page  # the spellings are in the guide
    assert f'href="{reverse("upload-guide")}"' in page
    assert "baris ditolak" not in page and "Baris lain tetap disimpan" not in page
    assert "Berkas diterima" not in page and 'class="success"' not in page
    guide = client.get(reverse("upload-guide")).content.decode()
    assert "NO HALAMAN" in guide and "KODE KELURAHAN" in guide


def test_the_banner_after_sending_follows_the_file_not_a_fixed_received(client, world, eager):
    """Without a broker (the demo) the file is read before the page comes back: the banner
    says how it went."""

    def at_once(execute: bool = True):  # the on-commit task runs inside the request
        return mock.patch.object(transaction, "on_commit", lambda fn, *a, **k: fn())

    upload, page = _send(client, world, "kosong.csv", csv_bytes([]), at_once)
    assert upload.status == "failed"
    assert "Berkas tidak dapat diproses: lihat sebabnya di bawah." in page
    assert "Berkas diterima dan sedang diproses" not in page
    assert "Berkas hanya berisi baris judul" in page
    assert "Semua baris diterima" not in page


def test_a_row_with_four_mistakes_shows_four_lines_on_the_page(
    client, world, eager, django_capture_on_commit_callbacks
):
    upload, _page = _send(
        client, world, "empat.csv", csv_bytes([FOUR_WRONG]), django_capture_on_commit_callbacks
    )
    page = client.get(reverse("upload-detail", kwargs={"pk": upload.pk})).content.decode()
    assert page.count('data-label="Baris">2</td>') == 4
    assert "Tidak ada baris yang diterima dari berkas ini" in page
