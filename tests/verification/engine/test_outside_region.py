"""OUTSIDE_REGION as officials argue it (UU 10/2016 Art. 41(3)): being on the election's DPT is
what makes a supporter a voter of the region, whatever kelurahan the team typed; only a
supporter not found on the roll is judged by the typed kelurahan. A voter is judged by where
the roll places them, which is also where the recap counts them (verification/engine/reasons.py).
"""

from __future__ import annotations

import pytest

from tests.factories import ElectionFactory, RegionFactory, make_nik
from tests.verification.case import KEL, KEL_BARAT, Case, verdict, verify
from verification.models import VerificationResult

pytestmark = pytest.mark.django_db(transaction=False)

# Neighbours of DKI Jakarta, as the Kemendagri tree names them.
BEKASI = "32.75.01.1001"  # Bekasijaya, Bekasi Timur, Kota Bekasi (Jawa Barat)
TANGERANG = "36.71.01.1001"  # Sukarasa, Tangerang, Kota Tangerang (Banten)
NAMES = {
    "32": "JAWA BARAT",
    "32.75": "KOTA BEKASI",
    "32.75.01": "Bekasi Timur",
    BEKASI: "Bekasijaya",
    "36": "BANTEN",
    "36.71": "KOTA TANGERANG",
    "36.71.01": "Tangerang",
    TANGERANG: "Sukarasa",
}


@pytest.fixture
def neighbours(jakarta):
    for code, name in NAMES.items():
        RegionFactory(code=code, name=name)


@pytest.mark.parametrize("typed", [BEKASI, TANGERANG], ids=["bekasi", "tangerang"])
def test_voter_on_the_roll_who_typed_a_neighbouring_kelurahan_is_ms(case, neighbours, typed):
    nik = make_nik()
    case.voter(nik, kelurahan_code=KEL)  # on DKI's DPT, in Gambir
    s = case.supporter(nik, kelurahan_id=typed)
    verify(case.pair("A"))

    assert verdict(s) == ("MS", set())
    result = VerificationResult.objects.get(pk=s.pk)
    assert (result.kelurahan_code, result.moved) == (KEL, True)  # counted where the roll says


@pytest.mark.parametrize("typed", [BEKASI, TANGERANG], ids=["bekasi", "tangerang"])
def test_supporter_not_on_the_roll_with_a_neighbouring_kelurahan_is_outside_region(
    case, neighbours, typed
):
    s = case.supporter(make_nik(), in_roll=False, kelurahan_id=typed)
    verify(case.pair("A"))

    assert verdict(s) == ("TMS", {"OUTSIDE_REGION", "NOT_IN_ROLL"})
    assert VerificationResult.objects.get(pk=s.pk).kelurahan_code == typed


def test_voter_the_roll_places_in_the_region_is_not_outside_whatever_else_is_wrong(
    case, neighbours
):
    nik = make_nik()
    case.voter(nik, kelurahan_code=KEL, name="SITI AMINAH")
    s = case.supporter(nik, kelurahan_id=BEKASI, name="BUDI SANTOSO", occupation="PNS")
    verify(case.pair("A"))

    assert verdict(s) == ("BMS", {"DATA_MISMATCH", "RESTRICTED_OCCUPATION"})


def test_a_province_roll_shared_with_a_city_election_places_other_cities_voters_outside(
    case, election
):
    # One DPT serves the governor's election and Jakarta Pusat's: a voter of Jakarta Barat is
    # on the roll, but not a voter of Jakarta Pusat.
    city = ElectionFactory(
        slug="pilwalkot-jakpus",
        region_code="31.71",
        level="mayor",
        dpt_count=830_352,
        roll=election.roll,
    )
    city_case = Case(city)
    inside, outside = make_nik(), make_nik()
    city_case.voter(inside, kelurahan_code=KEL)
    city_case.voter(outside, kelurahan_code=KEL_BARAT)
    s_in = city_case.supporter(inside, kelurahan_id=KEL_BARAT)  # typed wrong, roll says Gambir
    s_out = city_case.supporter(outside, kelurahan_id=KEL)  # typed Gambir, roll says Jakbar
    verify(city_case.pair("A"))

    assert verdict(s_in) == ("MS", set())
    assert verdict(s_out) == ("TMS", {"OUTSIDE_REGION"})
