"""DUPLICATE_EXTERNAL across an election (verification/engine/external.py): a NIK listed for more
than one pair, kept up to date when a list loads, when a pair is verified and when a list goes."""

from __future__ import annotations

import pytest

from tests.factories import make_nik
from tests.verification.case import upload_done_signal, verdict, verify
from verification import engine

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.mark.parametrize("first", ["A", "B"])
def test_nik_listed_for_two_pairs_is_bms_on_both_whichever_uploaded_first(
    case, first, django_capture_on_commit_callbacks
):
    second = "B" if first == "A" else "A"
    nik = make_nik()
    earlier = case.supporter(nik, upload=case.upload(first))
    verify(case.pair(first))
    assert verdict(earlier) == ("MS", set())

    later_upload = case.upload(second)
    later = case.supporter(nik, upload=later_upload)
    with django_capture_on_commit_callbacks(execute=True):
        upload_done_signal(later_upload)
    assert verdict(earlier) == ("BMS", {"DUPLICATE_EXTERNAL"})  # refreshed on the upload

    verify(case.pair(second))
    assert verdict(later) == ("BMS", {"DUPLICATE_EXTERNAL"})
    assert verdict(earlier) == ("BMS", {"DUPLICATE_EXTERNAL"})


def test_external_duplicate_clears_when_the_other_list_is_gone(case):
    nik = make_nik()
    a = case.supporter(nik, upload=case.upload("A"))
    b_upload = case.upload("B")
    case.supporter(nik, upload=b_upload)
    verify(case.pair("A"))
    assert verdict(a)[1] == {"DUPLICATE_EXTERNAL"}
    b_upload.delete()
    engine.duplicate_external_refresh(election=case.election)
    assert verdict(a) == ("MS", set())


def test_verifying_one_pair_flags_the_other_pairs_results(case):
    nik = make_nik()
    b_upload = case.upload("B")
    b = case.supporter(nik, upload=b_upload)
    verify(case.pair("B"))  # A has no list yet: MS
    assert verdict(b) == ("MS", set())
    case.supporter(nik, upload=case.upload("A"))  # no signal sent: verifying A must catch it
    verify(case.pair("A"))
    assert verdict(b) == ("BMS", {"DUPLICATE_EXTERNAL"})
