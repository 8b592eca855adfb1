"""Fixtures of the field tests: for the pages, the shared `world` with a stage per side
(tests/fieldwork/world.py); for the services, the engine's case and a started `stage`."""

from __future__ import annotations

import pytest

from tests.fieldwork.field import KEL2, ms, started
from tests.fieldwork.world import fieldwork_objects_add
from tests.verification.case import KEL
from tests.verification.conftest import case, election, outside_region  # noqa: F401


@pytest.fixture
def verfak(world):
    """The world with pkd_a, ppk_a and, per side, a started stage of three tasks (A's first one
    recorded TOLAK by pps_a), an advice, a Form A report and a sheet."""
    return fieldwork_objects_add(world)


@pytest.fixture
def login(client, verfak):
    """login("pps_a"): the test client as that user of the verfak world."""

    def as_user(username: str):
        client.logout()
        client.force_login(verfak.users[username])
        return client

    return as_user


# --- the services' tests: the engine's case (tests/verification/conftest.py) -------------------


@pytest.fixture
def stage(case):  # noqa: F811 (the case fixture, imported above)
    """Pair A's verfak 1 (1-14 June 2024): three MS supporters in Gambir, two in Cideng."""
    ms(case, 3, kelurahan=KEL)
    ms(case, 2, kelurahan=KEL2)
    return started(case.pair("A"))
