from __future__ import annotations

from django.apps import AppConfig


class ObjectionsConfig(AppConfig):
    """Citizens' NIK check and their objections (tanggapan masyarakat, docs/domain.md step 7): a
    citizen learns whether their NIK is listed as a supporter and objects to a misuse; the KPU
    of the kab/kota clarifies and decides, Bawaslu watches and may object too; a confirmed
    objection strikes the supporter off (PUBLIC_OBJECTION) before the decision."""

    name = "objections"
    verbose_name = "Tanggapan masyarakat"

    def ready(self) -> None:
        from keys.rotation import rekeyer_register
        from objections import checks  # noqa: F401 (registers the system check)
        from objections.redflags import enumeration_flags, misuse_flags
        from objections.services import objections_rekey
        from verification.redflags import flag_provider_register

        flag_provider_register(misuse_flags)
        flag_provider_register(enumeration_flags)
        rekeyer_register("objections.Objection ciphertexts", objections_rekey)
