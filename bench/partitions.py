"""Many elections in one database: a regency verified alone, then again while the voter table
holds 16 million voters of other elections (`make bench-partitions`; not in `make test`).

The voter table is partitioned by roll (electorate/partitions.py): the second run should read
nothing of the other rolls, so its time stays within 1.2x the first. Beside it, the same join
with partition pruning switched off, to show what one unpartitioned table would cost.

    python -m bench.partitions [--voters 300000] [--supporters 25000] [--others 16000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.environment import bench_database_url, database_drop, database_recreate

VOTING_DAY = dt.date(2024, 11, 27)
REGENCY = "31.01"  # Kepulauan Seribu's tree carries the synthetic regency's voters
GOAL = 1.2


def _setup(url: str, name: str) -> None:
    database_recreate(url, name)
    os.environ["DATABASE_URL"] = bench_database_url(url, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _regency(voters: int, supporters: int, work: Path):
    from candidates.intake import support_upload_create, support_upload_run
    from candidates.services import election_create, election_roll_ensure, pair_create
    from electorate.regions import regions_load
    from electorate.roll_import import roll_import_create, roll_import_run
    from seeds import dki, population, support

    for province in ("31", "36"):
        regions_load(province=province)
    election = election_create(
        slug="regency", region_code=REGENCY, level="regent", dpt=voters, voting_day=VOTING_DAY
    )
    roll_path = work / "dpt.csv"
    spec = population.roll_generate(
        path=roll_path, per_kabkota={REGENCY: voters}, voting_day=VOTING_DAY, seed=5
    )
    with roll_path.open("rb") as fh:
        job, _ = roll_import_create(
            roll=election_roll_ensure(election=election), file=fh, original_name="dpt.csv"
        )
    roll_import_run(import_id=job.pk)
    pair = pair_create(election=election, name="Paslon Kabupaten")
    defects = dki.defects_for(supporters)
    defects["DUPLICATE_EXTERNAL"] = 0
    defects["OUTSIDE_REGION"] = 0
    list_path = work / "dukungan.csv"
    support.support_generate(
        path=list_path,
        roll=spec,
        per_kabkota={REGENCY: supporters},
        defects=defects,
        election_region=REGENCY,
        voting_day=VOTING_DAY,
        seed=6,
    )
    with list_path.open("rb") as fh:
        upload, _ = support_upload_create(pair=pair, file=fh, original_name="dukungan.csv")
    support_upload_run(upload_id=upload.pk)
    return election, pair


def _others(count: int) -> None:
    """Other elections' rolls, written straight in SQL (their content does not matter, only
    that the table holds them): two rolls of count / 2 voters each, random hashes."""
    from django.db import connection

    from electorate.models import Region, VoterRoll

    province = Region.objects.get(code="36")
    for i in range(2):
        roll = VoterRoll.objects.create(name=f"DPT lain {i}", region=province)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO electorate_voter (roll_id, nik_hash, birth_hash, minor, name, "
                "birth_place, sex, marital_status, address, rt, rw, kelurahan_code) "
                "SELECT %s, sha256(int8send(g) || %s::bytea), sha256(int8send(-g)), false, "
                "'PEMILIH ' || g, 'X', 'L', 'S', 'JL X', '001', '001', '36.71.01.1001' "
                "FROM generate_series(1, %s) g",
                [roll.pk, bytes([i]), count // 2],
            )


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def _verify(pair) -> float:
    """One verification run of the pair, in seconds (the caller takes the best of three)."""
    from verification.engine import run_create, verification_run

    started = time.perf_counter()
    run = verification_run(run_id=run_create(pair=pair).pk)
    assert run.status == "done", run.error
    return time.perf_counter() - started


def _join(pair, *, pruning: bool) -> float:
    """The join the engine's matching runs, timed alone (best of 3)."""
    from django.db import connection, transaction

    best = float("inf")
    for _ in range(3):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL enable_partition_pruning = {'on' if pruning else 'off'}")
            started = time.perf_counter()
            cursor.execute(
                "SELECT count(*) FROM candidates_supporter s JOIN electorate_voter v "
                "ON v.roll_id = %s AND v.nik_hash = s.nik_hash WHERE s.pair_id = %s",
                [pair.election.roll_id, pair.pk],
            )
            cursor.fetchone()
            best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=300_000)
    parser.add_argument("--supporters", type=int, default=25_000)
    parser.add_argument("--others", type=int, default=16_000_000)
    parser.add_argument("--database", default="pilkada_bench_partitions")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", default="bench/last-partitions.json")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    _setup(url, args.database)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            election, pair = _regency(args.voters, args.supporters, Path(tmp))
        _vacuum()  # as autovacuum would after the bulk load: both runs start from the same
        alone = min(_verify(pair) for _ in range(3))  # the first run warms the caches
        join_alone = _join(pair, pruning=True)
        started = time.perf_counter()
        _others(args.others)
        loaded = time.perf_counter() - started
        _vacuum()
        crowded = min(_verify(pair) for _ in range(3))
        join_crowded = _join(pair, pruning=True)
        join_unpartitioned = _join(pair, pruning=False)
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            database_drop(url, args.database)
    ratio = crowded / alone
    result = {
        "voters": args.voters,
        "supporters": args.supporters,
        "others": args.others,
        "verify_alone_s": round(alone, 3),
        "verify_with_others_s": round(crowded, 3),
        "ratio": round(ratio, 3),
        "goal": GOAL,
        "met": ratio <= GOAL,
        "others_loaded_s": round(loaded, 1),
        "join_alone_s": round(join_alone, 4),
        "join_with_others_s": round(join_crowded, 4),
        "join_with_others_unpruned_s": round(join_unpartitioned, 4),
    }
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"regency: {args.voters:,} voters, {args.supporters:,} supporters; "
        f"others: {args.others:,} voters\n"
        f"| run | seconds |\n|---|---:|\n"
        f"| verification, the regency alone | {alone:.2f} |\n"
        f"| verification, with {args.others:,} other voters | {crowded:.2f} |\n"
        f"| the roll join alone / with others / with others, pruning off | "
        f"{join_alone:.3f} / {join_crowded:.3f} / {join_unpartitioned:.3f} |\n"
        f"ratio {ratio:.2f} (goal <= {GOAL}): {'met' if ratio <= GOAL else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
