from __future__ import annotations

from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "Pemilihan dan bakal pasangan calon"
