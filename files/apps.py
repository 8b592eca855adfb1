from __future__ import annotations

from django.apps import AppConfig


class FilesConfig(AppConfig):
    """Files as they come in: kept encrypted (vault, uploads), checked and read in bounded
    memory (xlsxcheck, sheetread, parsing), loaded with COPY (pgcopy); text cleaned of
    bidirectional controls wherever it is stored (text)."""

    name = "files"
    verbose_name = "Berkas unggahan"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from files.text import stored_text_clean
        from files.uploads import uploads_rekey
        from keys.rotation import rekeyer_register

        rekeyer_register("upload files", uploads_rekey)
        # Every model, every app: no stored text carries bidirectional controls.
        pre_save.connect(stored_text_clean, dispatch_uid="files.stored_text_clean")
