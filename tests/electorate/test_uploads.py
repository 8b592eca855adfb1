"""The upload machinery both importers share (files/uploads.py), shown through the voter-roll
importer: the file kept as it came (encrypted, with its SHA-256), claimed by one run at a time,
taken over when its worker died, retried, and failed with a message that gives nothing away."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from django.utils import timezone

from electorate.models import RollImport, Voter
from electorate.roll_import import roll_import_create, roll_import_retry, roll_import_run
from files.uploads import upload_bound
from files.vault import VaultError, vault_open
from tests.factories import good_row, make_nik, roll_csv

# --- keep: the file as it came, once ----------------------------------------------------------


def test_the_file_is_kept_as_uploaded_with_its_sha256(roll):
    data = roll_csv([good_row()])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="../dpt.csv")

    assert job.original_name == "dpt.csv"
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.size == len(data)
    with vault_open(job.file.name, bound=upload_bound(job)) as fh:
        assert fh.read() == data


def test_the_stored_file_holds_none_of_the_niks_and_decrypts_to_the_upload(roll):
    niks = [make_nik(serial=i) for i in range(1, 6)]
    data = roll_csv([good_row(NIK=nik, NAMA="Siti Aminah") for nik in niks])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")

    with job.file.storage.open(job.file.name, "rb") as fh:
        blob = fh.read()
    assert blob != data and data not in blob
    assert not any(nik.encode() in blob for nik in niks) and b"Siti" not in blob
    assert not job.file.name.endswith("dpt.csv")
    with vault_open(job.file.name, bound=upload_bound(job)) as fh:
        assert fh.read() == data


def test_the_same_file_twice_is_still_one_import(roll, roll_import):
    data = roll_csv([good_row()])
    first, created = roll_import(data)
    again, created_again = roll_import(data, name="lagi.csv")

    assert created and not created_again and again.pk == first.pk
    assert RollImport.objects.filter(roll=roll).count() == 1


def test_sending_the_file_again_after_a_failure_runs_it_again(roll):
    data = roll_csv([good_row(), good_row()])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")
    RollImport.objects.filter(pk=job.pk).update(status="failed", failure="x")

    again, created = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")
    assert (again.pk, again.status, created) == (job.pk, "pending", False)
    assert roll_import_run(import_id=job.pk).status == "done"
    assert Voter.objects.filter(roll=roll).count() == 2


# --- claim: one run at a time, a dead one taken over or retried -------------------------------


def test_a_claimed_import_is_not_run_again(roll, roll_import):
    job, _ = roll_import(roll_csv([good_row()]))
    again = roll_import_run(import_id=job.pk)

    assert again.status == "done"
    assert again.finished_at == job.finished_at
    assert Voter.objects.filter(roll=roll).count() == 1


def test_an_import_left_running_with_an_old_heartbeat_is_taken_over(roll):
    data = roll_csv([good_row(), good_row()])
    job, _ = roll_import_create(roll=roll, file=io.BytesIO(data), original_name="dpt.csv")
    roll_import_run(import_id=job.pk)
    old = timezone.now() - dt.timedelta(hours=1)
    RollImport.objects.filter(pk=job.pk).update(status="running", heartbeat_at=old)

    rerun = roll_import_run(import_id=job.pk)

    assert rerun.status == "done" and rerun.heartbeat_at > old
    assert Voter.objects.filter(roll=roll).count() == 2


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


# --- crash: a message for users, the detail for the log ---------------------------------------


def test_a_tampered_stored_file_fails_the_import_with_a_message_and_no_detail(roll):
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
