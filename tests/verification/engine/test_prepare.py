"""What a run prepares pair-wide before its chunks (verification/engine/prepare.py): the
DUPLICATE_INTERNAL bits and the earlier records a repair round supersedes."""

from __future__ import annotations

import pytest

from tests.factories import make_nik
from tests.verification.case import verdict, verify
from verification.models import VerificationResult

pytestmark = pytest.mark.django_db(transaction=False)


# --- DUPLICATE_INTERNAL ------------------------------------------------------------------------


def test_second_listing_of_a_nik_for_the_same_pair_is_tms(case):
    nik = make_nik()
    first = case.supporter(nik)
    second = case.supporter(nik)
    verify(case.pair("A"))
    assert verdict(first) == ("MS", set())
    assert verdict(second) == ("TMS", {"DUPLICATE_INTERNAL"})


def test_first_occurrence_follows_upload_then_row_order(case):
    nik = make_nik()
    early, late = case.upload("A"), case.upload("A")
    in_late = case.supporter(nik, upload=late)
    in_early = case.supporter(nik, upload=early)
    verify(case.pair("A"))
    assert verdict(in_early) == ("MS", set())
    assert verdict(in_late) == ("TMS", {"DUPLICATE_INTERNAL"})


# --- repair rounds -----------------------------------------------------------------------------


def test_repair_resubmission_of_a_bms_record_is_checked_afresh_and_supersedes_it(case):
    nik = make_nik()
    bad = case.supporter(nik, occupation="PNS")  # BMS: restricted occupation
    verify(case.pair("A"), round=0)
    assert verdict(bad)[0] == "BMS"
    fixed = case.supporter(nik, upload=case.upload("A", round=1), occupation="Pedagang")
    verify(case.pair("A"), round=1)
    assert verdict(fixed) == ("MS", set())
    assert VerificationResult.objects.get(pk=bad.pk).superseded


def test_repair_listing_of_a_nik_already_ms_is_a_duplicate(case):
    nik = make_nik()
    ms = case.supporter(nik)
    verify(case.pair("A"), round=0)
    again = case.supporter(nik, upload=case.upload("A", round=1))
    verify(case.pair("A"), round=1)
    assert verdict(again) == ("TMS", {"DUPLICATE_INTERNAL"})
    assert not VerificationResult.objects.get(pk=ms.pk).superseded
