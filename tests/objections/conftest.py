"""Fixtures of the objections' tests: the engine's case (tests/verification/conftest.py) with
a verified pair whose supporters the PPS met, the staff around it, and rate-limit counters of
each test's own."""

from __future__ import annotations

import uuid

import pytest

from electorate.models import Role
from tests.fieldwork.field import enter, staff, started, task
from tests.objections.people import BIRTH, NIKS, Field
from tests.verification.case import KEL
from tests.verification.conftest import case, election, outside_region  # noqa: F401


@pytest.fixture(autouse=True)
def _own_rate_counters(settings):
    """Each test counts its requests from zero: its own key prefix in the shared cache (Redis
    under `make test`; flushing it would also drop the Celery broker's queues)."""
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture
def field(case):  # noqa: F811 (the case fixture, imported above)
    """Pair A with three supporters in Gambir (Jakarta Pusat), verified MS and met by the PPS
    (SESUAI) in verfak 1; KPU Jakarta Pusat, Bawaslu Jakarta Pusat, KPU Jakarta Utara,
    Bawaslu Jakarta Utara and a PPS of Gambir."""
    people = [case.supporter(nik, kelurahan_id=KEL, birth_date=BIRTH) for nik in NIKS]
    pair = case.pair("A")
    stage = started(pair)
    for supporter in people:
        enter(task(supporter), "SESUAI")
    return Field(case=case, pair=pair, stage=stage, supporters=people, users=_staff())


def _staff() -> dict:
    return {
        "kpu": staff("kpu_pusat", Role.KPU_KABKOTA, "31.71"),
        "bawaslu": staff("bawaslu_pusat", Role.BAWASLU, "31.71"),
        "kpu_utara": staff("kpu_utara", Role.KPU_KABKOTA, "31.72"),
        "bawaslu_utara": staff("bawaslu_utara", Role.BAWASLU, "31.72"),
        "pps": staff("pps_gambir", Role.PPS, KEL),
        "prov": staff("kpu_dki", Role.KPU_PROVINSI, "31"),
    }
