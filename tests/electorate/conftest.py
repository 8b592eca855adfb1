from __future__ import annotations

import io

import pytest

from tests.factories import VoterRollFactory


@pytest.fixture
def roll(jakarta):
    return VoterRollFactory()


@pytest.fixture
def roll_import(roll):
    """Create and run an import of `data` (bytes) named `name` into the roll."""
    from electorate.roll_import import roll_import_create, roll_import_run

    def run(data: bytes, name: str = "dpt.csv", target=None):
        job, created = roll_import_create(
            roll=target or roll, file=io.BytesIO(data), original_name=name
        )
        return roll_import_run(import_id=job.pk), created

    return run
