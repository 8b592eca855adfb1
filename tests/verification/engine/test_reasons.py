"""The reasons of each supporter and the outcome they make (verification/engine/reasons.py):
one engine run over a small case per test, each test about the one field that differs."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import VoterFactory, VoterRollFactory, make_nik
from tests.verification.case import KEL_OUTSIDE, KEL_UTARA, verdict, verify
from verification.models import VerificationResult, VerificationRun

pytestmark = pytest.mark.django_db(transaction=False)


def test_clean_supporter_in_roll_is_ms(case):
    s = case.supporter(make_nik())
    run = verify(case.pair("A"))
    assert verdict(s) == ("MS", set())
    assert run.status == VerificationRun.Status.DONE
    assert run.counts["MS"] == 1 and run.counts["total"] == 1


# --- NIK_INVALID -------------------------------------------------------------------------------


def test_nik_with_impossible_encoded_date_is_tms(case):
    nik = "3171013213800001"  # month 13
    s = case.supporter(nik, birth_date=dt.date(1980, 1, 1))
    verify(case.pair("A"))
    outcome, reasons = verdict(s)
    assert outcome == "TMS" and "NIK_INVALID" in reasons


def test_nik_with_unknown_region_prefix_is_tms(case):
    s = case.supporter(make_nik(region="319999"))
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"NIK_INVALID"})


def test_nik_prefix_of_another_province_is_valid(case):
    s = case.supporter(make_nik(region="320101"))  # Kab. Bogor: exists, first issued elsewhere
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


# --- NOT_IN_ROLL and per-election outcomes -----------------------------------------------------


def test_supporter_not_in_roll_is_tms(case):
    s = case.supporter(make_nik(), in_roll=False)
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"NOT_IN_ROLL"})


def test_election_can_make_not_in_roll_bms(case):
    case.election.reason_outcomes = {"NOT_IN_ROLL": "BMS"}
    case.election.save()
    s = case.supporter(make_nik(), in_roll=False)
    run = verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"NOT_IN_ROLL"})
    assert run.reason_outcomes["NOT_IN_ROLL"] == "BMS"  # recorded with the run


def test_voter_of_another_roll_does_not_count(case, election):
    nik = make_nik()
    other = VoterRollFactory(name="DPT lain", region=election.region)
    VoterFactory(roll=other, nik=nik, name="BUDI SANTOSO", kelurahan_code="x")
    s = case.supporter(nik, in_roll=False)
    verify(case.pair("A"))
    assert verdict(s)[1] == {"NOT_IN_ROLL"}


# --- OUTSIDE_REGION, and where a supporter counts ----------------------------------------------


def test_supporter_living_outside_the_province_is_tms(case):
    s = case.supporter(make_nik(), kelurahan_id=KEL_OUTSIDE)
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"OUTSIDE_REGION"})


def test_spread_counts_the_roll_domicile_not_the_typed_kelurahan(case):
    nik = make_nik()
    case.voter(nik, kelurahan_code="31.71.01.1001")  # on the roll in Jakarta Pusat
    s = case.supporter(nik, kelurahan_id=KEL_UTARA)  # typed as Jakarta Utara
    verify(case.pair("A"))
    assert VerificationResult.objects.get(pk=s.pk).kelurahan_code == "31.71.01.1001"


# --- UNDERAGE ----------------------------------------------------------------------------------


def test_born_exactly_17_years_before_voting_day_is_eligible(case):
    birth = dt.date(2007, 11, 27)
    s = case.supporter(make_nik(birth=birth), marital_status="B")
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


def test_born_one_day_short_of_17_on_voting_day_is_underage_tms(case):
    birth = dt.date(2007, 11, 28)
    s = case.supporter(make_nik(birth=birth), marital_status="B")
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"UNDERAGE"})


@pytest.mark.parametrize("status", ["S", "P"])
def test_married_or_once_married_at_16_is_eligible(case, status):
    s = case.supporter(make_nik(birth=dt.date(2008, 6, 1)), marital_status=status)
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


def test_age_follows_the_roll_birth_date_when_the_form_differs(case):
    nik = make_nik(birth=dt.date(2008, 6, 1))
    case.voter(nik, birth_date=dt.date(2008, 6, 1), marital_status="B")
    s = case.supporter(nik, birth_date=dt.date(2000, 6, 1), marital_status="B")
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"UNDERAGE", "DATA_MISMATCH"})


# --- DATA_MISMATCH -----------------------------------------------------------------------------


def test_name_different_from_roll_is_bms(case):
    nik = make_nik()
    case.voter(nik, name="AGUS SALIM")
    s = case.supporter(nik, name="BUDI SANTOSO")
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"DATA_MISMATCH"})


@pytest.mark.parametrize(
    "on_roll,on_form",
    [
        ("HJ. SITI NURHALIZA, S.H.", "Siti Nurhaliza"),
        ("DJOKO SOETJIPTO", "Joko Sucipto"),
        ("MOCHAMMAD RIZKY", "M. Rizky"),
        ("Dr. Ir. BUDI SANTOSO, M.M.", "budi  santoso"),
        ("SITI NUR HALIZA", "SITI NURHALIZA"),
    ],
)
def test_name_written_differently_is_not_a_mismatch(case, on_roll, on_form):
    nik = make_nik()
    case.voter(nik, name=on_roll)
    s = case.supporter(nik, name=on_form)
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


def test_birth_date_different_from_roll_is_bms(case):
    nik = make_nik(birth=dt.date(1980, 5, 17))
    case.voter(nik, birth_date=dt.date(1981, 5, 17))
    s = case.supporter(nik)
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"DATA_MISMATCH"})


def test_birth_date_different_from_what_the_nik_encodes_is_bms(case):
    nik = make_nik(birth=dt.date(1980, 5, 17))
    s = case.supporter(nik, birth_date=dt.date(1980, 5, 18))  # roll copies the form here
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"DATA_MISMATCH"})


def test_sex_different_from_what_the_nik_encodes_is_bms(case):
    nik = make_nik(sex="L")
    s = case.supporter(nik, sex="P")
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"DATA_MISMATCH"})


def test_woman_whose_nik_day_has_40_added_matches_sex_p(case):
    nik = make_nik(birth=dt.date(1985, 3, 9), sex="P")
    assert nik[6:8] == "49"
    s = case.supporter(nik, sex="P", birth_date=dt.date(1985, 3, 9))
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


def test_old_voter_whose_nik_year_reads_as_this_century_is_not_a_mismatch(case):
    nik = make_nik(birth=dt.date(1920, 4, 2))  # nik_decode reads yy=20 as 2020
    s = case.supporter(nik, birth_date=dt.date(1920, 4, 2))
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


# --- RESTRICTED_OCCUPATION and worst outcome ---------------------------------------------------


@pytest.mark.parametrize("occupation", ["Anggota POLRI", "PNS", "Kepala Desa", "tni ad", "PPK"])
def test_restricted_occupation_is_bms(case, occupation):
    s = case.supporter(make_nik(), occupation=occupation)
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"RESTRICTED_OCCUPATION"})


def test_worst_outcome_wins(case):
    s = case.supporter(make_nik(), in_roll=False, occupation="POLRI", kelurahan_id=KEL_UTARA)
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"NOT_IN_ROLL", "RESTRICTED_OCCUPATION"})
