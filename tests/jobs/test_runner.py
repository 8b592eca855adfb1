"""The job protocol (jobs.runner) for a kind defined here alone: adding a job kind is a model on
jobs.models.LeasedJob and a load step; the claim, the lease, the failure and the crash come
with the runner."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps
from django.utils import timezone

from jobs.models import LeasedJob
from jobs.runner import JobFailed, Run, job_run, job_take

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def Chore(settings):  # noqa: N802 (a model class)
    settings.JOB_LEASE_SECONDS = {**settings.JOB_LEASE_SECONDS, "chore": 60}
    with isolate_apps("tests"):

        class Chore(LeasedJob):
            lease_kind = "chore"
            steps = models.IntegerField(default=0)

            class Meta:
                app_label = "tests"

            @classmethod
            def claim_fields(cls) -> dict:
                return {"steps": 0}

    with connection.schema_editor() as editor:
        editor.create_model(Chore)
    yield Chore
    with connection.schema_editor() as editor:
        editor.delete_model(Chore)


def test_two_claimers_at_once_run_the_load_step_once(Chore):
    chore = Chore.objects.create()
    ran: list[int] = []
    start = threading.Barrier(2)

    def load(run: Run) -> dict:
        ran.append(run.job.pk)
        return {"steps": 1}

    def claimer() -> None:
        try:
            start.wait()
            job_run(Chore, chore.pk, load)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=claimer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ran == [chore.pk]
    chore.refresh_from_db()
    assert (chore.status, chore.steps) == ("done", 1)
    assert job_run(Chore, chore.pk, load).status == "done" and ran == [chore.pk]  # finished


def test_a_claim_is_won_once_and_take_walks_the_free_ones(Chore):
    first, second = Chore.objects.create(), Chore.objects.create()
    token = Chore.claim(first.pk)
    assert token is not None and Chore.claim(first.pk) is None
    taken = job_take(Chore, Chore.objects.order_by("pk"), lambda run: {"steps": 7})
    assert taken is not None and taken.pk == second.pk
    assert job_take(Chore, Chore.objects.order_by("pk"), lambda run: None) is None


def test_a_silent_run_past_its_lease_is_taken_over_and_its_late_writes_change_nothing(Chore):
    chore = Chore.objects.create()
    slow = Chore.claim(chore.pk)
    assert slow is not None
    old = timezone.now() - dt.timedelta(seconds=Chore.lease_seconds() - 5)
    Chore.objects.filter(pk=chore.pk).update(heartbeat_at=old)
    assert Chore.claim(chore.pk) is None  # silent, but not yet past the lease

    Chore.objects.filter(pk=chore.pk).update(heartbeat_at=old - dt.timedelta(seconds=10))
    seen: list[int] = []

    def load(run: Run) -> None:
        run.beat(steps=3)
        seen.append(Chore.objects.get(pk=run.job.pk).steps)
        # The slow run wakes up: its token no longer holds the job.
        assert not Chore.beat(chore.pk, slow, steps=99)
        assert not Chore.finish(chore.pk, slow, steps=99)
        assert not Chore.fail(chore.pk, slow, message="late")
        run.done(steps=4)

    chore = job_run(Chore, chore.pk, load)
    assert seen == [3]
    assert (chore.status, chore.steps, chore.failure) == ("done", 4, "")
    assert chore.started_at > old


def test_a_failing_load_step_ends_failed_with_its_message(Chore):
    chore = Chore.objects.create()

    def load(run: Run) -> None:
        run.beat(steps=2)
        raise JobFailed("Kolom NIK tidak ada di baris 1: tambahkan kolomnya, lalu unggah ulang.")

    chore = job_run(Chore, chore.pk, load)
    assert chore.status == "failed" and chore.finished_at is not None
    assert chore.failure.startswith("Kolom NIK tidak ada di baris 1")
    assert Chore.requeue(chore.pk) and Chore.objects.get(pk=chore.pk).status == "pending"
    assert job_run(Chore, chore.pk, lambda run: {"steps": 5}).status == "done"


def test_a_crash_ends_failed_with_a_reference_not_the_error_and_is_raised_again(Chore):
    chore = Chore.objects.create()

    def load(run: Run) -> None:
        raise RuntimeError("COPY failed at row 2: 3171012345678901 Budi Santoso")

    with pytest.raises(RuntimeError):
        job_run(Chore, chore.pk, load)
    chore.refresh_from_db()
    assert chore.status == "failed"
    assert f"#{chore.pk}" in chore.failure and "Budi" not in chore.failure
