"""Support-list intake (candidates/intake.py): every bad row named by row, column and fix, the
good rows kept with the NIK only as hash, ciphertext and mask, one upload per file, and a run
that can be repeated or taken over without doubling anything."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from candidates.intake import support_upload_create, support_upload_retry, support_upload_run
from candidates.models import Supporter, SupportUpload
from candidates.signals import support_upload_done
from keys.nik import NikCheck, nik_decrypt, nik_hash, supporter_context
from tests.factories import (
    SUPPORT_HEADER,
    PairFactory,
    birth_of,
    csv_bytes,
    good_row,
    make_nik,
    xlsx_bytes,
)


def only_error(upload: SupportUpload) -> dict:
    assert upload.rejected == 1, upload.errors
    return upload.errors[0]


# --- NIK --------------------------------------------------------------------------------------


@pytest.mark.parametrize("nik", ["3.17101E+15", "3171011201900001.0", "317101120190001"])
def test_nik_mangled_by_excel_or_15_digits_is_rejected_with_the_fix(intake, nik):
    upload, _ = intake(csv_bytes([good_row(NIK=nik)]))

    error = only_error(upload)
    assert (error["row"], error["column"]) == (2, "NIK")
    assert "kolom NIK sebagai Teks" in error["message"]
    assert upload.accepted == 0


def test_nik_typed_as_a_number_in_a_real_xlsx_is_rejected_and_text_nik_accepted(intake):
    rows = [good_row(NIK=3171011201900001), good_row(NIK="3171011201900002")]
    upload, _ = intake(xlsx_bytes(rows), name="dukungan.xlsx")

    error = only_error(upload)
    assert (error["row"], error["column"]) == (2, "NIK")
    assert "Excel membulatkan angka 16 digit" in error["message"]
    assert Supporter.objects.get(upload=upload).row_number == 3


def test_nik_with_an_impossible_encoded_date_is_kept_for_verification_to_judge(intake):
    nik = "3171013213900001"  # day 32, month 13
    upload, _ = intake(csv_bytes([good_row(NIK=nik)]))

    assert (upload.accepted, upload.rejected) == (1, 0)
    supporter = Supporter.objects.get(upload=upload)
    assert supporter.nik_checks & NikCheck.DATE_IMPOSSIBLE


def test_supporter_keeps_the_nik_only_as_hash_ciphertext_and_mask(intake):
    nik = make_nik(birth=dt.date(1992, 7, 5), sex="P", serial=42)
    upload, _ = intake(csv_bytes([good_row(NIK=nik, birth=dt.date(1992, 7, 5), sex="P")]))

    s = Supporter.objects.get(upload=upload)
    assert bytes(s.nik_hash) == nik_hash(nik)
    assert nik_decrypt(s.nik_cipher, context=supporter_context(s.upload_id, s.row_number)) == nik
    assert s.nik_masked == "3171************"
    assert s.nik_checks == 0  # region, birth date and sex all agree with the row
    stored = " ".join(str(getattr(s, f.attname)) for f in Supporter._meta.fields)
    assert nik[4:12] not in stored  # the middle digits are nowhere in the clear


def test_nik_that_disagrees_with_the_row_is_noted_for_verification(intake):
    nik = make_nik(birth=dt.date(1992, 7, 5), sex="P", serial=43)
    upload, _ = intake(csv_bytes([good_row(NIK=nik, birth=dt.date(1992, 7, 6), sex="L")]))

    s = Supporter.objects.get(upload=upload)
    assert s.nik_checks == NikCheck.BIRTH_DATE_DIFFERS | NikCheck.SEX_DIFFERS


# --- other fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "12-01-1990",
        "12/01/1990",
        "12.01.1990",
        "1990-01-12",
        "12/1/1990",
        "12 Januari 1990",
        "12-Jan-1990",
        "12-01-90",
        "32885",
    ],
)
def test_birth_date_in_each_usual_form_is_read(intake, written):
    upload, _ = intake(csv_bytes([good_row(TANGGAL_LAHIR=written)]))

    assert upload.rejected == 0
    assert birth_of(Supporter.objects.get(upload=upload)) == dt.date(1990, 1, 12)


def test_birth_date_as_excel_serial_and_date_cells_in_xlsx_are_read(intake):
    rows = [good_row(TANGGAL_LAHIR=32885), good_row(TANGGAL_LAHIR=dt.date(1990, 1, 12))]
    upload, _ = intake(xlsx_bytes(rows), name="dukungan.xlsx")

    assert upload.accepted == 2
    dates = {birth_of(s) for s in Supporter.objects.filter(upload=upload)}
    assert dates == {dt.date(1990, 1, 12)}


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("TANGGAL_LAHIR", "30-02-1990", "tidak ada di kalender"),
        ("TANGGAL_LAHIR", "kemarin", "12-01-1990"),
        ("JENIS_KELAMIN", "X", "L (laki-laki) atau P (perempuan)"),
        ("KODE_WILAYAH", "3171019999", "kode kelurahan"),
        ("KODE_WILAYAH", "32.01.01.9999", "kode kelurahan"),
        ("STATUS_PERKAWINAN", "JOMBLO", "B (belum kawin)"),
        ("RT", "12345", "3 digit"),
        ("NAMA", "", "Nama kosong"),
    ],
)
def test_each_bad_field_is_rejected_naming_row_column_and_fix(intake, column, value, words):
    upload, _ = intake(csv_bytes([good_row(), good_row(**{column: value})]))

    error = only_error(upload)
    assert (error["row"], error["column"]) == (3, column)
    assert words in error["message"]
    assert upload.accepted == 1


def test_good_rows_are_kept_beside_bad_ones_with_their_file_row_numbers(intake):
    rows = [good_row(), good_row(NIK="123"), good_row(), good_row(JENIS_KELAMIN="?"), good_row()]
    upload, _ = intake(csv_bytes(rows))

    assert (upload.accepted, upload.rejected) == (3, 2)
    assert [e["row"] for e in upload.errors] == [3, 5]
    rows_kept = Supporter.objects.filter(upload=upload).order_by("row_number")
    assert list(rows_kept.values_list("row_number", flat=True)) == [2, 4, 6]


def test_fields_are_normalised(intake):
    row = good_row(
        NAMA="  Siti   Nurhaliza ",
        JENIS_KELAMIN="Perempuan",
        sex="P",
        STATUS_PERKAWINAN="Belum Kawin",
        RT="3",
        RW="04",
        KODE_WILAYAH="31.71.01.1001",
        HALAMAN="12",
    )
    upload, _ = intake(csv_bytes([row]))

    s = Supporter.objects.get(upload=upload)
    assert (s.name, s.sex, s.marital_status, s.rt, s.rw) == (
        "Siti Nurhaliza",
        "P",
        "B",
        "003",
        "004",
    )
    assert (s.kelurahan_id, s.sheet_page, s.occupation) == (
        "31.71.01.1001",
        "12",
        "Karyawan Swasta",
    )
    assert (s.pair_id, s.round) == (upload.pair_id, 0)


def test_missing_column_fails_the_file_with_one_error_naming_it(intake):
    header = [h for h in SUPPORT_HEADER if h != "HALAMAN"]
    upload, _ = intake(csv_bytes([good_row()], header=header))

    assert upload.status == "failed"
    assert len(upload.errors) == 1
    assert "HALAMAN" in upload.errors[0]["message"]
    assert "NO HALAMAN" not in upload.errors[0]["message"]  # the guide lists the spellings
    assert not Supporter.objects.filter(upload=upload).exists()


def test_loose_header_names_are_accepted(intake):
    header = [
        "No KTP",
        "Nama Lengkap",
        "Tempat Lahir",
        "Tgl. Lahir",
        "L/P",
        "Status Kawin",
        "Alamat",
        "rt",
        "rw",
        "Kode Kelurahan",
        "Pekerjaan",
        "Hal",
    ]
    data = csv_bytes([good_row()], header=SUPPORT_HEADER)
    data = data.replace(",".join(SUPPORT_HEADER).encode(), ",".join(header).encode(), 1)
    upload, _ = intake(data)

    assert (upload.status, upload.accepted, upload.errors) == ("done", 1, [])


# --- encodings and delimiters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", True), ("utf-8", False), ("cp1252", False)]
)
def test_names_read_right_in_utf8_with_or_without_bom_and_windows_1252(intake, encoding, bom):
    rows = [good_row(NAMA="Siti Nurhaliza Dœ"), good_row(NAMA="José")]
    upload, _ = intake(csv_bytes(rows, encoding=encoding, bom=bom))

    names = Supporter.objects.filter(upload=upload).order_by("row_number")
    assert list(names.values_list("name", flat=True)) == ["Siti Nurhaliza Dœ", "José"]


def test_semicolon_csv_is_read(intake):
    upload, _ = intake(csv_bytes([good_row(ALAMAT="Jl. Mawar, Gg. 2")], delimiter=";"))

    assert upload.accepted == 1
    assert Supporter.objects.get(upload=upload).address == "Jl. Mawar, Gg. 2"


def test_backslash_and_quotes_survive_the_load(intake):
    upload, _ = intake(csv_bytes([good_row(ALAMAT='Jl. "Baru" \\ Blok\tC')]))

    assert Supporter.objects.get(upload=upload).address == 'Jl. "Baru" \\ Blok C'


# --- one upload, run once ---------------------------------------------------------------------


def test_the_same_file_twice_is_one_upload(intake, pair):
    data = csv_bytes([good_row(), good_row()])
    first, created = intake(data)
    again, created_again = intake(data, name="lagi.csv", round=1)

    assert created and not created_again
    assert again.pk == first.pk and again.round == 0
    assert SupportUpload.objects.filter(pair=pair).count() == 1
    assert Supporter.objects.filter(pair=pair).count() == 2


def test_the_same_file_for_another_pair_is_that_pairs_own_upload(intake, pair):
    data = csv_bytes([good_row()])
    first, _ = intake(data)
    other, created = intake(data, target=PairFactory(election=pair.election))

    assert created and other.pk != first.pk


def test_rerunning_an_upload_does_not_double_its_supporters(intake):
    upload, _ = intake(csv_bytes([good_row(), good_row(), good_row(NIK="x")]))
    assert support_upload_run(upload_id=upload.pk).status == "done"  # claimed: nothing happens

    support_upload_retry(upload_id=upload.pk)
    SupportUpload.objects.filter(pk=upload.pk).update(status="pending")
    rerun = support_upload_run(upload_id=upload.pk)

    assert (rerun.accepted, rerun.rejected) == (2, 1)
    assert Supporter.objects.filter(upload=upload).count() == 2


def test_a_crashed_run_left_running_is_retried_to_the_same_end_state(intake):
    upload, _ = intake(csv_bytes([good_row(), good_row()]))
    SupportUpload.objects.filter(pk=upload.pk).update(status="running")

    assert support_upload_retry(upload_id=upload.pk).status == "pending"
    rerun = support_upload_run(upload_id=upload.pk)

    assert rerun.status == "done"
    assert Supporter.objects.filter(upload=upload).count() == 2


def test_round_is_kept_on_the_upload_and_its_supporters(intake):
    upload, _ = intake(csv_bytes([good_row()]), round=2)

    assert upload.round == 2
    assert Supporter.objects.get(upload=upload).round == 2


def test_done_signal_is_sent_after_a_successful_load(pair):
    received = []

    def listener(sender, upload, **kwargs):
        received.append((sender, upload.pk, upload.status))

    support_upload_done.connect(listener)
    try:
        upload, _ = support_upload_create(
            pair=pair, file=io.BytesIO(csv_bytes([good_row()])), original_name="d.csv"
        )
        support_upload_run(upload_id=upload.pk)
    finally:
        support_upload_done.disconnect(listener)

    assert received == [(SupportUpload, upload.pk, "done")]


# --- recovery and personal data in messages -----------------------------------------------------


def test_an_upload_left_running_with_an_old_heartbeat_is_taken_over_without_doubling(intake):
    from django.utils import timezone

    upload, _ = intake(csv_bytes([good_row(), good_row(), good_row()]))
    old = timezone.now() - dt.timedelta(hours=1)
    SupportUpload.objects.filter(pk=upload.pk).update(status="running", heartbeat_at=old)

    rerun = support_upload_run(upload_id=upload.pk)

    assert rerun.status == "done" and rerun.heartbeat_at > old
    assert Supporter.objects.filter(upload=upload).count() == 3


def test_an_upload_running_with_a_fresh_heartbeat_is_left_to_its_worker(intake):
    from django.utils import timezone

    upload, _ = intake(csv_bytes([good_row()]))
    SupportUpload.objects.filter(pk=upload.pk).update(status="running", heartbeat_at=timezone.now())

    assert support_upload_run(upload_id=upload.pk).status == "running"


def test_sending_the_same_file_after_a_failure_runs_it_again(pair):
    data = csv_bytes([good_row(), good_row()])

    def broken(upload, rows):
        raise RuntimeError('CONTEXT:  COPY supporter, line 1: "Siti Aminah\tJl. Melati 3"')

    upload, _ = support_upload_create(pair=pair, file=io.BytesIO(data), original_name="d.csv")
    with pytest.raises(RuntimeError):
        support_upload_run(upload_id=upload.pk, load=broken)
    upload.refresh_from_db()
    assert upload.status == "failed" and f"#{upload.pk}" in upload.failure
    assert "Siti" not in upload.failure and "Melati" not in upload.failure

    again, created = support_upload_create(pair=pair, file=io.BytesIO(data), original_name="d.csv")
    assert (again.pk, again.status, created) == (upload.pk, "pending", False)
    assert support_upload_run(upload_id=upload.pk).status == "done"
    assert Supporter.objects.filter(upload=upload).count() == 2


def test_no_error_message_repeats_a_nik_from_the_file(intake):
    import re

    bad = ["3171O12345678901", "3171-0112-0190-000X", "31710112019000011", "3171011201900.01"]
    data = csv_bytes([good_row(NIK=nik) for nik in bad] + [good_row()])
    upload, _ = intake(data)

    assert upload.rejected == len(bad)
    runs = re.findall(rb"\d{10,}", data)
    shown = json.dumps(upload.errors) + upload.failure
    assert runs and not any(
        run[i : i + 10].decode() in shown for run in runs for i in range(len(run) - 9)
    )
    assert not re.search(r"\d{10,}", shown)


def test_a_spreadsheet_named_without_a_suffix_is_recognised_from_its_decrypted_content(intake):
    upload, _ = intake(xlsx_bytes([good_row(), good_row()]), name="dukungan")

    assert (upload.status, upload.accepted) == ("done", 2)
