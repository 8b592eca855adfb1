from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from verification.rules import (
    Reason,
    eligible_birth_cutoff,
    occupation_is_restricted,
    outcome_for,
    outcome_masks,
    reason_outcomes,
)


class _Election:
    def __init__(self, rule_set="2024", reason_outcomes=None):
        self.rule_set = rule_set
        self.reason_outcomes = reason_outcomes or {}


def test_2024_defaults_follow_the_domain_table():
    outcomes = reason_outcomes(_Election())
    assert {k for k, v in outcomes.items() if v == "BMS"} == {
        "DUPLICATE_EXTERNAL",
        "DATA_MISMATCH",
        "RESTRICTED_OCCUPATION",
    }
    assert outcomes["NOT_IN_ROLL"] == "TMS"


def test_election_override_changes_one_reason():
    outcomes = reason_outcomes(_Election(reason_outcomes={"NOT_IN_ROLL": "bms"}))
    assert outcomes["NOT_IN_ROLL"] == "BMS" and outcomes["UNDERAGE"] == "TMS"


def test_unknown_outcome_is_refused():
    with pytest.raises(ValidationError, match="MS, BMS atau TMS"):
        reason_outcomes(_Election(reason_outcomes={"UNDERAGE": "MAYBE"}))


def test_misspelt_reason_code_is_refused_not_ignored():
    with pytest.raises(ValidationError, match="NOT_IN_ROL"):
        reason_outcomes(_Election(reason_outcomes={"NOT_IN_ROL": "BMS"}))


def test_worst_outcome_wins():
    masks = outcome_masks(reason_outcomes(_Election()))
    assert outcome_for(0, masks) == "MS"
    assert outcome_for(Reason.DATA_MISMATCH, masks) == "BMS"
    assert outcome_for(Reason.DATA_MISMATCH | Reason.UNDERAGE, masks) == "TMS"


def test_cutoff_is_exactly_17_years_before_voting_day():
    assert eligible_birth_cutoff(dt.date(2024, 11, 27)) == dt.date(2007, 11, 27)
    assert eligible_birth_cutoff(dt.date(2024, 2, 29)) == dt.date(2007, 2, 28)


@pytest.mark.parametrize(
    "text",
    [
        "PNS",
        "Pegawai Negeri Sipil",
        "ASN Pemprov DKI",
        "PPPK",
        "Anggota TNI AD",
        "Prajurit TNI",
        "POLRI",
        "anggota polisi",
        "Anggota KPU",
        "Ketua PPS",
        "Panwaslu Kecamatan",
        "Kepala Desa",
        "Kades",
        "Lurah",
        "Perangkat Desa",
        "Sekdes",
        "Anggota BPD",
    ],
)
def test_restricted_occupations_are_recognised(text):
    assert occupation_is_restricted(text)


@pytest.mark.parametrize(
    "text",
    [
        "Wiraswasta",
        "Pensiunan PNS",
        "Purnawirawan TNI",
        "Mantan Kades",
        "Karyawan Swasta",
        "Pelajar/Mahasiswa",
        "Mengurus Rumah Tangga",
        "Pedagang Kelurahan",
        "",
    ],
)
def test_other_occupations_are_not_restricted(text):
    assert not occupation_is_restricted(text)
