from __future__ import annotations

from django.apps import AppConfig


class ElectorateConfig(AppConfig):
    name = "electorate"
    verbose_name = "Wilayah dan daftar pemilih"

    def ready(self) -> None:
        from electorate.models import Voter
        from electorate.rotation import hash_column_register, rekeyer_register
        from electorate.uploads import uploads_rekey

        hash_column_register(Voter, "nik_hash")
        rekeyer_register("upload files", uploads_rekey)
