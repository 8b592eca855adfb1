"""Undoing a voter-roll import (electorate/services.py: roll_import_undo): the voters one file
brought leave the roll again, the import stays on record, the same file can come back; refused
once a verification has matched supporters against those voters."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from electorate.models import RollImport, Voter
from electorate.services import roll_import_submit, roll_import_undo
from tests.factories import (
    ElectionFactory,
    PairFactory,
    RollImportFactory,
    SupporterFactory,
    SupportUploadFactory,
    good_row,
    make_nik,
    roll_csv,
)
from verification.engine import run_create, verification_run


def test_an_undo_takes_out_the_voters_of_that_import_only(roll, roll_import):
    keep, _ = roll_import(roll_csv([good_row(), good_row()]), name="benar.csv")
    wrong, _ = roll_import(roll_csv([good_row(), good_row(), good_row()]), name="keliru.csv")
    assert roll_import_undo(import_id=wrong.pk) == 3
    assert Voter.objects.filter(roll=roll).count() == 2
    assert set(Voter.objects.filter(roll=roll).values_list("roll_import_id", flat=True)) == {
        keep.pk
    }
    wrong.refresh_from_db()
    assert wrong.undone_at is not None and wrong.status == RollImport.Status.FAILED
    assert wrong.failure == "Impor dibatalkan: 3 pemilih dari berkas ini dikeluarkan dari DPT."
    assert Event.objects.filter(action="roll.import_undone").count() == 1
    with pytest.raises(ValidationError, match="sudah dibatalkan"):
        roll_import_undo(import_id=wrong.pk)


def test_the_same_file_can_be_imported_again_after_an_undo(roll, roll_import):
    data = roll_csv([good_row(), good_row()])
    job, _ = roll_import(data)
    roll_import_undo(import_id=job.pk)
    again, created = roll_import_submit(roll=roll, file=io.BytesIO(data), original_name="x.csv")
    assert not created and again.pk == job.pk
    assert again.status == RollImport.Status.PENDING and again.undone_at is None


def test_an_undo_is_refused_once_a_verification_used_the_voters(roll, roll_import):
    nik = make_nik()
    job, _ = roll_import(roll_csv([good_row(NIK=nik)]))
    election = ElectionFactory(roll=roll)
    pair = PairFactory(election=election, name="Paslon X")
    SupporterFactory(upload=SupportUploadFactory(pair=pair), nik=nik)
    verification_run(run_id=run_create(pair=pair).pk)
    with pytest.raises(ValidationError) as info:
        roll_import_undo(import_id=job.pk)
    message = info.value.messages[0]
    assert message.startswith("Impor ini tidak dapat dibatalkan: verifikasi administrasi Paslon X")
    assert "(putaran #1," in message
    assert Voter.objects.filter(roll=roll).count() == 1


def test_only_a_finished_import_can_be_undone(roll):
    running = RollImportFactory(roll=roll, status=RollImport.Status.RUNNING)
    with pytest.raises(ValidationError, match="Hanya impor yang sudah selesai"):
        roll_import_undo(import_id=running.pk)
