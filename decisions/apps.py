from __future__ import annotations

from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    """Where a pair stands after its latest stage, and the KPU's decision on it."""

    name = "decisions"
    verbose_name = "Keputusan"
