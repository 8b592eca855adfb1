from __future__ import annotations

from django.apps import AppConfig


class KeysConfig(AppConfig):
    """The NIK keys: keyed hashes and AES-GCM (keyring), what a NIK encodes and how it is kept
    (nik), and their rotation (`rotate_keys`), to which the apps holding hashes and ciphertexts
    register from their own ready()."""

    name = "keys"
    verbose_name = "Kunci NIK"
