"""Listeners for what the candidates app announces (connected in VerificationConfig.ready)."""

from __future__ import annotations

from django.db import transaction

from verification.tasks import duplicate_external_refresh_task


def support_upload_done_refresh(sender, upload=None, **kwargs) -> None:
    """A new list can make NIKs of other pairs' verified supporters DUPLICATE_EXTERNAL: refresh
    the election after the upload's rows are committed."""
    if upload is None:
        return
    election_id = upload.pair.election_id
    transaction.on_commit(lambda: duplicate_external_refresh_task.delay(election_id))
