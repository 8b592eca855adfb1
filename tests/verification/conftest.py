"""The engine's case (tests/verification/case.py), and a pair verified on it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ElectionFactory, RegionFactory, VoterRollFactory, make_nik
from tests.verification.case import KEL_OUTSIDE, VOTING_DAY, Case
from verification.engine import run_create, verification_run


@pytest.fixture
def outside_region(jakarta):
    """One village outside DKI, for OUTSIDE_REGION."""
    for code in ("32", "32.01", "32.01.01", KEL_OUTSIDE):
        region = RegionFactory(code=code)
    return region


@pytest.fixture
def election(jakarta):
    return ElectionFactory(
        slug="pilgub-dki-2024",
        name="Pilgub DKI 2024",
        region=jakarta,
        voting_day=VOTING_DAY,
        roll=VoterRollFactory(name="DPT DKI 2024", region=jakarta),
    )


@pytest.fixture
def case(election, outside_region):
    return Case(election)


@pytest.fixture
def verified_two(case):
    """Pair A verified: one MS supporter and one TMS (not in the roll, PNS). Returns the pair
    and the MS supporter's NIK."""
    ok = make_nik()
    case.supporter(ok)
    case.supporter(make_nik(), in_roll=False, occupation="PNS")
    run = run_create(pair=case.pair("A"))
    verification_run(run_id=run.pk)
    return case.pair("A"), ok


@pytest.fixture
def verified(client, world, eager, django_capture_on_commit_callbacks):
    """Pair A verified through the page by its KPU (its roll is empty: every supporter TMS)."""
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["kpu_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("verification-run", kwargs={"pk": pair.pk}), {"round": 0})
    assert response.status_code == 302
    client.logout()
    return pair
