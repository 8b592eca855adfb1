"""Signals the candidates app sends. Listeners live in apps that depend on candidates
(verification refreshes cross-pair duplicates on `support_upload_done`); candidates never
imports them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a support upload has been loaded and committed: sender=SupportUpload, upload=<obj>.
support_upload_done = Signal()

# Settings an election's outcomes depend on have changed (candidates.services.
# election_settings_change), inside its transaction: what is stored from them moves (the
# pairs' standings: fieldwork). Sent with election=.
election_changed = Signal()
