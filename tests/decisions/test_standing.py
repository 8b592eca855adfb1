"""Where a pair stands (decisions/standing.py): the current stage of the cycle, the latest
factual verification, and the final MS (each supporter once: the field result where handed to
the field, else the administrative MS) held against the threshold and the spread."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates.models import Election
from decisions.standing import standing_report as standing_compute
from fieldwork.models import Finding, Task
from fieldwork.stages import stage_start
from fieldwork.standing import standing_refresh
from tests.factories import make_nik
from tests.fieldwork.field import AFTER, close_all, enter, ms, started
from tests.verification.case import KEL, KEL_BARAT, KEL_UTARA, verify

pytestmark = pytest.mark.django_db

KEL_SELATAN = "31.74.01.1001"  # Tebet Timur, Jakarta Selatan
JUNE_3 = dt.date(2024, 6, 3)


@pytest.fixture
def small(case):
    """The governor election with DPT 60: threshold 10% = 6, spread over more than half of
    the 6 kab/kota = 4. Pair A: 2 MS in Jakarta Pusat, 1 each in Utara, Barat and Selatan,
    1 BMS (PNS) and 1 TMS (not in the roll)."""
    Election.objects.filter(pk=case.election.pk).update(dpt_count=60)
    case.election.refresh_from_db()
    ms(case, 2, kelurahan=KEL)
    for kelurahan in (KEL_UTARA, KEL_BARAT, KEL_SELATAN):
        ms(case, 1, kelurahan=kelurahan)
    case.supporter(make_nik(), occupation="PNS")
    case.supporter(make_nik(), in_roll=False)
    return case.pair("A")


def _final(pair) -> dict:
    return standing_compute(pair=pair)["final"]


def test_before_any_upload_the_pair_is_at_submission(case):
    standing = standing_compute(pair=case.pair("A"))
    assert standing["stage"] == {"name": "submission", "round": 0, "status": "open"}
    assert standing["verfak"] is None and standing["final"]["MS"] == 0


def test_after_vermin_the_administrative_ms_are_due_in_the_field(small):
    verify(small)
    standing = standing_compute(pair=small)
    assert standing["stage"] == {"name": "vermin", "round": 0, "status": "done"}
    admin = standing["administrative"]
    assert (admin["MS"], admin["BMS"], admin["TMS"]) == (5, 1, 1)
    final = standing["final"]
    assert (final["MS"], final["MS_due_in_field"], final["threshold"]) == (5, 5, 6)
    assert (final["shortfall"], final["repair_required"]) == (1, 1)
    assert final["spread"]["achieved"] == 4 and final["spread"]["required"] == 4
    assert final["spread"]["reached"] == ["31.71", "31.72", "31.73", "31.74"]
    assert final["meets"] is False
    assert final["status_label"] == "Wajib menyerahkan perbaikan dukungan"


def test_an_open_verfak_counts_once_it_is_closed(small):
    """While a factual verification is open its results are work in progress: the standing
    stays where the administrative verification left it (all still due in the field) until
    the KPU closes the stage; then the field results replace the administrative MS."""
    stage = started(small)
    gambir = Task.objects.filter(stage=stage, kelurahan_code=KEL).order_by("pk")
    enter(gambir[0], Finding.SESUAI, JUNE_3)
    enter(gambir[1], Finding.TOLAK, JUNE_3)  # a denial without signature stays MS

    standing = standing_compute(pair=small)

    assert standing["stage"] == {"name": "verfak", "number": 1, "round": 0, "status": "open"}
    verfak = standing["verfak"]
    assert (verfak["MS"], verfak["TMS"], verfak["pending"], verfak["total"]) == (2, 0, 3, 5)
    assert verfak["by_outcome"]["BELUM"] == 3 and verfak["by_outcome"]["TOLAK"] == 1
    final = standing["final"]
    assert (final["MS"], final["carried"], final["since"]) == (5, 0, 5)
    assert (final["MS_due_in_field"], final["MS_in_open_stage"]) == (0, 5)

    close_all(stage, as_of=AFTER)  # three never visited: TMS
    final = standing_compute(pair=small)["final"]
    assert (final["MS"], final["carried"], final["MS_due_in_field"]) == (2, 2, 0)
    assert final["spread"]["reached"] == ["31.71"]


def test_after_verfak_the_final_ms_is_the_field_result(small):
    stage = started(small)
    for t in Task.objects.filter(stage=stage).exclude(kelurahan_code=KEL_SELATAN):
        enter(t, Finding.SESUAI, JUNE_3)
    close_all(stage, as_of=AFTER)  # Selatan never visited: TMS

    final = _final(small)

    assert (final["MS"], final["shortfall"], final["repair_required"]) == (4, 2, 2)
    assert (final["spread"]["achieved"], final["spread"]["shortfall"]) == (3, 1)
    assert final["meets"] is False


def test_the_legacy_rule_set_owes_twice_the_shortfall(small):
    Election.objects.filter(pk=small.election_id).update(rule_set="2015")
    small.election.refresh_from_db()
    verify(small)
    standing_refresh(pair=small)
    final = _final(small)
    assert (final["shortfall"], final["repair_required"]) == (1, 2)


def test_the_repair_round_not_yet_in_the_field_adds_its_administrative_ms(case, small):
    stage = started(small)
    for t in Task.objects.filter(stage=stage):
        enter(t, Finding.SESUAI, JUNE_3)
    close_all(stage, as_of=AFTER)
    repair = case.upload("A", round=1)
    case.supporter(make_nik(), upload=repair)
    verify(small, round=1)

    standing = standing_compute(pair=small)

    assert standing["stage"] == {"name": "vermin", "round": 1, "status": "done"}
    assert standing["verfak"]["number"] == 1
    final = standing["final"]
    assert (final["MS"], final["MS_due_in_field"], final["meets"]) == (6, 1, True)
    assert final["status_label"] == "Memenuhi syarat jumlah dan sebaran dukungan"

    stage = stage_start(pair=small, opens=dt.date(2024, 7, 1))
    # Verfak 2 open: the repair's MS still counts as administrative MS, now in the field.
    assert (_final(small)["MS"], _final(small)["MS_in_open_stage"]) == (6, 1)
    close_all(stage, as_of=dt.date(2024, 7, 20))  # never visited: TMS
    assert (_final(small)["MS"], _final(small)["MS_due_in_field"]) == (5, 0)


def test_a_double_who_chose_the_other_pair_does_not_count(case, small):
    nik = make_nik()
    a = case.supporter(nik, kelurahan_id=KEL_UTARA)
    case.supporter(nik, upload=case.upload("B"))
    verify(case.pair("B"))
    stage = started(small)
    enter(Task.objects.get(supporter=a), Finding.SESUAI, JUNE_3, chosen=case.pair("B"))
    for t in Task.objects.filter(stage=stage, finding=""):
        enter(t, Finding.SESUAI, JUNE_3)
    close_all(stage, as_of=AFTER)

    assert _final(small)["MS"] == 5  # 6 confirmed, but one of them chose B
    assert _final(case.pair("B"))["MS"] == 0  # a double is BMS administratively
    stage_b = stage_start(pair=case.pair("B"), opens=dt.date(2024, 6, 20))
    assert Task.objects.get(stage=stage_b).result == "MS"  # B's field takes A's choice
    close_all(stage_b, as_of=dt.date(2024, 7, 5))
    assert _final(case.pair("B"))["MS"] == 1
