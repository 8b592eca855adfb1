from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from candidates.models import Election
from electorate.models import RollImport, Voter
from electorate.nik import nik_hash
from electorate.roll_import import roll_import_create, roll_import_retry, roll_import_run
from electorate.vault import vault_open
from tests.factories import ROLL_HEADER, ElectionFactory, csv_bytes, good_row, make_nik


def roll_csv(rows, **kwargs) -> bytes:
    return csv_bytes(rows, header=ROLL_HEADER, **kwargs)


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


def test_a_claimed_import_is_not_run_again(roll, roll_import):
    job, _ = roll_import(roll_csv([good_row()]))
    again = roll_import_run(import_id=job.pk)

    assert again.status == "done"
    assert again.finished_at == job.finished_at
    assert Voter.objects.filter(roll=roll).count() == 1


def test_a_crashed_import_retried_ends_as_if_it_had_run_once(roll):
    data = roll_csv([good_row(), good_row(NIK="123"), good_row()])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")
    roll_import_run(import_id=job.pk)
    # A worker killed mid-run leaves the import 'running'.
    RollImport.objects.filter(pk=job.pk).update(status="running")

    assert roll_import_run(import_id=job.pk).status == "running"
    assert roll_import_retry(import_id=job.pk).status == "pending"
    rerun = roll_import_run(import_id=job.pk)
    assert (rerun.status, rerun.rejected) == ("done", 1)
    assert Voter.objects.filter(roll=roll).count() == 2


def test_the_file_is_kept_as_uploaded_with_its_sha256(roll):
    import hashlib

    data = roll_csv([good_row()])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="../dpt.csv")

    assert job.original_name == "dpt.csv"
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.size == len(data)
    with vault_open(job.file.name) as fh:
        assert fh.read() == data


def test_xlsx_roll_is_imported(roll, roll_import):
    from tests.factories import xlsx_bytes

    rows = [good_row(TANGGAL_LAHIR=dt.date(1990, 1, 12), RT=1, RW=2.0)]
    job, _ = roll_import(xlsx_bytes(rows, header=ROLL_HEADER), name="dpt.xlsx")

    assert (job.status, job.accepted) == ("done", 1)
    voter = Voter.objects.get(roll=roll)
    assert (voter.birth_date, voter.rt, voter.rw) == (dt.date(1990, 1, 12), "001", "002")


# --- command ----------------------------------------------------------------------------------


def run_command(*args) -> dict:
    out = io.StringIO()
    call_command("import_voter_roll", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_command_creates_the_election_roll_and_prints_json(jakarta, tmp_path):
    election = ElectionFactory(roll=None)
    path = tmp_path / "dpt.csv"
    path.write_bytes(roll_csv([good_row(), good_row(JENIS_KELAMIN="?")]))

    result = run_command("--election", election.slug, str(path))

    election = Election.objects.get(pk=election.pk)
    assert election.roll is not None
    assert result["accepted"] == 1
    assert result["rejected"] == 1
    assert result["errors"][0]["row"] == 3
    assert result["duplicate_file"] is False
    assert run_command("--election", election.slug, str(path))["duplicate_file"] is True
    assert Voter.objects.filter(roll=election.roll).count() == 1


def test_command_refuses_a_missing_file_or_unknown_election(jakarta, tmp_path):
    election = ElectionFactory()
    with pytest.raises(CommandError, match="tidak ditemukan"):
        run_command("--election", election.slug, str(tmp_path / "tidak-ada.csv"))
    path = tmp_path / "dpt.csv"
    path.write_bytes(roll_csv([good_row()]))
    with pytest.raises(CommandError, match="tidak ditemukan"):
        run_command("--election", "tidak-ada", str(path))


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


# --- at rest, and recovery ----------------------------------------------------------------------


def test_the_stored_file_holds_none_of_the_niks_and_decrypts_to_the_upload(roll):
    niks = [make_nik(serial=i) for i in range(1, 6)]
    data = roll_csv([good_row(NIK=nik, NAMA="Siti Aminah") for nik in niks])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")

    with job.file.storage.open(job.file.name, "rb") as fh:
        blob = fh.read()
    assert blob != data and data not in blob
    assert not any(nik.encode() in blob for nik in niks) and b"Siti" not in blob
    assert not job.file.name.endswith("dpt.csv")
    with vault_open(job.file.name) as fh:
        assert fh.read() == data


def test_the_same_file_twice_is_still_one_import(roll, roll_import):
    data = roll_csv([good_row()])
    first, created = roll_import(data)
    again, created_again = roll_import(data, name="lagi.csv")

    assert created and not created_again and again.pk == first.pk
    assert RollImport.objects.filter(roll=roll).count() == 1


def test_an_import_left_running_with_an_old_heartbeat_is_taken_over(roll):
    from django.utils import timezone

    data = roll_csv([good_row(), good_row()])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")
    roll_import_run(import_id=job.pk)
    old = timezone.now() - dt.timedelta(hours=1)
    RollImport.objects.filter(pk=job.pk).update(status="running", heartbeat_at=old)

    rerun = roll_import_run(import_id=job.pk)

    assert rerun.status == "done" and rerun.heartbeat_at > old
    assert Voter.objects.filter(roll=roll).count() == 2


def test_sending_the_file_again_after_a_failure_runs_it_again(roll):
    data = roll_csv([good_row(), good_row()])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")
    RollImport.objects.filter(pk=job.pk).update(status="failed", failure="x")

    again, created = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")
    assert (again.pk, again.status, created) == (job.pk, "pending", False)
    assert roll_import_run(import_id=job.pk).status == "done"
    assert Voter.objects.filter(roll=roll).count() == 2


def test_a_tampered_stored_file_fails_the_import_with_a_message_and_no_detail(roll):
    from electorate.vault import VaultError

    data = roll_csv([good_row()])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")
    path = Path(job.file.storage.path(job.file.name))
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))

    with pytest.raises(VaultError):
        roll_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and f"#{job.pk}" in job.failure
    assert "VaultError" not in job.failure and Voter.objects.filter(roll=roll).count() == 0
