"""Retention (decisions/retention.py, `retention_purge`): the encrypted files of an election's
uploads go a set time after its last decision; rows, SHA-256s and counts stay."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.core.management import call_command
from django.utils import timezone

from audit.models import Event
from candidates.intake import support_upload_create
from candidates.models import SupportUpload
from decisions.models import Decision
from tests.factories import csv_bytes, good_row


def _decide(pair, days_ago: int) -> None:
    decision = Decision.objects.create(
        pair=pair, result=Decision.Result.TIDAK_MEMENUHI, ms=0, threshold=1,
        spread_achieved=0, spread_required=1, standing={},
    )  # fmt: skip
    Decision.objects.filter(pk=decision.pk).update(
        decided_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def _upload(pair):
    upload, _ = support_upload_create(
        pair=pair, file=io.BytesIO(csv_bytes([good_row()])), original_name="dukungan.csv"
    )
    return upload


def _purge(*args) -> dict:
    out = io.StringIO()
    call_command("retention_purge", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_files_of_an_election_decided_long_ago_are_deleted_and_rows_kept(world, settings):
    settings.RETENTION_DAYS_AFTER_DECISION = 30
    old, recent = world.objects["a"]["pair"], world.objects["b"]["pair"]
    old_upload, recent_upload = _upload(old), _upload(recent)
    _decide(old, days_ago=31)
    _decide(recent, days_ago=5)
    path = old_upload.file.path
    kept = SupportUpload.objects.filter(pair__election=old.election).exclude(file="").count()

    assert _purge("--dry-run")["files"]["support_lists"] == kept
    assert old_upload.file.storage.exists(old_upload.file.name)  # a dry run deletes nothing
    result = _purge()

    assert result["elections"] == [world.objects["a"]["election"].slug]
    assert result["files"]["support_lists"] == kept
    old_upload.refresh_from_db()
    assert old_upload.purged_at is not None and not old_upload.file
    assert old_upload.sha256 and old_upload.accepted == old_upload.accepted  # the row stays
    import os

    assert not os.path.exists(path)
    recent_upload.refresh_from_db()
    assert recent_upload.purged_at is None and recent_upload.file
    assert Event.objects.filter(action="retention.purged").count() == 1
    assert _purge()["files"]["support_lists"] == 0  # twice: nothing more


def test_an_election_with_an_undecided_pair_keeps_its_files(world, settings):
    settings.RETENTION_DAYS_AFTER_DECISION = 0
    pair = world.objects["a"]["pair"]
    _upload(pair)
    assert _purge()["elections"] == []
