"""The NIK: what it encodes, and how it is kept (keyed hash + AES-GCM, never plaintext).

A NIK is 16 digits: province (2) + kab/kota (2) + kecamatan (2) + birth date DDMMYY, with 40
added to the day for women, + a 4-digit serial. The prefix tells where it was first issued,
not where the person lives now.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


@dataclass(frozen=True, slots=True)
class NikInfo:
    region: str  # 6 digits: province, kab/kota, kecamatan of first issue
    birth_date: dt.date | None  # None when the encoded date is impossible
    sex: str  # "L" or "P"


def nik_decode(nik: str, *, today: dt.date | None = None) -> NikInfo:
    """Read what a 16-digit NIK encodes. The century is the one that puts the birth in the past."""
    day = int(nik[6:8])
    sex = "P" if day > 40 else "L"
    if day > 40:
        day -= 40
    month = int(nik[8:10])
    yy = int(nik[10:12])
    today = today or dt.date.today()
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    try:
        birth = dt.date(year, month, day)
    except ValueError:
        birth = None
    return NikInfo(region=nik[:6], birth_date=birth, sex=sex)


@lru_cache(maxsize=1)
def _hmac_key() -> bytes:
    return settings.NIK_HMAC_KEY.encode()


def nik_hash(nik: str) -> bytes:
    """Keyed hash (HMAC-SHA256) used for matching and joins: 32 bytes."""
    return hmac.digest(_hmac_key(), nik.encode(), hashlib.sha256)


@lru_cache(maxsize=1)
def _aead() -> AESGCM:
    key = base64.b64decode(settings.NIK_ENCRYPTION_KEY)
    if len(key) not in (16, 24, 32):
        raise ValueError("NIK_ENCRYPTION_KEY must be 16, 24 or 32 bytes, base64-encoded")
    return AESGCM(key)


def nik_encrypt(nik: str) -> bytes:
    """AES-GCM ciphertext, nonce first. Only the few who must read a NIK back decrypt it."""
    nonce = os.urandom(12)
    return nonce + _aead().encrypt(nonce, nik.encode(), None)


def nik_decrypt(blob: bytes) -> str:
    blob = bytes(blob)
    return _aead().decrypt(blob[:12], blob[12:], None).decode()


def nik_mask(nik: str) -> str:
    """3171********0001: enough to recognise a row, not enough to misuse it."""
    return nik[:4] + "*" * 8 + nik[12:]
