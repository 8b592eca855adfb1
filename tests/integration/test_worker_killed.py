"""A real Celery worker killed (SIGKILL) in the middle of a verification: a rerun finishes the
job and the end state equals that of a clean run."""

from __future__ import annotations

import datetime as dt
import signal
import time

import pytest

from candidates.models import Election, Pair, Supporter, SupportUpload
from electorate.models import Voter, VoterRoll
from electorate.nik import nik_columns, nik_hash

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUPPORTERS = 4000
CHUNK = 40  # 100 chunks: the worker is surely killed mid-run


def _case(jakarta) -> Pair:
    roll = VoterRoll.objects.create(name="DPT uji", region=jakarta)
    election = Election.objects.create(
        slug="uji",
        name="Uji",
        region=jakarta,
        level="governor",
        dpt_count=8_252_897,
        voting_day=dt.date(2024, 11, 27),
        roll=roll,
    )
    pair = Pair.objects.create(election=election, name="A")
    upload = SupportUpload.objects.create(
        pair=pair, round=0, file="x.csv", original_name="x.csv", sha256="0" * 64, status="done"
    )
    supporters, voters = [], []
    for i in range(SUPPORTERS):
        birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        nik = f"317101{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}{i:04d}"
        name = f"PENDUKUNG {i}"
        if i % 5:  # one in five is not in the roll; one in seven has another name there
            voters.append(
                Voter(
                    roll=roll,
                    nik_hash=nik_hash(nik),
                    name="ORANG LAIN" if i % 7 == 0 else name,
                    birth_date=birth,
                    sex="L",
                    marital_status="S",
                    kelurahan_code="31.71.01.1001",
                )
            )
        supporters.append(
            Supporter(
                upload=upload,
                pair=pair,
                round=0,
                row_number=i + 2,
                name=name,
                birth_date=birth,
                sex="L",
                kelurahan_id="31.71.01.1001",
                marital_status="S",
                occupation="PNS" if i % 11 == 0 else "Wiraswasta",
                **nik_columns(nik, birth_date=birth, sex="L"),
            )
        )
    Voter.objects.bulk_create(voters, batch_size=2000)
    Supporter.objects.bulk_create(supporters, batch_size=2000)
    return pair


def _results(pair: Pair) -> dict[int, tuple[int, str]]:
    return {
        s.pk: (s.verification.reasons, s.verification.outcome)
        for s in Supporter.objects.filter(pair=pair).select_related("verification")
    }


def test_a_killed_worker_leaves_a_job_that_a_rerun_finishes_identically(
    jakarta, settings, start_worker
):
    from verification.engine import run_create, verification_run
    from verification.models import VerificationChunk, VerificationRun
    from verification.tasks import verification_task

    settings.VERIFICATION_CHUNK_SIZE = CHUNK
    pair = _case(jakarta)
    run = run_create(pair=pair)
    assert run.chunks_total == SUPPORTERS // CHUNK

    worker = start_worker(VERIFICATION_CHUNK_SIZE=str(CHUNK))
    verification_task.apply_async(args=[run.pk], queue=worker.queue)
    deadline = time.monotonic() + 120
    while VerificationRun.objects.get(pk=run.pk).chunks_done < 3:
        assert time.monotonic() < deadline, worker.log.read_text()[-2000:]
        time.sleep(0.01)
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=30)

    killed = VerificationRun.objects.get(pk=run.pk)
    assert killed.status != VerificationRun.Status.DONE
    assert 3 <= killed.chunks_done < killed.chunks_total
    # The chunk the worker held stays claimed until its lease runs out; then a rerun takes it.
    settings.VERIFICATION_CHUNK_LEASE_SECONDS = 0
    finished = verification_run(run_id=run.pk)
    assert finished.status == VerificationRun.Status.DONE
    assert not VerificationChunk.objects.filter(run=run).exclude(status="done").exists()
    after_kill = _results(pair)

    clean = run_create(pair=pair)
    verification_run(run_id=clean.pk)
    assert len(after_kill) == SUPPORTERS
    assert _results(pair) == after_kill
    assert finished.counts == VerificationRun.objects.get(pk=clean.pk).counts
    assert {o for _, o in after_kill.values()} == {"MS", "BMS", "TMS"}
