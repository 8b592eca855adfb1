"""Claiming chunks (verification/engine/chunk.py): a chunk whose worker died is taken over after
its lease; a fresh claim of a live worker is left alone."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.verification.case import snapshot, verify
from verification.engine import run_create, verification_run
from verification.models import VerificationChunk, VerificationRun

pytestmark = pytest.mark.django_db(transaction=False)


def test_chunk_of_a_killed_worker_is_taken_over_after_its_lease(mixed, settings):
    verify(mixed)
    clean = snapshot(mixed)
    run = run_create(pair=mixed)
    chunk = run.chunks.get(seq=1)
    stale = chunk
    VerificationChunk.objects.filter(pk=stale.pk).update(
        status=VerificationChunk.Status.RUNNING,
        started_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),  # its worker died long ago
    )
    run = verification_run(run_id=run.pk)
    assert run.status == VerificationRun.Status.DONE
    assert run.chunks.get(pk=stale.pk).attempts == 1
    assert snapshot(mixed) == clean


def test_fresh_claim_of_another_worker_is_left_alone(mixed):
    run = run_create(pair=mixed)
    from django.utils import timezone

    VerificationChunk.objects.filter(run=run, seq=0).update(
        status=VerificationChunk.Status.RUNNING, started_at=timezone.now()
    )
    run = verification_run(run_id=run.pk)
    assert run.status == VerificationRun.Status.RUNNING  # the other worker will finish it
    assert run.chunks.filter(status=VerificationChunk.Status.DONE).count() == run.chunks_total - 1
