from __future__ import annotations

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Verifikasi dan rekapitulasi"

    def ready(self) -> None:
        from candidates.signals import support_upload_done
        from electorate.services import roll_use_register
        from verification import checks  # noqa: F401 (registers the system checks)
        from verification.derived import upload_loaded
        from verification.selectors import roll_import_use

        # A roll import a run has read cannot be undone (electorate.services.roll_import_undo).
        roll_use_register(roll_import_use)

        def _upload_loaded(sender, upload, **kwargs) -> None:
            upload_loaded(pair_id=upload.pair_id)  # the stored list counts follow the upload

        support_upload_done.connect(_upload_loaded, weak=False, dispatch_uid="verification.flags")

        from keys.rotation import hash_column_register
        from verification.models import RegistryAnswer

        hash_column_register(RegistryAnswer, "nik_hash")  # the civil registry's answers
        hash_column_register(RegistryAnswer, "birth_hash")
