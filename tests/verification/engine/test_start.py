"""Starting a run (verification/engine/start.py): when a round may start, and starting twice or
after the list changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from candidates.models import SupportUpload
from tests.factories import make_nik
from verification.engine import run_create, verification_run
from verification.models import VerificationRun

pytestmark = pytest.mark.django_db(transaction=False)


def test_repair_round_waits_for_the_earlier_round(case):
    case.supporter(make_nik())
    case.supporter(make_nik(), upload=case.upload("A", round=1))
    with pytest.raises(ValidationError):
        run_create(pair=case.pair("A"), round=1)


def test_a_later_round_named_too_early_says_which_round_waits_and_how_many(case):
    case.supporter(make_nik())
    case.supporter(make_nik())
    case.supporter(make_nik(), upload=case.upload("A", round=1))
    with pytest.raises(ValidationError) as info:
        run_create(pair=case.pair("A"), round=1)
    assert info.value.messages == [
        "Tahap Penyerahan awal belum diverifikasi (2 pendukung): verifikasi tahap itu dulu, "
        "baru Perbaikan 1."
    ]


def test_without_a_round_a_run_takes_the_earliest_round_still_waiting(case):
    """Two rounds waiting (the initial list and a repair, both unverified): the default is
    the initial round, which may start, not the latest, which may not."""
    case.supporter(make_nik())
    case.supporter(make_nik(), upload=case.upload("A", round=1))
    first = run_create(pair=case.pair("A"))
    assert first.round == 0
    verification_run(run_id=first.pk)
    second = run_create(pair=case.pair("A"))
    assert second.round == 1
    verification_run(run_id=second.pk)
    assert run_create(pair=case.pair("A")).round == 1  # nothing waits: a rerun of the latest


def test_verification_waits_for_uploads_of_the_round_still_being_imported(case):
    case.supporter(make_nik())
    SupportUpload.objects.filter(pk=case.upload("A").pk).update(status="running")
    with pytest.raises(ValidationError, match="sedang diproses"):
        run_create(pair=case.pair("A"))


def test_starting_twice_resumes_the_unfinished_run_instead_of_doubling_it(mixed):
    first = run_create(pair=mixed)
    again = run_create(pair=mixed)
    assert again.pk == first.pk
    assert VerificationRun.objects.filter(pair=mixed).count() == 1
    verification_run(run_id=first.pk)
    assert run_create(pair=mixed).pk != first.pk  # done: a new one


def test_an_unfinished_run_is_replaced_when_the_list_changed_since(mixed, case):
    first = run_create(pair=mixed)
    case.supporter(make_nik())  # another supporter arrives in the same round
    second = run_create(pair=mixed)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.status == VerificationRun.Status.FAILED
    assert verification_run(run_id=second.pk).counts["total"] == (mixed.supporters.count())
