"""The keys that protect NIKs: keyed hashes for matching, AES-GCM for the few NIKs read back
and for upload files. Keys carry ids, so they can be rotated (`manage.py rotate_keys`).

Hashes. A voter roll keeps no NIK at all, only its keyed hash, so a new hash key cannot be
applied by hashing the NIK again. Instead the stored hash is a chain: HMAC(k_n, ... HMAC(k_1,
NIK)); adding k_{n+1} re-hashes every stored hash once, and new NIKs go through the whole
chain. Which keys the database has applied is KeyState.hmac_chain (not the settings: adding a
key to the environment changes nothing until `rotate_keys` applies it). A leaked old key alone
matches no stored hash. Jobs that write hashes read the chain inside their transaction, taking
a share lock on the KeyState row; the rotation takes it for update, so no job writes hashes of
another chain while it runs, and reads (matching) keep working throughout.

Ciphertexts. "K" + key id + nonce + AES-GCM(NIK) with associated data naming the row it
belongs to (e.g. "supporter:<upload>:<row>"): a ciphertext copied onto another row does not
decrypt. The first key of NIK_ENCRYPTION_KEYS encrypts; any listed key decrypts what names it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from keys.models import KeyState

HEADER = b"K"
NONCE = 12


class KeyringError(ValueError):
    """A ciphertext under a key that is not in the keyring, or not for this row."""


# --- hashes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hasher:
    """The NIK hashes under one chain of keys."""

    ids: tuple[str, ...]
    secrets: tuple[bytes, ...]
    version: int

    def hash(self, nik: str) -> bytes:
        """The keyed hash used for matching and joins: 32 bytes."""
        value = nik.encode()
        for secret in self.secrets:
            value = hmac.digest(secret, value, hashlib.sha256)
        return value

    def group_and_serial(self, nik: str) -> tuple[bytes, int]:
        """One keyed hash of the first 12 digits (region + birth date) gives both: its first 8
        bytes are the group (NIKs that differ only in their serial share it), the next 4 the
        group's offset that shifts the serial, mod 10,000 (see keys.nik)."""
        digest = hmac.digest(self.secrets[-1], b"group:" + nik[:12].encode(), hashlib.sha256)
        offset = int.from_bytes(digest[8:12], "big") % 10_000
        return digest[:8], (int(nik[12:]) + offset) % 10_000

    def group(self, nik: str) -> bytes:
        return self.group_and_serial(nik)[0]

    def serial_code(self, nik: str) -> int:
        return self.group_and_serial(nik)[1]


def hmac_secrets() -> dict[str, bytes]:
    return {key_id: secret.encode() for key_id, secret in settings.NIK_HMAC_KEYS}


_current: Hasher | None = None


def _state(*, lock: bool) -> KeyState:
    found = KeyState.objects.filter(pk=1).first()
    if found is None:
        found, _created = KeyState.objects.get_or_create(
            pk=1, defaults={"hmac_chain": [settings.NIK_HMAC_KEYS[0][0]]}
        )
    if lock and connection.vendor == "postgresql" and connection.in_atomic_block:
        # FOR SHARE: jobs writing hashes run side by side; a rotation (FOR UPDATE) waits.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {KeyState._meta.db_table} WHERE id = 1 FOR SHARE")
        found.refresh_from_db()
    return found


def hasher(*, fresh: bool = False, lock: bool = False) -> Hasher:
    """The hasher of the database's current chain. `lock`: inside a transaction that will
    write hashes, hold the chain until commit (a rotation waits; see the module docstring).
    `fresh`: read the chain again (a long-lived process, e.g. the web, before a lookup)."""
    global _current
    if _current is not None and not fresh and not lock:
        return _current
    state = _state(lock=lock)
    if (
        _current is None
        or _current.version != state.version
        or _current.ids != tuple(state.hmac_chain)
    ):
        _current = _chain(tuple(state.hmac_chain), state.version)
    return _current


def _chain(ids: tuple[str, ...], version: int) -> Hasher:
    secrets = hmac_secrets()
    missing = [key_id for key_id in ids if key_id not in secrets]
    if missing:
        raise ImproperlyConfigured(
            "NIK_HMAC_KEYS lacks key(s) the stored hashes were made with: " + ", ".join(missing)
        )
    return Hasher(ids=ids, secrets=tuple(secrets[k] for k in ids), version=version)


def hasher_forget() -> None:
    """Tests and the rotation: the next hasher() reads the database again."""
    global _current
    _current = None


def rehash(value: bytes, secret: bytes) -> bytes:
    """A stored hash taken one key further down the chain."""
    return hmac.digest(secret, bytes(value), hashlib.sha256)


# --- ciphertexts --------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _aead(secret: str) -> AESGCM:
    return AESGCM(base64.b64decode(secret))


def encryption_keys() -> dict[str, str]:
    return dict(settings.NIK_ENCRYPTION_KEYS)


def current_key_id() -> str:
    return settings.NIK_ENCRYPTION_KEYS[0][0]


def encryptor():
    """encrypt() bound to the current key, for a loop over many rows (the key is looked up
    once): seal(plain, context) -> ciphertext."""
    key_id = current_key_id()
    head = HEADER + bytes([len(key_id)]) + key_id.encode()
    aead = _aead(encryption_keys()[key_id])
    urandom = os.urandom

    def seal(plain: bytes, context: str) -> bytes:
        nonce = urandom(NONCE)
        return head + nonce + aead.encrypt(nonce, plain, head + context.encode())

    return seal


def encrypt(plain: bytes, *, context: str) -> bytes:
    """K | id length | id | nonce | AES-GCM(plain) with associated data `context`."""
    return encryptor()(plain, context)


def key_id_of(blob: bytes) -> str:
    blob = bytes(blob)
    if blob[:1] != HEADER:
        raise KeyringError("not a keyed ciphertext")
    return blob[2 : 2 + blob[1]].decode()


def decrypt(blob: bytes, *, context: str) -> bytes:
    """The plaintext, if the blob was made for this `context` under a key of the keyring."""
    from cryptography.exceptions import InvalidTag

    blob = bytes(blob)
    key_id = key_id_of(blob)
    secret = encryption_keys().get(key_id)
    if secret is None:
        raise KeyringError(f"ciphertext under key {key_id!r}, which NIK_ENCRYPTION_KEYS lacks")
    head_len = 2 + blob[1]
    head, nonce, body = blob[:head_len], blob[head_len : head_len + NONCE], blob[head_len + NONCE :]
    try:
        return _aead(secret).decrypt(nonce, body, head + context.encode())
    except InvalidTag as exc:
        raise KeyringError("ciphertext tampered with, or not this row's") from exc


def locked_chain():
    """For the rotation: the KeyState row, locked for update, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked_chain() needs a transaction")
    return KeyState.objects.select_for_update().get_or_create(
        pk=1, defaults={"hmac_chain": [settings.NIK_HMAC_KEYS[0][0]]}
    )[0]
