from __future__ import annotations

from django.apps import AppConfig


class ElectorateConfig(AppConfig):
    name = "electorate"
    verbose_name = "Wilayah dan daftar pemilih"
