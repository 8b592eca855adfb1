from __future__ import annotations

from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    """Where a pair stands after its latest stage, and the KPU's decision on it."""

    name = "decisions"
    verbose_name = "Keputusan"

    def ready(self) -> None:
        from decisions.models import Decision
        from objections.lookup import decided_provider_register

        # The citizen's check (a layer below) says "decided" without importing this layer.
        decided_provider_register(
            lambda pair_ids: set(
                Decision.objects.filter(pair_id__in=pair_ids).values_list("pair_id", flat=True)
            )
        )
