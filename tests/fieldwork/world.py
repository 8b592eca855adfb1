"""Factual verification on top of the shared two-sided `world` (tests/conftest.py): a PKD and a
PPK for side A, and for each side a started stage over the side's three supporters (made MS by
a recorded administrative run), a Form A report, an advice and a PPS's sheet.

Used by the fixtures in tests/fieldwork/conftest.py and by tests/test_access_matrix.py (which
sits above this directory and so cannot see its conftest).
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

from django.utils import timezone

from candidates.models import Pair, Supporter
from electorate.models import Role
from fieldwork.models import Advice, Task
from fieldwork.records import Entry, record_entry
from fieldwork.sheets import sheet_keep
from fieldwork.stages import stage_start
from fieldwork.supervision import advice_create, report_create
from tests.factories import StaffAssignmentFactory, UserFactory
from verification.models import VerificationResult, VerificationRun

KELURAHAN = {"a": "31.71.01.1001", "b": "31.72.01.1001"}
KECAMATAN_A = "31.71.01"
STATEMENT = "Disaksikan PKD: pendukung menyatakan tidak pernah memberi dukungan (RAHASIA-123)."
SHEET_CSV = b"NIK,HASIL,METODE,TANGGAL\n3171010101900001,SESUAI,KUNJUNGAN,01-01-2024\n"


def user_make(username: str, *, role: str, region: str):
    user = UserFactory(username=username)
    StaffAssignmentFactory(user=user, role=role, region_code=region)
    return user


def fieldwork_users_add(world: SimpleNamespace) -> SimpleNamespace:
    """pkd_a: Bawaslu of kelurahan A (a PKD); ppk_a: the PPK of kecamatan A."""
    if "pkd_a" not in world.users:
        world.users["pkd_a"] = user_make("pkd_a", role=Role.BAWASLU, region=KELURAHAN["a"])
        world.users["ppk_a"] = user_make("ppk_a", role=Role.PPK, region=KECAMATAN_A)
    return world


def verified(pair: Pair, *, round: int = 0) -> VerificationRun:
    """A finished administrative run that left every supporter of the pair MS."""
    run = VerificationRun.objects.create(
        pair=pair,
        round=round,
        status=VerificationRun.Status.DONE,
        rule_set=pair.election.rule_set,
        voting_day=pair.election.voting_day,
        finished_at=timezone.now(),
    )
    VerificationResult.objects.bulk_create(
        VerificationResult(
            supporter=s,
            run=run,
            pair=pair,
            round=s.round,
            kelurahan_code=s.kelurahan_id,
            reasons=0,
            outcome="MS",
        )
        for s in Supporter.objects.filter(pair=pair, round__lte=round)
    )
    return run


def stage_make(pair: Pair, *, opens: dt.date | None = None, by=None):
    verified(pair)
    return stage_start(pair=pair, opens=opens or timezone.localdate() - dt.timedelta(days=3), by=by)


def tasks_of(stage) -> list[Task]:
    return list(Task.objects.filter(stage=stage).select_related("supporter").order_by("pk"))


def entry(finding: str = "SESUAI", *, days_ago: int = 1, **extra) -> Entry:
    return Entry(
        finding=finding,
        method=extra.pop("method", "KUNJUNGAN"),
        visited_on=timezone.localdate() - dt.timedelta(days=days_ago),
        **extra,
    )


def fieldwork_objects_add(world: SimpleNamespace) -> SimpleNamespace:
    """Side X's objects gain: stage, stage_kelurahan (the stage, for the worklist URL), task,
    tasks, advice, report, sheet. Task A[0] is a denial without signature (TOLAK)."""
    fieldwork_users_add(world)
    if "stage" in world.objects["a"]:
        return world
    for side in ("a", "b"):
        objects = world.objects[side]
        pps = world.users[f"pps_{side}"]
        stage = stage_make(objects["pair"], by=world.users[f"kpu_{side}"])
        tasks = tasks_of(stage)
        objects.update(stage=stage, stage_kelurahan=stage, task=tasks[0], tasks=tasks)
        objects["advice"] = advice_create(
            stage=stage,
            target=Advice.Target.SUPPORTER,
            task=tasks[1],
            text=f"Pendukung di kelurahan {side.upper()} belum ditemui.",
            by=world.users.get(f"bawaslu_{side}"),
        )
        objects["report"] = report_create(
            stage=stage,
            region_code=KELURAHAN[side],
            observed_at=timezone.now() - dt.timedelta(hours=2),
            place=f"Kantor PPS {side.upper()}",
            observed="PPS mengunjungi pendukung sesuai jadwal.",
            by=world.users.get(f"bawaslu_{side}"),
        )
        objects["sheet"], _created = sheet_keep(
            pair=objects["pair"],
            file=io.BytesIO(SHEET_CSV + side.encode()),
            original_name=f"lembar-{side}.csv",
            uploaded_by=pps,
        )
    record_entry(task=world.objects["a"]["tasks"][0], entry=entry("TOLAK"), by=world.users["pps_a"])
    return world
