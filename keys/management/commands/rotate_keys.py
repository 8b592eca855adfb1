"""python manage.py rotate_keys [--json]: apply new NIK keys to what is stored.

1. Add the new key to the environment: NIK_HMAC_KEYS="old:...,new:..." (in the order the keys
   came) and/or NIK_ENCRYPTION_KEYS="new:...,old:..." (newest first), and restart.
2. Run this command: stored hashes go through the new HMAC key, NIK ciphertexts and upload
   files are re-encrypted under the newest encryption key.
3. An encryption key no ciphertext names any more may then be removed from the environment.
HMAC keys stay listed: new NIKs are hashed through the whole chain.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from keys.rotation import keys_rotate


class Command(BaseCommand):
    help = "Terapkan kunci NIK baru pada hash dan ciphertext yang tersimpan."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json: bool = False, **opts):
        result = keys_rotate()
        if json:
            self.stdout.write(_dumps(result))
            return
        self.stdout.write(
            f"Rantai HMAC: {' -> '.join(result['hmac_chain'])}; kunci enkripsi: "
            f"{result['encryption_key']}"
        )
        for name, n in {**result["rehashed"], **result["reencrypted"]}.items():
            self.stdout.write(f"  {name}: {n}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
