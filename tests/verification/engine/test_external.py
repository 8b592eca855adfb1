"""DUPLICATE_EXTERNAL across an election (verification/engine/external.py): a NIK listed for more
than one pair. A pair's results change only in its own run, never by another pair's upload or
run; until the next run, the KPU sees how many would change."""

from __future__ import annotations

import pytest

from tests.factories import make_nik
from tests.verification.case import upload_done_signal, verdict, verify
from verification import engine

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.mark.parametrize("first", ["A", "B"])
def test_nik_listed_for_two_pairs_is_bms_on_both_whichever_uploaded_first(case, first):
    second = "B" if first == "A" else "A"
    nik = make_nik()
    earlier = case.supporter(nik, upload=case.upload(first))
    verify(case.pair(first))
    assert verdict(earlier) == ("MS", set())

    later = case.supporter(nik, upload=case.upload(second))
    verify(case.pair(second))
    assert verdict(later) == ("BMS", {"DUPLICATE_EXTERNAL"})
    # The other pair's upload and run left the first pair's verdict alone ...
    assert verdict(earlier) == ("MS", set())
    assert engine.external_changes(pair=case.pair(first)) == 1  # ... and the KPU is told
    verify(case.pair(first))  # until the KPU verifies that pair again
    assert verdict(earlier) == ("BMS", {"DUPLICATE_EXTERNAL"})
    assert engine.external_changes(pair=case.pair(first)) == 0


def test_a_rivals_upload_changes_no_verified_result(case, django_capture_on_commit_callbacks):
    nik = make_nik()
    mine = case.supporter(nik, upload=case.upload("A"))
    verify(case.pair("A"))
    rival_upload = case.upload("B")
    case.supporter(nik, upload=rival_upload)
    with django_capture_on_commit_callbacks(execute=True):
        upload_done_signal(rival_upload)  # whatever listens to a finished upload
    assert verdict(mine) == ("MS", set())


def test_external_duplicate_clears_at_the_next_run_when_the_other_list_is_gone(case):
    nik = make_nik()
    a = case.supporter(nik, upload=case.upload("A"))
    b_upload = case.upload("B")
    case.supporter(nik, upload=b_upload)
    verify(case.pair("A"))
    assert verdict(a)[1] == {"DUPLICATE_EXTERNAL"}
    b_upload.delete()
    assert engine.external_changes(pair=case.pair("A")) == 1
    verify(case.pair("A"))
    assert verdict(a) == ("MS", set())
