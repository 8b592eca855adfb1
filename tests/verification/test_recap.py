"""The recap of a pair (verification/recap.py): counts, reasons, the region tree, threshold,
spread, shortfall and repair, per round and cumulative; and the recap command that prints it
(decisions/management/commands/recap.py since the decisions app came)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from candidates.models import Election
from fieldwork.standing import standing_refresh
from tests.factories import make_nik
from tests.verification.case import KEL_BARAT, KEL_OUTSIDE, KEL_UTARA, verify
from verification.recap import recap_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(case):
    """A mayor-sized known case: 4 MS (3 Jakarta Pusat, 1 Jakarta Utara), 1 BMS, 2 TMS."""
    case.election.dpt_count = 40  # threshold 10% of 40 = 4
    case.election.save()
    for _ in range(3):
        case.supporter(make_nik())
    case.supporter(make_nik(), kelurahan_id=KEL_UTARA)
    case.supporter(make_nik(), occupation="PNS", kelurahan_id=KEL_BARAT)  # BMS
    case.supporter(make_nik(), in_roll=False)  # TMS
    case.supporter(make_nik(), kelurahan_id=KEL_OUTSIDE)  # TMS
    verify(case.pair("A"))
    return case.pair("A")


def test_recap_counts_and_shape(small):
    recap = recap_compute(pair=small)
    assert (recap["MS"], recap["BMS"], recap["TMS"], recap["total"]) == (4, 1, 2, 7)
    assert recap["reasons"]["NOT_IN_ROLL"] == 1
    assert recap["reasons"]["OUTSIDE_REGION"] == 1
    assert recap["reasons"]["RESTRICTED_OCCUPATION"] == 1
    assert set(recap["reasons"]) == {
        "NIK_INVALID",
        "NOT_IN_ROLL",
        "OUTSIDE_REGION",
        "UNDERAGE",
        "DUPLICATE_INTERNAL",
        "DUPLICATE_EXTERNAL",
        "DATA_MISMATCH",
        "RESTRICTED_OCCUPATION",
        "PUBLIC_OBJECTION",  # set by a confirmed objection (objections), never by the run
        "REGISTRY_NOT_FOUND",  # the civil registry's answers (verification/registry.py)
        "REGISTRY_DECEASED",
    }
    assert recap["threshold"] == 4 and recap["meets_threshold"] is True
    # Governor: spread over the 6 kab/kota, more than half = 4; MS in Pusat and Utara only.
    by_unit = recap["spread"].pop("by_unit")
    assert recap["spread"] == {
        "required": 4,
        "achieved": 2,
        "units": 6,
        "unit_level": "kabkota",
        "meets": False,
        "shortfall": 2,
    }
    # Every unit of the province for the spread chart, with its MS (none outside DKI).
    assert [u["code"] for u in by_unit] == ["31.01", "31.71", "31.72", "31.73", "31.74", "31.75"]
    assert {u["code"]: u["MS"] for u in by_unit if u["MS"]} == {"31.71": 3, "31.72": 1}
    assert recap["shortfall"] == 0 and recap["repair_required"] == 0
    assert recap["status"] == "perlu_perbaikan"


def test_recap_by_region_sums_up_the_tree(small):
    by_region = recap_compute(pair=small)["by_region"]
    pusat = by_region["31.71"]
    assert "JAKARTA PUSAT" in pusat["name"].upper()
    assert (pusat["MS"], pusat["BMS"], pusat["TMS"]) == (3, 0, 1)
    gambir = pusat["kecamatan"]["31.71.01"]["kelurahan"]["31.71.01.1001"]
    assert gambir["MS"] == 3 and gambir["total"] == 4
    assert by_region["31.73"]["BMS"] == 1
    assert by_region["32.01"]["TMS"] == 1  # outside the province, still accounted for
    assert sum(e["total"] for e in by_region.values()) == 7


def test_shortfall_and_repair_under_the_2024_rule(small):
    Election.objects.filter(pk=small.election_id).update(dpt_count=100)  # threshold 10
    small.election.refresh_from_db()
    standing_refresh(pair=small)  # the election changed: its standing moves
    recap = recap_compute(pair=small)
    assert recap["threshold"] == 10
    assert recap["shortfall"] == 6 and recap["repair_required"] == 6
    assert recap["meets_threshold"] is False


def test_legacy_rule_set_doubles_the_repair_required(small):
    Election.objects.filter(pk=small.election_id).update(dpt_count=100, rule_set="2015")
    small.election.refresh_from_db()
    standing_refresh(pair=small)
    recap = recap_compute(pair=small)
    assert recap["shortfall"] == 6 and recap["repair_required"] == 12


def test_recap_per_round_and_cumulative_counts_a_resubmitted_person_once(case):
    nik = make_nik()
    case.supporter(nik, occupation="PNS")  # BMS in round 0
    case.supporter(make_nik())  # MS
    verify(case.pair("A"), round=0)
    repair = case.upload("A", round=1)
    case.supporter(nik, upload=repair, occupation="Pedagang")  # resubmitted, now MS
    case.supporter(make_nik(), upload=repair)  # new MS
    verify(case.pair("A"), round=1)
    pair = case.pair("A")

    cumulative = recap_compute(pair=pair)
    assert (cumulative["MS"], cumulative["BMS"], cumulative["TMS"]) == (3, 0, 0)
    assert cumulative["by_round"]["0"]["MS"] == 1 and cumulative["by_round"]["0"]["BMS"] == 1
    assert cumulative["by_round"]["1"]["MS"] == 2

    round1 = recap_compute(pair=pair, round=1)
    assert (round1["MS"], round1["total"]) == (2, 2)
    assert round1["cumulative"]["MS"] == 3  # MS against the threshold adds up the rounds

    round0 = recap_compute(pair=pair, round=0)
    assert (round0["MS"], round0["BMS"]) == (1, 1)


def test_unverified_pair_has_status_not_verified(case):
    case.supporter(make_nik())
    recap = recap_compute(pair=case.pair("A"))
    assert recap["status"] == "belum_diverifikasi" and recap["total"] == 0


def test_recap_command_prints_json(small, capsys):
    call_command("recap", "--pair", str(small.pk), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["MS"] == 4 and data["threshold"] == 4  # the standing: the MS that counts
    assert {"spread", "shortfall", "repair_required", "administrative"} <= set(data)
    assert {"by_region", "reasons"} <= set(data["administrative"])
    assert data["spread"]["required"] == 4 and data["spread"]["achieved"] == 2
