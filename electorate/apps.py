from __future__ import annotations

from django.apps import AppConfig


class ElectorateConfig(AppConfig):
    name = "electorate"
    verbose_name = "Wilayah dan daftar pemilih"

    def ready(self) -> None:
        from audit.grants import app_owned_register
        from electorate.models import Voter
        from keys.rotation import hash_column_register

        hash_column_register(Voter, "nik_hash")
        hash_column_register(Voter, "birth_hash")  # the NIK and birth date (keys.nik)
        app_owned_register(Voter)  # a partition per roll, attached at run time
        self._partitions_connect()

    def _partitions_connect(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from electorate import partitions
        from electorate.models import VoterRoll

        post_save.connect(partitions.roll_created, sender=VoterRoll,
                          dispatch_uid="partitions.roll_created")  # fmt: skip
        post_delete.connect(partitions.roll_deleted, sender=VoterRoll,
                            dispatch_uid="partitions.roll_deleted")  # fmt: skip
