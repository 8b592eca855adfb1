from __future__ import annotations

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Verifikasi dan rekapitulasi"

    def ready(self) -> None:
        from candidates.signals import support_upload_done
        from verification import checks  # noqa: F401 (registers the system checks)
        from verification.receivers import support_upload_done_refresh

        support_upload_done.connect(
            support_upload_done_refresh, dispatch_uid="verification.duplicate_external_refresh"
        )
