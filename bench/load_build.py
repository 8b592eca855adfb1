"""The load test's database: a DKI governor election in the middle of its factual verification.

A synthetic roll of `voters` voters spread over DKI's kab/kota as in the 2024 DPT; a pair whose
list (10% of the roll, few defects, so that most supporters go to the field) is verified and
handed to the field (fieldwork.stages.stage_start: a worklist per kelurahan); a second pair
whose list the runner keeps verifying in a Celery worker while the officers post (verified once
here, so that every run of the test replaces results, as a rerun does). Then the accounts:
the PPS of the `pps` kelurahan with the longest worklists, and `readers` KPU Provinsi and
Bawaslu Provinsi users, each with a password (one hash made once: PBKDF2 at Django's
1,000,000 iterations takes half a second a user). What the locustfile needs goes to a JSON
file. Imports Django: import only after environment_prepare.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bench.verify import verification_run
from candidates.intake import support_upload_create, support_upload_run
from candidates.models import Pair
from candidates.services import election_create, pair_create
from electorate.models import Role, StaffAssignment, VoterRoll
from electorate.regions import regions_load
from electorate.roll_import import roll_import_create, roll_import_run
from fieldwork.models import Stage, Task
from fieldwork.stages import stage_start
from seeds.dki import DKI_DPT_2024, DKI_VOTING_DAY_2024, MANGLED_SHARE_2024, defects_for, spread
from seeds.population import roll_generate
from seeds.support import support_generate

SLUG = "bench-load-dki"
FIELD_PAIR = "Pasangan Lapangan"
VERIFY_PAIR = "Pasangan Verifikasi"
# Few defects: most of the field pair's supporters are MS and so on a worklist.
LIGHT_DEFECTS = {"NIK_INVALID": 0.005, "NOT_IN_ROLL": 0.02, "DATA_MISMATCH": 0.03}
TASKS_PER_OFFICER = 300  # task ids handed to each officer (random ones are posted to)


def _list_upload(pair, path: Path, spec, per_kabkota, defects: dict, seed: int) -> None:
    rows = sum(per_kabkota.values())
    support_generate(
        path=path, roll=spec, per_kabkota=per_kabkota, defects=defects, election_region="31",
        voting_day=DKI_VOTING_DAY_2024, seed=seed, mangled=max(3, int(rows * MANGLED_SHARE_2024)),
    )  # fmt: skip
    with path.open("rb") as fh:
        upload, _ = support_upload_create(pair=pair, file=fh, original_name=path.name)
    support_upload_run(upload_id=upload.pk)
    path.unlink()


def database_build(*, work: Path, voters: int, verify_share: float) -> None:
    """Election, roll, both pairs' lists, the field pair verified and its stage started."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    for province in ("31", "32", "36"):
        regions_load(province=province)
    election = election_create(
        slug=SLUG, region_code="31", level="governor", dpt=voters, voting_day=DKI_VOTING_DAY_2024
    )
    election.roll = VoterRoll.objects.create(
        name="DPT sintetis (uji beban)",
        region=election.region,
        kind=VoterRoll.Kind.DPT,
        voting_day=election.voting_day,
    )
    election.save(update_fields=["roll"])
    per_roll = spread(voters, DKI_DPT_2024)
    roll_path = work / "dpt.csv"
    spec = roll_generate(
        path=roll_path, per_kabkota=per_roll, voting_day=DKI_VOTING_DAY_2024, seed=1
    )
    with roll_path.open("rb") as fh:
        job, _ = roll_import_create(roll=election.roll, file=fh, original_name=roll_path.name)
    roll_import_run(import_id=job.pk)
    roll_path.unlink()
    print(f"  roll: {voters:,} voters ({time.perf_counter() - started:.0f} s)", flush=True)

    field = pair_create(election=election, name=FIELD_PAIR)
    rows = round(voters * 0.10)
    _list_upload(field, work / "lapangan.csv", spec, spread(rows, per_roll),
                 defects_for(rows, LIGHT_DEFECTS), seed=2)  # fmt: skip
    other = pair_create(election=election, name=VERIFY_PAIR)
    rows = round(voters * verify_share)
    mix = {k: v for k, v in defects_for(rows).items() if k != "DUPLICATE_EXTERNAL"}
    _list_upload(other, work / "verifikasi.csv", spec, spread(rows, per_roll), mix, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    verification_run(field)
    stage = stage_start(pair=field)
    verification_run(other)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  lists, verification, stage: {stage.tasks_total:,} tasks "
          f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip


def users_make(*, pps: int, readers: int) -> dict:
    """The accounts, and what the locustfile needs to act as them."""
    field = Pair.objects.select_related("election").get(election__slug=SLUG, name=FIELD_PAIR)
    stage = Stage.objects.get(pair=field)
    open_tasks = Task.objects.filter(stage=stage, double=False)
    busiest = list(
        open_tasks.values("kelurahan_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "kelurahan_code")
        .values_list("kelurahan_code", flat=True)[:pps]
    )
    if len(busiest) < pps:
        raise SystemExit(f"bench: only {len(busiest)} kelurahan have tasks; want {pps}")
    password = secrets.token_urlsafe(12)
    hashed = make_password(password)
    User = get_user_model()
    accounts = [(f"load_pps_{code.replace('.', '')}", Role.PPS, code) for code in busiest]
    accounts += [
        (f"load_{'kpu' if i % 2 == 0 else 'bawaslu'}_{i:02d}",
         Role.KPU_PROVINSI if i % 2 == 0 else Role.BAWASLU, "31")
        for i in range(readers)
    ]  # fmt: skip
    # A reused database keeps its accounts (their records name them): new password, same area.
    mine = User.objects.filter(username__startswith="load_")
    existing = set(mine.values_list("username", flat=True))
    User.objects.bulk_create(
        User(username=name, password=hashed) for name, _r, _a in accounts if name not in existing
    )
    mine.update(password=hashed)
    by_name = dict(mine.values_list("username", "pk"))
    for name, role, area in accounts:
        StaffAssignment.objects.update_or_create(
            user_id=by_name[name], defaults={"role": role, "region_id": area}
        )
    pps_accounts = []
    for code in busiest:
        ids = list(
            open_tasks.filter(kelurahan_code=code)
            .order_by("pk")
            .values_list("pk", flat=True)[:TASKS_PER_OFFICER]
        )
        username = f"load_pps_{code.replace('.', '')}"
        pps_accounts.append(
            {"username": username, "password": password, "kelurahan": code, "tasks": ids}
        )
    reader_accounts = [
        {"username": name, "password": password, "role": role}
        for name, role, _a in accounts
        if role != Role.PPS
    ]
    return {
        "stage": stage.pk,
        "pair": field.pk,
        "visited_on": min(timezone.localdate(), stage.closes).isoformat(),
        "pps": pps_accounts,
        "readers": reader_accounts,
        "made": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def verify_pair() -> Pair:
    return Pair.objects.select_related("election").get(election__slug=SLUG, name=VERIFY_PAIR)


def database_ready() -> bool:
    """A database built by an earlier run (`--reuse`)."""
    from django.db.utils import ProgrammingError

    try:
        return Stage.objects.filter(pair__election__slug=SLUG).exists()
    except ProgrammingError:
        return False
