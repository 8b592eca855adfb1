"""Uploaded files encrypted at rest: a DPT file holds millions of NIKs with names and addresses.

Files stay "kept as it came": the plaintext's bytes come back exactly, and its SHA-256 (not
the blob's) names the upload. The blob is a stream of AES-GCM chunks:

    MAGIC | nonce(12) ciphertext+tag(CHUNK + 16) | ... | nonce(12) ciphertext+tag(<= CHUNK + 16)

Every chunk has its own random nonce, and its index and a final-chunk flag as associated data:
chunks cannot be reordered, dropped or cut off at a boundary without decryption failing. An
empty file is one empty final chunk. The key is derived (HKDF) from NIK_ENCRYPTION_KEY, so it
is never the key that encrypts single NIKs.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import struct
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.files.storage import Storage, default_storage

MAGIC = b"UPLDVLT1"
CHUNK = 1 << 20
NONCE = 12
TAG = 16
SEALED = NONCE + CHUNK + TAG


class VaultError(ValueError):
    """The blob is not what we wrote: tampered, truncated, or encrypted with another key."""


@lru_cache(maxsize=4)
def _aead_for(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"upload-files").derive(
        base64.b64decode(secret)
    )
    return AESGCM(key)


def _aead() -> AESGCM:
    from django.conf import settings

    return _aead_for(settings.NIK_ENCRYPTION_KEY)


def _ad(index: int, final: bool) -> bytes:
    return MAGIC + struct.pack(">Q?", index, final)


class _Sealed:
    """What Storage.save() needs (`chunks()`, `name`): encrypts while the storage writes, so the
    plaintext is never whole in memory; counts the plaintext's SHA-256 and size on the way."""

    def __init__(self, file: IO[bytes], name: str):
        self.file = file
        self.name = name
        self.sha256 = ""
        self.size = 0

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        aead, digest, size = _aead(), hashlib.sha256(), 0
        if hasattr(self.file, "seek"):
            self.file.seek(0)
        yield MAGIC
        block = _read_full(self.file, CHUNK)
        index = 0
        while True:
            following = _read_full(self.file, CHUNK) if len(block) == CHUNK else b""
            final = not following
            digest.update(block)
            size += len(block)
            nonce = os.urandom(NONCE)
            yield nonce + aead.encrypt(nonce, block, _ad(index, final))
            if final:
                break
            block, index = following, index + 1
        self.sha256, self.size = digest.hexdigest(), size

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks()


def _read_full(fh: IO[bytes], n: int) -> bytes:
    """Exactly n bytes unless the end comes first (a raw read may return fewer)."""
    parts, got = [], 0
    while got < n:
        part = fh.read(n - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def vault_store(
    *, file: IO[bytes], name: str, storage: Storage | None = None
) -> tuple[str, str, int]:
    """Encrypt `file` (streamed, from its start) into `storage` under `name` (the storage may
    pick another free name). Returns (stored name, SHA-256 hex of the plaintext, plaintext size)."""
    storage = storage or default_storage
    sealed = _Sealed(file, name)
    stored = storage.save(name, sealed)
    return stored, sealed.sha256, sealed.size


class _Opened(io.RawIOBase):
    """Decrypts a blob chunk by chunk as it is read; seek(0) starts over, no other seek."""

    def __init__(self, name: str, storage: Storage):
        self._name, self._storage = name, storage
        self._fh: IO[bytes] | None = None
        self._start()

    def _start(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh = self._storage.open(self._name, "rb")
        if _read_full(self._fh, len(MAGIC)) != MAGIC:
            raise VaultError("not an upload blob")
        self._aead = _aead()
        self._index = 0
        self._pos = 0
        self._buf = memoryview(b"")
        self._done = False
        self._next = _read_full(self._fh, SEALED)

    def _fill(self) -> None:
        sealed = self._next
        if len(sealed) < NONCE + TAG:
            raise VaultError("blob truncated")
        self._next = _read_full(self._fh, SEALED) if len(sealed) == SEALED else b""
        final = not self._next
        try:
            plain = self._aead.decrypt(sealed[:NONCE], sealed[NONCE:], _ad(self._index, final))
        except InvalidTag as exc:
            raise VaultError("blob tampered with, truncated or under another key") from exc
        self._index += 1
        self._done = final
        self._buf = memoryview(plain)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buf:
            if self._done:
                return 0
            self._fill()
        n = min(len(target), len(self._buf))
        target[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        self._pos += n
        return n

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = offset if whence == io.SEEK_SET else self._pos + offset
        if whence == io.SEEK_END or target not in (0, self._pos):
            raise io.UnsupportedOperation("an upload blob reads forward only (or from 0)")
        if target != self._pos:
            self._start()
        return self._pos

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        super().close()


def vault_open(name: str, *, storage: Storage | None = None) -> io.BufferedReader:
    """The plaintext of a stored blob as a binary file (read, readline, iteration, seek(0)),
    decrypted as it is read. A tampered or cut blob raises VaultError when reached."""
    return io.BufferedReader(_Opened(name, storage or default_storage), buffer_size=CHUNK)


@contextlib.contextmanager
def vault_local(name: str, *, storage: Storage | None = None) -> Iterator[IO[bytes]]:
    """The plaintext in a temporary file, deleted on exit. Only for spreadsheets: XLSX and ODS
    are zip archives (directory at the end) and calamine wants read+seek anywhere, which a
    forward-only decrypting stream cannot give. The directory is private (mode 0700) and the
    file is gone when parsing ends, crash of this process aside."""
    with (
        tempfile.TemporaryDirectory(prefix="upload-") as directory,
        tempfile.NamedTemporaryFile(dir=directory) as plain,
        vault_open(name, storage=storage) as source,
    ):
        while block := source.read(CHUNK):
            plain.write(block)
        plain.flush()
        plain.seek(0)
        yield plain
