"""The Django side of the fault tests (tests/integration/test_faults.py), run as a child process
pointed at the private PostgreSQL and Redis by its environment (DATABASE_URL, CELERY_BROKER_URL,
MEDIA_ROOT): the test process keeps its own database connection on the shared test server, so
everything that must happen on the private one happens here, through the services users call.

    python -m tests.integration.fault_case setup WORK ROLL_ROWS SUPPORT_ROWS
    python -m tests.integration.fault_case roll-import WORK        (in this process)
    python -m tests.integration.fault_case roll-submit WORK        (enqueued for a worker)
    python -m tests.integration.fault_case verify                  (in this process)
    python -m tests.integration.fault_case verify-start            (enqueued for a worker)

Each prints one JSON object on its last line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

VOTING_DAY = dt.date(2024, 11, 27)
ROLL_FILE = "dpt.csv"
SUPPORT_FILE = "dukungan.csv"
ELECTION = "pilgub-uji-gangguan"


def setup(work: Path, roll_rows: int, support_rows: int) -> dict:
    """Migrate, load the regions, create the election (with an empty roll) and its pair, write
    the DPT and support list files, and load the support list (which needs no roll)."""
    from django.core.management import call_command

    from candidates.intake import support_upload_create, support_upload_run
    from candidates.services import election_create, pair_create
    from electorate.models import VoterRoll
    from electorate.regions import regions_load
    from seeds.dki import DKI_DPT_2024, DKI_UPLOAD_2024, defects_for, scale, spread
    from seeds.population import roll_generate
    from seeds.support import support_generate

    call_command("migrate", verbosity=0)
    for province in ("31", "32", "36"):  # 32 and 36: the homes of out-of-region supporters
        regions_load(province=province)
    total = sum(DKI_DPT_2024.values())
    # A sample of DKI's list against DKI's real threshold: the count-and-spread check before
    # verification (candidates.submission) would return it; the faults are the subject here.
    election = election_create(
        slug=ELECTION, region_code="31", level="governor", dpt=total, voting_day=VOTING_DAY,
        submission_check=False,
    )  # fmt: skip
    election.roll = VoterRoll.objects.create(
        name="DPT uji gangguan", region=election.region, voting_day=VOTING_DAY
    )
    election.save(update_fields=["roll"])
    pair = pair_create(election=election, name="Pasangan Uji Gangguan")
    spec = roll_generate(
        path=work / ROLL_FILE,
        per_kabkota=scale(DKI_DPT_2024, roll_rows / total),
        voting_day=VOTING_DAY,
        seed=7,
    )
    defects = {k: v for k, v in defects_for(support_rows).items() if k != "DUPLICATE_EXTERNAL"}
    manifest = support_generate(
        path=work / SUPPORT_FILE,
        roll=spec,
        per_kabkota=spread(support_rows, DKI_UPLOAD_2024),
        defects=defects,
        election_region="31",
        seed=8,
    )
    with (work / SUPPORT_FILE).open("rb") as fh:
        upload, _created = support_upload_create(pair=pair, file=fh, original_name=SUPPORT_FILE)
    upload = support_upload_run(upload_id=upload.pk)
    return {
        "roll": election.roll_id,
        "pair": pair.pk,
        "roll_rows": spec.total(),
        "upload": upload.status,
        "supporters": upload.accepted,
        "expected_outcomes": manifest.outcomes,
    }


def _roll():
    from candidates.models import Election

    return Election.objects.select_related("roll").get(slug=ELECTION).roll


def roll_import(work: Path) -> dict:
    from electorate.roll_import import roll_import_create, roll_import_run

    with (work / ROLL_FILE).open("rb") as fh:
        job, _created = roll_import_create(roll=_roll(), file=fh, original_name=ROLL_FILE)
    job = roll_import_run(import_id=job.pk)
    return {"import": job.pk, "status": job.status, "accepted": job.accepted}


def roll_submit(work: Path) -> dict:
    """What the DPT page does: keep the file (the same file again is the same import, put back
    to work if it failed or its run died) and enqueue the import once it commits."""
    from electorate.services import roll_import_submit

    with (work / ROLL_FILE).open("rb") as fh:
        job, created = roll_import_submit(roll=_roll(), file=fh, original_name=ROLL_FILE)
    return {"import": job.pk, "status": job.status, "created": created}


def _pair():
    from candidates.models import Pair

    return Pair.objects.select_related("election").get(election__slug=ELECTION)


def verify() -> dict:
    from verification.engine import run_create, verification_run

    run = verification_run(run_id=run_create(pair=_pair()).pk)
    return {"run": run.pk, "status": run.status, "chunks": run.chunks_total, "counts": run.counts}


def verify_start() -> dict:
    """What the page, the API and an operator's rerun do: start, or resume the unfinished run,
    and enqueue the task once it commits."""
    from verification.services import verification_start

    run = verification_start(pair=_pair())
    return {"run": run.pk, "status": run.status, "chunks": run.chunks_total}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    command, *args = argv
    if command == "setup":
        result = setup(Path(args[0]), int(args[1]), int(args[2]))
    elif command == "roll-import":
        result = roll_import(Path(args[0]))
    elif command == "roll-submit":
        result = roll_submit(Path(args[0]))
    elif command == "verify":
        result = verify()
    elif command == "verify-start":
        result = verify_start()
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
