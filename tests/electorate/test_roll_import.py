"""Voter-roll import (electorate/roll_import.py): good rows in with the NIK only as keyed hash, bad
rows reported by row and column, a NIK already in the roll kept as it is, on one or two COPY
connections. The upload life it shares with the support lists: tests/electorate/test_uploads.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from electorate.models import RollImport, Voter
from electorate.nik import nik_hash
from tests.factories import ROLL_HEADER, csv_bytes, good_row, make_nik, roll_csv, xlsx_bytes


def test_good_rows_are_loaded_with_the_nik_only_as_keyed_hash(roll, roll_import):
    nik = make_nik(birth=dt.date(1985, 3, 4), sex="P")
    row = good_row(
        NIK=nik,
        NAMA=" Siti   Aminah ",
        TANGGAL_LAHIR="04/03/1985",
        JENIS_KELAMIN="PEREMPUAN",
        STATUS_PERKAWINAN="CERAI MATI",
        RT="7",
        RW="12",
        KODE_WILAYAH="31.71.01.1001",
    )
    job, created = roll_import(roll_csv([row]))

    assert created
    assert (job.status, job.accepted, job.rejected, job.rows_read) == ("done", 1, 0, 1)
    voter = Voter.objects.get(roll=roll)
    assert bytes(voter.nik_hash) == nik_hash(nik)
    assert (voter.name, voter.birth_date, voter.sex, voter.marital_status) == (
        "Siti Aminah",
        dt.date(1985, 3, 4),
        "P",
        "P",
    )
    assert (voter.rt, voter.rw, voter.kelurahan_code) == ("007", "012", "31.71.01.1001")
    assert nik not in repr(Voter.objects.filter(roll=roll).values())


def test_bad_rows_are_reported_by_row_and_column_and_the_rest_kept(roll, roll_import):
    rows = [
        good_row(),
        good_row(NIK="3.17101E+15"),
        good_row(),
        good_row(TANGGAL_LAHIR="31-02-1990"),
        good_row(JENIS_KELAMIN="X"),
        good_row(KODE_WILAYAH="3171019999"),
        good_row(),
    ]
    job, _ = roll_import(roll_csv(rows))

    assert (job.status, job.accepted, job.rejected) == ("done", 3, 4)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "NIK"),
        (5, "TANGGAL_LAHIR"),
        (6, "JENIS_KELAMIN"),
        (7, "KODE_WILAYAH"),
    ]
    assert "Teks" in job.errors[0]["message"]
    assert Voter.objects.filter(roll=roll).count() == 3


def test_the_same_file_twice_is_one_import_and_changes_nothing(roll, roll_import):
    data = roll_csv([good_row(), good_row()])
    first, created = roll_import(data)
    again, created_again = roll_import(data, name="salinan.csv")

    assert created and not created_again
    assert again.pk == first.pk
    assert RollImport.objects.filter(roll=roll).count() == 1
    assert Voter.objects.filter(roll=roll).count() == 2


def test_reimporting_known_niks_in_another_file_keeps_the_voters_as_they_are(roll, roll_import):
    nik = make_nik()
    roll_import(roll_csv([good_row(NIK=nik, NAMA="Budi Santoso")]))
    job, created = roll_import(roll_csv([good_row(NIK=nik, NAMA="Budi S."), good_row()]))

    assert created
    assert job.accepted == 1
    assert Voter.objects.filter(roll=roll).count() == 2
    assert Voter.objects.get(roll=roll, nik_hash=nik_hash(nik)).name == "Budi Santoso"


def test_a_nik_listed_twice_in_one_file_is_kept_once_from_its_first_row(roll, roll_import):
    nik = make_nik()
    rows = [good_row(NIK=nik, NAMA="Pertama"), good_row(), good_row(NIK=nik, NAMA="Kedua")]
    job, _ = roll_import(roll_csv(rows))

    assert job.status == "done"
    assert job.accepted == 2
    assert Voter.objects.get(roll=roll, nik_hash=nik_hash(nik)).name == "Pertama"


def test_missing_column_fails_the_whole_file_with_one_clear_error(roll, roll_import):
    header = [h for h in ROLL_HEADER if h != "KODE_WILAYAH"]
    job, _ = roll_import(csv_bytes([good_row()], header=header))

    assert job.status == "failed"
    assert len(job.errors) == 1
    assert "KODE_WILAYAH" in job.errors[0]["message"]
    assert not Voter.objects.filter(roll=roll).exists()


def test_xlsx_roll_is_imported(roll, roll_import):
    rows = [good_row(TANGGAL_LAHIR=dt.date(1990, 1, 12), RT=1, RW=2.0)]
    job, _ = roll_import(xlsx_bytes(rows, header=ROLL_HEADER), name="dpt.xlsx")

    assert (job.status, job.accepted) == ("done", 1)
    voter = Voter.objects.get(roll=roll)
    assert (voter.birth_date, voter.rt, voter.rw) == (dt.date(1990, 1, 12), "001", "002")


@pytest.fixture(params=[False, True], ids=["one-connection", "two-connections"])
def parallel_copy(request, settings):
    settings.ROLL_IMPORT_PARALLEL_COPY = request.param


@pytest.mark.django_db(transaction=True)
def test_import_outside_a_transaction_loads_every_row_once(roll, roll_import, parallel_copy):
    # With two connections the rows are split by hash: both halves must land.
    niks = [make_nik(serial=n) for n in range(1, 41)]
    job, _ = roll_import(roll_csv([good_row(NIK=nik) for nik in niks]))

    assert (job.status, job.accepted) == ("done", 40)
    stored = {bytes(h) for h in Voter.objects.filter(roll=roll).values_list("nik_hash", flat=True)}
    assert stored == {nik_hash(nik) for nik in niks}


@pytest.mark.django_db(transaction=True)
def test_import_outside_a_transaction_with_a_repeated_nik_keeps_it_once(
    roll, roll_import, parallel_copy
):
    niks = [make_nik(serial=n) for n in range(1, 21)]
    rows = [good_row(NIK=nik) for nik in niks] + [good_row(NIK=niks[5], NAMA="Ulang")]
    job, _ = roll_import(roll_csv(rows))

    assert (job.status, job.accepted) == ("done", 20)
    assert Voter.objects.filter(roll=roll).count() == 20
    assert not Voter.objects.filter(roll=roll, name="Ulang").exists()


def test_every_bad_cell_of_a_roll_row_is_reported(roll, roll_import):
    row = good_row(JENIS_KELAMIN="X", RT="abc", KODE_WILAYAH="99.99.99.9999", STATUS_PERKAWINAN="?")
    job, _ = roll_import(roll_csv([good_row(), row]))
    assert (job.status, job.accepted, job.rejected) == ("done", 1, 1)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "JENIS_KELAMIN"),
        (3, "STATUS_PERKAWINAN"),
        (3, "RT"),
        (3, "KODE_WILAYAH"),
    ]


def test_a_roll_file_with_only_its_header_fails_and_says_why(roll, roll_import):
    job, _ = roll_import(roll_csv([]))
    assert job.status == "failed"
    assert job.failure.startswith("Berkas hanya berisi baris judul (baris 1), tanpa baris data")
    assert not Voter.objects.filter(roll=roll).exists()


def test_each_voter_knows_the_import_that_brought_it(roll, roll_import):
    first, _ = roll_import(roll_csv([good_row(), good_row()]), name="satu.csv")
    second, _ = roll_import(roll_csv([good_row()]), name="dua.csv")
    imports = dict(
        Voter.objects.filter(roll=roll).values_list("roll_import_id").annotate(n=Count("pk"))
    )
    assert imports == {first.pk: 2, second.pk: 1}
