"""Voter-roll import (electorate/roll_import.py): good rows in with the NIK only as keyed hash, bad
rows reported by row and column (a voter outside the roll's region, a NIK listed twice or
already in the roll included), on one or two COPY connections. The upload life it shares
with the support lists: tests/electorate/test_uploads.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from electorate.models import RollImport, Voter
from electorate.roll_import import roll_import_run
from keys.nik import birth_hash, nik_hash
from tests.factories import (
    ROLL_HEADER,
    RegionFactory,
    VoterRollFactory,
    csv_bytes,
    good_row,
    make_nik,
    roll_csv,
    xlsx_bytes,
)


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
    assert (voter.name, voter.sex, voter.marital_status) == ("Siti Aminah", "P", "P")
    # The birth date only as the keyed hash of the NIK and the date, and the age on the roll's
    # voting day (keys.nik): never in the clear.
    assert bytes(voter.birth_hash) == birth_hash(nik, dt.date(1985, 3, 4))
    assert voter.minor is False
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


def test_a_nik_already_in_the_roll_from_an_earlier_file_is_a_row_error_naming_that_file(
    roll, roll_import
):
    nik = make_nik()
    first, _ = roll_import(roll_csv([good_row(NIK=nik, NAMA="Budi Santoso")]), name="dpt-1.csv")
    job, created = roll_import(
        roll_csv([good_row(), good_row(NIK=nik, NAMA="Budi S.")]), name="dpt-2.csv"
    )

    assert created
    assert (job.status, job.accepted, job.rejected, job.rows_read) == ("done", 1, 1, 2)
    [error] = job.errors
    assert (error["row"], error["column"]) == (3, "NIK")
    assert error["message"].startswith(
        f"NIK pada baris 3 sudah ada di DPT ini dari berkas 'dpt-1.csv' (impor #{first.pk})"
    )
    assert nik not in error["message"]
    # The voter already there stays as it was; the second file's row is not loaded.
    assert Voter.objects.filter(roll=roll).count() == 2
    assert Voter.objects.get(roll=roll, nik_hash=nik_hash(nik)).name == "Budi Santoso"


def test_every_repeat_of_a_nik_in_a_file_is_a_row_error_naming_its_first_row(roll, roll_import):
    nik, other = make_nik(), make_nik()
    rows = [
        good_row(NIK=nik, NAMA="Pertama"),
        good_row(NIK=other, NAMA="Lain"),
        good_row(NIK=nik, NAMA="Kedua"),
        good_row(),
        good_row(NIK=other, NAMA="Lain Lagi"),
        good_row(NIK=nik, NAMA="Ketiga"),
    ]
    job, _ = roll_import(roll_csv(rows))

    assert (job.status, job.accepted, job.rejected, job.rows_read) == ("done", 3, 3, 6)
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "NIK"), (6, "NIK"), (7, "NIK")]
    messages = [e["message"] for e in job.errors]
    assert messages[0].startswith("NIK pada baris 4 sama dengan baris 2: ")
    assert messages[1].startswith("NIK pada baris 6 sama dengan baris 3: ")
    assert messages[2].startswith("NIK pada baris 7 sama dengan baris 2: ")
    assert "Baris 2 yang dimuat" in messages[0]
    assert not any(nik in m or other in m for m in messages)
    # The first row of a repeated NIK is the one kept.
    assert Voter.objects.get(roll=roll, nik_hash=nik_hash(nik)).name == "Pertama"
    assert Voter.objects.get(roll=roll, nik_hash=nik_hash(other)).name == "Lain"


def test_repeats_and_bad_cells_are_reported_together_in_row_order(roll, roll_import):
    nik = make_nik()
    rows = [good_row(NIK=nik), good_row(JENIS_KELAMIN="X"), good_row(NIK=nik), good_row(RT="x")]
    job, _ = roll_import(roll_csv(rows))

    assert (job.accepted, job.rejected) == (1, 3)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "JENIS_KELAMIN"),
        (4, "NIK"),
        (5, "RT"),
    ]


def test_an_import_taken_over_after_its_worker_died_does_not_report_its_own_voters(
    roll, roll_import
):
    # A dead run of the same import left its voters (a takeover loads the file again): they
    # are that file's own rows, not repeats.
    rows = [good_row(), good_row(), good_row(JENIS_KELAMIN="X")]
    job, _ = roll_import(roll_csv(rows))
    RollImport.objects.filter(pk=job.pk).update(status=RollImport.Status.PENDING)

    again = roll_import_run(import_id=job.pk)

    assert (again.status, again.accepted, again.rejected) == ("done", 2, 1)
    assert [e["column"] for e in again.errors] == ["JENIS_KELAMIN"]
    assert Voter.objects.filter(roll=roll, roll_import=job).count() == 2


@pytest.fixture
def neighbours(jakarta):
    """Kota Bekasi (Jawa Barat) and Kota Tangerang (Banten), as the Kemendagri tree names them."""
    names = {
        "32": "JAWA BARAT",
        "32.75": "KOTA BEKASI",
        "32.75.01": "Bekasi Timur",
        "32.75.01.1001": "Bekasijaya",
        "36": "BANTEN",
        "36.71": "KOTA TANGERANG",
        "36.71.01": "Tangerang",
        "36.71.01.1001": "Sukarasa",
    }
    for code, name in names.items():
        RegionFactory(code=code, name=name)


def test_a_voter_outside_the_rolls_region_is_a_row_error_with_the_fix(
    roll, roll_import, neighbours
):
    rows = [
        good_row(),
        good_row(KODE_WILAYAH="3275011001"),
        good_row(KODE_WILAYAH="36.71.01.1001"),
        good_row(),
    ]
    job, _ = roll_import(roll_csv(rows))

    assert (job.status, job.accepted, job.rejected) == ("done", 2, 2)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "KODE_WILAYAH"),
        (4, "KODE_WILAYAH"),
    ]
    bekasi = job.errors[0]["message"]
    assert bekasi.startswith(
        "Kelurahan 32.75.01.1001 (KOTA BEKASI, JAWA BARAT) di luar wilayah pemilihan "
        f"{roll.region.name} (31): pemilih ini bukan pemilih DPT pemilihan ini"
    )
    assert "hapus barisnya atau perbaiki kode wilayahnya" in bekasi
    assert "(KOTA TANGERANG, BANTEN)" in job.errors[1]["message"]
    assert set(Voter.objects.filter(roll=roll).values_list("kelurahan_code", flat=True)) == {
        "31.71.01.1001"
    }


def test_a_kab_kota_roll_refuses_voters_of_the_rest_of_the_province(jakarta, roll_import):
    city = VoterRollFactory(region_code="31.71")  # Jakarta Pusat's DPT
    rows = [good_row(KODE_WILAYAH="3171011001"), good_row(KODE_WILAYAH="3172011001")]
    job, _ = roll_import(roll_csv(rows), target=city)

    assert (job.accepted, job.rejected) == (1, 1)
    assert job.errors[0]["row"] == 3
    assert "di luar wilayah pemilihan" in job.errors[0]["message"]
    assert "(31.71)" in job.errors[0]["message"]


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
    assert (voter.rt, voter.rw) == ("001", "002")
    assert bytes(voter.birth_hash) == birth_hash(rows[0]["NIK"], dt.date(1990, 1, 12))


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

    assert (job.status, job.accepted, job.rejected) == ("done", 20, 1)
    assert [(e["row"], e["message"][:35]) for e in job.errors] == [
        (22, "NIK pada baris 22 sama dengan baris")
    ]
    assert "baris 7:" in job.errors[0]["message"]
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


@pytest.mark.parametrize(("birth", "minor"), [("27-11-2007", False), ("28-11-2007", True)])
def test_a_voter_keeps_whether_it_is_17_on_the_rolls_voting_day(roll, roll_import, birth, minor):
    """Born exactly 17 years before the roll's voting day (27-11-2024) is 17 that day; a day
    later is not. The date itself is not kept."""
    day = dt.datetime.strptime(birth, "%d-%m-%Y").date()
    nik = make_nik(birth=day)
    job, _ = roll_import(roll_csv([good_row(NIK=nik, TANGGAL_LAHIR=birth, STATUS_PERKAWINAN="B")]))
    voter = Voter.objects.get(roll=roll)
    assert voter.minor is minor
    assert bytes(voter.birth_hash) == birth_hash(nik, day)


def test_a_roll_without_a_voting_day_keeps_the_age_unknown(jakarta, roll_import):
    undated = VoterRollFactory(voting_day=None)
    roll_import(roll_csv([good_row()]), target=undated)
    assert Voter.objects.get(roll=undated).minor is None
