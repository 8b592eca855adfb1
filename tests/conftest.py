"""Fixtures every test directory shares. Data comes from the factories (tests/factories.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from config.celery import app as celery_app
from electorate.models import Region, Role
from tests.factories import (
    ElectionFactory,
    PairFactory,
    RegionFactory,
    RollImportFactory,
    StaffAssignmentFactory,
    SupporterFactory,
    SupportUploadFactory,
    TeamMembershipFactory,
    UserFactory,
    VoterRollFactory,
    accepted_recount,
    make_nik,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test its own audit anchor file: anchors of another test's database would name
    # chains this one never had (audit_verify would rightly call them cut away).
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.log")


@pytest.fixture
def jakarta(db):
    """DKI Jakarta's real region tree (6 kab/kota, 44 kecamatan, 267 kelurahan)."""
    from electorate.regions import regions_load

    regions_load(province="31")
    return Region.objects.get(code="31")


@pytest.fixture
def eager():
    """Celery tasks run in-process, whatever broker the environment names."""
    conf = celery_app.conf
    before = (conf.task_always_eager, conf.task_eager_propagates)
    conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


# --- the world: two sides, for the pages, the API and the access matrix ------------------------

KELURAHAN = {"a": "31.71.01.1001", "b": "31.72.01.1001"}  # Gambir, Penjaringan
KABKOTA = {"a": "31.71", "b": "31.72"}
SAMPLE_ERRORS = [
    {"row": 3, "column": "NIK", "message": "NIK harus 16 digit angka."},
]
REGIONS = [
    ("31", "DKI Jakarta"),
    ("31.71", "Kota Jakarta Pusat"),
    ("31.71.01", "Gambir"),
    ("31.71.01.1001", "Gambir"),
    ("31.71.01.1002", "Cideng"),
    ("31.72", "Kota Jakarta Utara"),
    ("31.72.01", "Penjaringan"),
    ("31.72.01.1001", "Penjaringan"),
]


@pytest.fixture
def world(db) -> SimpleNamespace:
    """A small two-sided world: two kab/kota, two kelurahan, two mayor elections.

    Side A lives in Jakarta Pusat (31.71), side B in Jakarta Utara (31.72). Each side has a
    mayor election with a roll, a pair, a team account, KPU Kab/Kota and PPS staff, a support
    upload of three supporters and a voter-roll import. A governor election (31, no roll) has a
    pair with supporters in both kab/kota, to check that area filters cut inside one pair.
    Bawaslu of A, KPU Provinsi and a superuser complete it.

    `world.objects[side]` holds election, pair, upload and roll_import; `world.users` is keyed
    su, prov, kpu_a, kpu_b, pps_a, pps_b, tim_a, tim_b, bawaslu_a.
    """
    _regions_make()
    w = SimpleNamespace(users={}, objects={})
    governor = ElectionFactory(slug="pilgub", name="Pilgub DKI", region_code="31", roll=None)
    w.governor_pair = PairFactory(election=governor, name="Paslon Gubernur")
    gov_upload = _upload_make(w.governor_pair, "gubernur.csv")
    _supporters_make(upload=gov_upload, kelurahan=KELURAHAN["a"], count=3)
    _supporters_make(upload=gov_upload, kelurahan=KELURAHAN["b"], count=3, start=4)
    w.users["su"] = UserFactory(username="su", is_superuser=True, is_staff=True)
    w.users["prov"] = _user_make("kpu_prov", role=Role.KPU_PROVINSI, region="31")
    for side in ("a", "b"):
        roll = VoterRollFactory(name=f"DPT {side}", region_code=KABKOTA[side])
        election = ElectionFactory(
            slug=f"pilwalkot-{side}",
            name=f"Pilwalkot {side.upper()}",
            region=roll.region,
            level="mayor",
            dpt_count=800_000,
            roll=roll,
        )
        pair = PairFactory(election=election, name=f"Paslon {side.upper()}")
        upload = _upload_make(pair, f"dukungan-{side}.csv")
        _supporters_make(upload=upload, kelurahan=KELURAHAN[side], count=3)
        w.objects[side] = {
            "election": election,
            "pair": pair,
            "upload": upload,
            "roll_import": RollImportFactory(roll=roll, original_name=f"dpt-{side}.csv"),
        }
        kabkota = KABKOTA[side]
        w.users[f"kpu_{side}"] = _user_make(f"kpu_{side}", role=Role.KPU_KABKOTA, region=kabkota)
        w.users[f"pps_{side}"] = _user_make(f"pps_{side}", role=Role.PPS, region=KELURAHAN[side])
        w.users[f"tim_{side}"] = _user_make(f"tim_{side}", role=Role.TIM, region=kabkota, pair=pair)
    w.users["bawaslu_a"] = _user_make("bawaslu_a", role=Role.BAWASLU, region=KABKOTA["a"])
    return w


def national_users_add(world: SimpleNamespace) -> SimpleNamespace:
    """kpu_ri and bawaslu_ri: KPU RI and Bawaslu RI, the whole country (no region)."""
    for name, role in (("kpu_ri", Role.KPU_RI), ("bawaslu_ri", Role.BAWASLU_RI)):
        if name not in world.users:
            world.users[name] = UserFactory(username=name)
            StaffAssignmentFactory(user=world.users[name], role=role, region=None)
    return world


def _regions_make() -> None:
    """The few real DKI regions the world uses (loading the whole tree per test is slow)."""
    for code, name in REGIONS:
        RegionFactory(code=code, name=name)


def _user_make(username: str, *, role: str, region: str, pair=None):
    user = UserFactory(username=username)
    StaffAssignmentFactory(user=user, role=role, region_code=region)
    if pair is not None:
        TeamMembershipFactory(user=user, pair=pair)
    return user


def _upload_make(pair, name: str):
    return SupportUploadFactory(
        pair=pair, original_name=name, rows_read=4, accepted=3, rejected=1, errors=SAMPLE_ERRORS
    )


def _supporters_make(*, upload, kelurahan: str, count: int, start: int = 1) -> None:
    """Supporters born 1 January 1990 whose NIK prefix is their own kecamatan."""
    birth = dt.date(1990, 1, 1)
    for i in range(start, start + count):
        SupporterFactory(
            upload=upload,
            row_number=i + 1,
            nik=make_nik(birth=birth, region=kelurahan[:8].replace(".", ""), serial=i),
            name=f"Pendukung {kelurahan} {i}",
            birth=birth,
            kelurahan_id=kelurahan,
        )
    accepted_recount(upload)


@pytest.fixture(autouse=True)
def _nik_keys_fresh():
    """The hash chain is cached per process; each test's database starts from its own."""
    from keys import keyring

    keyring.hasher_forget()
    yield
    keyring.hasher_forget()
