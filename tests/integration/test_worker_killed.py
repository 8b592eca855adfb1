"""A real Celery worker killed (SIGKILL) in the middle of a verification: a rerun finishes the
job and the end state equals that of a clean run."""

from __future__ import annotations

import datetime as dt
import signal
import time

import pytest

from candidates.models import Pair, Supporter
from electorate.models import Voter
from tests.factories import (
    ElectionFactory,
    PairFactory,
    SupporterFactory,
    SupportUploadFactory,
    VoterFactory,
    VoterRollFactory,
    make_nik,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUPPORTERS = 4000
CHUNK = 40  # 100 chunks: the worker is surely killed mid-run


def _case(jakarta) -> Pair:
    election = ElectionFactory(
        slug="uji",
        name="Uji",
        region=jakarta,
        roll=VoterRollFactory(name="DPT uji", region=jakarta),
    )
    pair = PairFactory(election=election, name="A")
    upload = SupportUploadFactory(pair=pair, original_name="x.csv")
    supporters, voters = [], []
    for i in range(SUPPORTERS):
        birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        nik = make_nik(birth=birth, serial=i)
        name = f"PENDUKUNG {i}"
        if i % 5:  # one in five is not in the roll; one in seven has another name there
            voters.append(
                VoterFactory.build(
                    roll=election.roll,
                    nik=nik,
                    name="ORANG LAIN" if i % 7 == 0 else name,
                    birth=birth,
                )
            )
        supporters.append(
            SupporterFactory.build(
                upload=upload,
                row_number=i + 2,
                nik=nik,
                name=name,
                birth=birth,
                occupation="PNS" if i % 11 == 0 else "Wiraswasta",
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
    settings.JOB_LEASE_SECONDS = {**settings.JOB_LEASE_SECONDS, "verification_chunk": 0}
    # With no lease at all, a second session of the rerun would take over the first's claim:
    # the rerun works alone.
    settings.VERIFICATION_SESSIONS = 1
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
