from __future__ import annotations

from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    """Factual verification (verfak) and its supervision: the PPS meets every supporter that
    passed the administrative check, the PKD (Bawaslu) watches, attests and advises, and the
    counts are closed level by level up to the KPU (docs/domain.md step 5)."""

    name = "fieldwork"
    verbose_name = "Verifikasi faktual dan pengawasan"

    def ready(self) -> None:
        from candidates.signals import election_changed
        from fieldwork.models import Choice, Task
        from fieldwork.standing import on_run_finished
        from keys.rotation import hash_column_register
        from verification.signals import run_finished

        run_finished.connect(on_run_finished, dispatch_uid="fieldwork.standing")
        election_changed.connect(on_election_changed, dispatch_uid="fieldwork.election")
        hash_column_register(Task, "nik_hash")
        hash_column_register(Choice, "nik_hash")


def on_election_changed(sender, *, election, **kwargs) -> None:
    """candidates.signals.election_changed: the settings a standing is computed from (the
    threshold's DPT, ...) moved; every stored standing of the election's pairs moves too."""
    from candidates.models import Pair
    from fieldwork.standing import standing_refresh

    for pair in Pair.objects.filter(election=election, standings__point="now").distinct():
        standing_refresh(pair=pair)
