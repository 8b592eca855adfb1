"""Adding a kind of election is one entry in candidates.kinds.KINDS (issue 20 item 2): a kind
defined here alone, in the test, is chosen at set-up, has its threshold and spread, is verified
and recapped, and its minutes and repair follow, with no other module told about it."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates import kinds
from candidates.elections import election_threshold
from candidates.forms import ElectionForm
from candidates.kinds import ElectionKind, election_kind
from candidates.services import election_create, election_roll_ensure
from documents.figures import levels_allowed
from electorate.areas import KECAMATAN, PROVINCE
from tests.factories import make_nik
from tests.verification.case import KEL, KEL_UTARA, Case, verify
from verification.recap import recap_compute

pytestmark = pytest.mark.django_db

# A governor elected with 3% of the DPT, spread over the province's kecamatan, a repair owing
# three times the shortfall: no law says so, which is the point (no module may know it).
TEST_KIND = ElectionKind(
    level="gov_kec",
    label="Gubernur (uji: sebaran kecamatan)",
    region_kind="provinsi",
    area_depth=PROVINCE,
    bands=((None, 3.0),),
    spread_depth=KECAMATAN,
    repair_multiplier={"2024": 3},
)


@pytest.fixture
def test_kind(monkeypatch):
    monkeypatch.setitem(kinds.KINDS, TEST_KIND.level, TEST_KIND)
    return TEST_KIND


def test_the_shipped_kinds_are_the_laws(jakarta):
    assert election_kind("governor").percent(8_252_897) == 7.5
    assert election_kind("mayor").percent(830_352) == 7.5
    assert [k.spread_key for k in kinds.KINDS.values()] == ["kabkota", "kecamatan", "kecamatan"]
    assert kinds.KINDS["governor"].repair_required(10, "2015") == 20


def test_a_kind_added_in_one_table_works_end_to_end(test_kind, jakarta):
    assert (test_kind.level, test_kind.label) in ElectionForm.base_fields["level"].choices
    election = election_create(
        slug="pilgub-uji",
        region_code="31",
        level=test_kind.level,
        dpt=1_000,
        voting_day=dt.date(2024, 11, 27),
    )
    assert election.get_level_display() == test_kind.label
    assert str(test_kind.label) in election.name
    # 3% of 1,000 = 30; DKI's 44 kecamatan, more than half: 23.
    threshold = election_threshold(election)
    assert (threshold.percent, threshold.threshold) == (3.0, 30)
    assert (threshold.spread_units, threshold.spread_required) == (44, 23)

    election_roll_ensure(election=election)
    case = Case(election)
    for _ in range(3):
        case.supporter(make_nik())  # Gambir, Gambir
    case.supporter(make_nik(), kelurahan_id=KEL_UTARA)  # Penjaringan, Penjaringan
    verify(case.pair("A"))

    recap = recap_compute(pair=case.pair("A"))
    assert (recap["MS"], recap["threshold"], recap["threshold_percent"]) == (4, 30, 3.0)
    spread = recap["spread"]
    assert (spread["unit_level"], spread["units"], spread["required"]) == ("kecamatan", 44, 23)
    assert spread["achieved"] == 2
    assert {u["code"]: u["MS"] for u in spread["by_unit"] if u["MS"]} == {
        KEL.rsplit(".", 1)[0]: 3,
        KEL_UTARA.rsplit(".", 1)[0]: 1,
    }
    assert len(spread["by_unit"]) == 44
    assert (recap["shortfall"], recap["repair_required"]) == (26, 78)  # three times 26
    # Minutes at the province and, as for a governor, each KPU Kab/Kota's part.
    assert levels_allowed(election) == ["31", "31.01", "31.71", "31.72", "31.73", "31.74", "31.75"]


def test_a_region_refuses_a_kind_it_does_not_hold(test_kind, jakarta):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        election_create(
            slug="pilbup-uji",
            region_code="31.71",
            level=test_kind.level,
            dpt=1_000,
            voting_day=dt.date(2024, 11, 27),
        )
    assert caught.value.error_list[0].code == "level_mismatch"
    assert caught.value.error_list[0].params["level"] == "mayor"
