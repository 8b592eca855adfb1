from __future__ import annotations

from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "Pemilihan dan bakal pasangan calon"

    def ready(self) -> None:
        from audit.grants import app_owned_register
        from candidates.ages import supporters_birth_rekey
        from candidates.models import Supporter
        from candidates.services import supporters_rekey
        from keys.rotation import hash_column_register, rekeyer_register

        hash_column_register(Supporter, "nik_hash")
        hash_column_register(Supporter, "birth_hash")  # the NIK and birth date (keys.nik)
        app_owned_register(Supporter)  # ANALYZEd right after a bulk load (intake, engine)
        rekeyer_register("candidates.Supporter.nik_cipher", supporters_rekey)
        rekeyer_register("candidates.Supporter.birth_cipher", supporters_birth_rekey)

        from candidates.signals import support_upload_done
        from candidates.submission import upload_loaded

        # A repair round's upload is checked against the repair it owes as soon as it is
        # loaded: the team sees the figures with the upload's result.
        support_upload_done.connect(upload_loaded, weak=False, dispatch_uid="candidates.repair")
