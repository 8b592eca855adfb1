"""A small two-sided world for the access tests: two kab/kota, two kelurahan, two pairs.

Side A lives in Jakarta Pusat (31.71), side B in Jakarta Utara (31.72). Each side has a mayor
election with a pair, a team account, KPU Kab/Kota and PPS staff, a support upload with
supporters and a voter-roll import. A governor election (31) has a pair with supporters in both
kab/kota, to check that area filters cut inside one pair.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from candidates.models import Election, Pair, Supporter, SupportUpload, TeamMembership
from electorate.models import Region, Role, RollImport, StaffAssignment, VoterRoll
from electorate.nik import nik_columns

KELURAHAN = {"a": "31.71.01.1001", "b": "31.72.01.1001"}  # Gambir, Penjaringan
KABKOTA = {"a": "31.71", "b": "31.72"}
SAMPLE_ERRORS = [
    {"row": 3, "column": "NIK", "message": "NIK harus 16 digit angka."},
]


def user_make(username: str, *, role: str | None = None, region: str | None = None, pair=None):
    user = get_user_model().objects.create_user(
        username=username
    )  # no password: tests log in with force_login
    if role:
        StaffAssignment.objects.create(user=user, role=role, region_id=region)
    if pair is not None:
        TeamMembership.objects.create(user=user, pair=pair)
    return user


def supporters_make(*, upload: SupportUpload, kelurahan: str, count: int, start: int = 1):
    """Rows as the intake would leave them; NIK kept only as hash, ciphertext and mask."""
    rows = []
    for i in range(start, start + count):
        nik = f"{kelurahan[:2]}{kelurahan[3:5]}{kelurahan[6:8]}0101900{i:03d}"[:16].ljust(16, "0")
        rows.append(
            Supporter(
                upload=upload,
                pair=upload.pair,
                round=upload.round,
                row_number=i + 1,
                **nik_columns(nik, birth_date=dt.date(1990, 1, 1), sex="L"),
                name=f"Pendukung {kelurahan} {i}",
                birth_date=dt.date(1990, 1, 1),
                sex="L",
                kelurahan_id=kelurahan,
            )
        )
    Supporter.objects.bulk_create(rows)


def upload_make(pair: Pair, name: str) -> SupportUpload:
    return SupportUpload.objects.create(
        pair=pair,
        file=f"uploads/{name}",
        original_name=name,
        sha256=name.ljust(64, "0")[:64],
        status=SupportUpload.Status.DONE,
        rows_read=4,
        accepted=3,
        rejected=1,
        errors=SAMPLE_ERRORS,
    )


REGIONS = [
    ("31", "DKI Jakarta", 1),
    ("31.71", "Kota Jakarta Pusat", 2),
    ("31.71.01", "Gambir", 3),
    ("31.71.01.1001", "Gambir", 4),
    ("31.71.01.1002", "Cideng", 4),
    ("31.72", "Kota Jakarta Utara", 2),
    ("31.72.01", "Penjaringan", 3),
    ("31.72.01.1001", "Penjaringan", 4),
]


def regions_make() -> None:
    """The few real DKI regions the world uses (loading the whole tree per test is slow)."""
    for code, name, level in REGIONS:
        Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "parent_id": code.rsplit(".", 1)[0] if level > 1 else None,
            },
        )


def world_build() -> SimpleNamespace:
    regions_make()
    w = SimpleNamespace(users={}, objects={})
    voting_day = dt.date(2024, 11, 27)
    governor = Election.objects.create(
        slug="pilgub",
        name="Pilgub DKI",
        region_id="31",
        level="governor",
        dpt_count=8_252_897,
        voting_day=voting_day,
    )
    w.governor_pair = Pair.objects.create(election=governor, name="Paslon Gubernur")
    gov_upload = upload_make(w.governor_pair, "gubernur.csv")
    supporters_make(upload=gov_upload, kelurahan=KELURAHAN["a"], count=3)
    supporters_make(upload=gov_upload, kelurahan=KELURAHAN["b"], count=3, start=4)
    w.users["su"] = get_user_model().objects.create_superuser("su", password=None)
    w.users["prov"] = user_make("kpu_prov", role=Role.KPU_PROVINSI, region="31")
    for side in ("a", "b"):
        roll = VoterRoll.objects.create(name=f"DPT {side}", region_id=KABKOTA[side])
        election = Election.objects.create(
            slug=f"pilwalkot-{side}",
            name=f"Pilwalkot {side.upper()}",
            region_id=KABKOTA[side],
            level="mayor",
            dpt_count=800_000,
            voting_day=voting_day,
            roll=roll,
        )
        pair = Pair.objects.create(election=election, name=f"Paslon {side.upper()}")
        upload = upload_make(pair, f"dukungan-{side}.csv")
        supporters_make(upload=upload, kelurahan=KELURAHAN[side], count=3)
        roll_import = RollImport.objects.create(
            roll=roll,
            file=f"uploads/dpt-{side}.csv",
            original_name=f"dpt-{side}.csv",
            sha256=f"dpt-{side}".ljust(64, "0"),
            status=RollImport.Status.DONE,
        )
        w.objects[side] = {
            "election": election,
            "pair": pair,
            "upload": upload,
            "roll_import": roll_import,
        }
        w.users[f"kpu_{side}"] = user_make(
            f"kpu_{side}", role=Role.KPU_KABKOTA, region=KABKOTA[side]
        )
        w.users[f"pps_{side}"] = user_make(f"pps_{side}", role=Role.PPS, region=KELURAHAN[side])
        w.users[f"tim_{side}"] = user_make(
            f"tim_{side}", role=Role.TIM, region=KABKOTA[side], pair=pair
        )
    w.users["bawaslu_a"] = user_make("bawaslu_a", role=Role.BAWASLU, region=KABKOTA["a"])
    return w
