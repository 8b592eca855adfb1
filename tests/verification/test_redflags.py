from __future__ import annotations

import pytest

from tests.factories import make_nik
from tests.verification.case import KEL_UTARA
from verification.redflags import red_flags_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def flags_conf(settings):
    settings.VERIFICATION_RED_FLAGS = {
        **settings.VERIFICATION_RED_FLAGS,
        "share_min_supporters": 3,
        "address_min": 4,
        "serial_run_min": 5,
    }


def kinds(flags, kind):
    return [f for f in flags if f["kind"] == kind]


def test_area_with_supports_above_its_share_of_the_roll_is_flagged(case, flags_conf):
    # Jakarta Utara: 4 supporters of a roll of 5 (80%); Jakarta Pusat: 3 of 20 (15%).
    for _ in range(4):
        case.supporter(make_nik(), kelurahan_id=KEL_UTARA)
    case.voter(make_nik(), kelurahan_code=KEL_UTARA)
    for _ in range(3):
        case.supporter(make_nik())
    for _ in range(17):
        case.voter(make_nik())
    flags = kinds(red_flags_compute(pair=case.pair("A")), "share")
    assert {(f["level"], f["region"]) for f in flags} == {
        ("kabkota", "31.72"),
        ("kelurahan", KEL_UTARA),
    }
    utara = next(f for f in flags if f["region"] == "31.72")
    assert (utara["supporters"], utara["roll"], utara["share"]) == (4, 5, 0.8)
    assert "80.0%" in utara["message"]


def test_many_supporters_at_one_address_are_flagged_despite_spelling(case, flags_conf):
    for address, rt in [
        ("Jl. Kenari No. 5", "003"),
        ("JALAN KENARI NO 5", "3"),
        ("jl kenari no.5", "03"),
        ("Jl Kenari, No 5", "003"),
    ]:
        case.supporter(make_nik(), address=address, rt=rt, rw="01")
    for _ in range(3):
        case.supporter(make_nik(), address="Jl. Melati 9")
    flags = kinds(red_flags_compute(pair=case.pair("A")), "address")
    assert len(flags) == 1
    assert flags[0]["supporters"] == 4 and flags[0]["rt"] == "3"


def test_long_run_of_consecutive_nik_serials_is_flagged(case, flags_conf):
    for serial in range(101, 107):  # 6 consecutive serials, same region and birth date
        case.supporter(make_nik(serial=serial))
    for serial in (201, 203, 205, 207, 209):  # not consecutive
        case.supporter(make_nik(serial=serial))
    flags = kinds(red_flags_compute(pair=case.pair("A")), "serial")
    assert len(flags) == 1
    assert (flags[0]["nik_prefix"], flags[0]["supporters"]) == ("3171", 6)
    assert "0101" not in flags[0]["message"]  # the serials themselves are not shown


def test_red_flags_change_no_outcome(case, flags_conf):
    from verification.engine import run_create, verification_run
    from verification.models import VerificationResult

    for serial in range(1, 8):
        case.supporter(make_nik(serial=serial + 300), address="Jl. Sama 1")
    run = run_create(pair=case.pair("A"))
    verification_run(run_id=run.pk)
    before = list(VerificationResult.objects.values_list("pk", "reasons", "outcome"))
    assert red_flags_compute(pair=case.pair("A"))
    assert list(VerificationResult.objects.values_list("pk", "reasons", "outcome")) == before
