"""Uploaded files encrypted at rest: a DPT file holds millions of NIKs with names and addresses.

Files stay "kept as it came": the plaintext's bytes come back exactly, and its SHA-256 (not
the blob's) names the upload. The blob is a stream of AES-GCM chunks:

    MAGIC | key id length | key id | nonce(12) ciphertext+tag(CHUNK + 16) | ... | last chunk

Every chunk has its own random nonce, and as associated data the key id, what the file is
bound to (`bound`: its upload's model and SHA-256), its index and a final-chunk flag: chunks
cannot be reordered, dropped or cut off at a boundary, and a blob swapped between two uploads
does not decrypt. An empty file is one empty final chunk. The key is derived (HKDF) from the
named key of NIK_ENCRYPTION_KEYS (keys.keyring), so it is never the key that encrypts
single NIKs; `rotate_keys` re-encrypts files under the newest key. Blobs of the first format
(UPLDVLT1: no key id, no binding) are still read, with the first key.
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

MAGIC = b"UPLDVLT2"
MAGIC_V1 = b"UPLDVLT1"
CHUNK = 1 << 20
NONCE = 12
TAG = 16
SEALED = NONCE + CHUNK + TAG


class VaultError(ValueError):
    """The blob is not what we wrote: tampered, truncated, not this upload's, or under a key
    the keyring no longer has."""


@lru_cache(maxsize=8)
def _aead_for(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"upload-files").derive(
        base64.b64decode(secret)
    )
    return AESGCM(key)


def _key(key_id: str | None = None) -> tuple[str, AESGCM]:
    """(id, cipher) of the named key, or of the current (first) one."""
    from django.conf import settings

    ring = dict(settings.NIK_ENCRYPTION_KEYS)
    key_id = key_id or settings.NIK_ENCRYPTION_KEYS[0][0]
    if key_id not in ring:
        raise VaultError(f"file encrypted under key {key_id!r}, which NIK_ENCRYPTION_KEYS lacks")
    return key_id, _aead_for(ring[key_id])


def _ad(head: bytes, bound: str, index: int, final: bool) -> bytes:
    return head + bound.encode() + struct.pack(">Q?", index, final)


def _ad_v1(index: int, final: bool) -> bytes:
    return MAGIC_V1 + struct.pack(">Q?", index, final)


def _head(key_id: str) -> bytes:
    return MAGIC + bytes([len(key_id)]) + key_id.encode()


def vault_key_id(name: str, *, storage: Storage | None = None) -> str:
    """The id of the key a stored blob is under ("" for the first format, which has none)."""
    with (storage or default_storage).open(name, "rb") as fh:
        magic = _read_full(fh, len(MAGIC))
        if magic == MAGIC_V1:
            return ""
        if magic != MAGIC:
            raise VaultError("not an upload blob")
        return _read_full(fh, _read_full(fh, 1)[0]).decode()


class _Sealed:
    """What Storage.save() needs (`chunks()`, `name`): encrypts while the storage writes, so the
    plaintext is never whole in memory; counts the plaintext's SHA-256 and size on the way."""

    def __init__(self, file: IO[bytes], name: str, bound: str):
        self.file = file
        self.name = name
        self.bound = bound
        self.sha256 = ""
        self.size = 0

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        key_id, aead = _key()
        head = _head(key_id)
        digest, size = hashlib.sha256(), 0
        if hasattr(self.file, "seek"):
            self.file.seek(0)
        yield head
        block = _read_full(self.file, CHUNK)
        index = 0
        while True:
            following = _read_full(self.file, CHUNK) if len(block) == CHUNK else b""
            final = not following
            digest.update(block)
            size += len(block)
            nonce = os.urandom(NONCE)
            yield nonce + aead.encrypt(nonce, block, _ad(head, self.bound, index, final))
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
    *, file: IO[bytes], name: str, bound: str, storage: Storage | None = None
) -> tuple[str, str, int]:
    """Encrypt `file` (streamed, from its start) into `storage` under `name` (the storage may
    pick another free name), bound to `bound` (what it belongs to: the same must be given to
    open it). Returns (stored name, SHA-256 hex of the plaintext, plaintext size)."""
    storage = storage or default_storage
    sealed = _Sealed(file, name, bound)
    stored = storage.save(name, sealed)
    return stored, sealed.sha256, sealed.size


class _Opened(io.RawIOBase):
    """Decrypts a blob chunk by chunk as it is read; seek(0) starts over, no other seek."""

    def __init__(self, name: str, storage: Storage, bound: str):
        self._name, self._storage, self._bound = name, storage, bound
        self._fh: IO[bytes] | None = None
        self._start()

    def _start(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh = self._storage.open(self._name, "rb")
        magic = _read_full(self._fh, len(MAGIC))
        if magic == MAGIC:
            key_id = _read_full(self._fh, _read_full(self._fh, 1)[0]).decode()
            self._head = _head(key_id)
            self._aead = _key(key_id)[1]
        elif magic == MAGIC_V1:
            self._head = b""
            self._aead = _key(None)[1]
        else:
            raise VaultError("not an upload blob")
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
            ad = (
                _ad(self._head, self._bound, self._index, final)
                if self._head
                else _ad_v1(self._index, final)
            )
            plain = self._aead.decrypt(sealed[:NONCE], sealed[NONCE:], ad)
        except InvalidTag as exc:
            raise VaultError(
                "blob tampered with, truncated, not this upload's, or under another key"
            ) from exc
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


def vault_open(name: str, *, bound: str, storage: Storage | None = None) -> io.BufferedReader:
    """The plaintext of a stored blob as a binary file (read, readline, iteration, seek(0)),
    decrypted as it is read. A tampered, cut or swapped blob raises VaultError when reached."""
    return io.BufferedReader(_Opened(name, storage or default_storage, bound), buffer_size=CHUNK)


@contextlib.contextmanager
def vault_local(name: str, *, bound: str, storage: Storage | None = None) -> Iterator[IO[bytes]]:
    """The plaintext in a temporary file, for spreadsheets only: XLSX is a zip archive
    (directory at the end) and calamine wants read+seek anywhere, which a forward-only
    decrypting stream cannot give.

    The file has no name: tempfile.TemporaryFile opens it with O_TMPFILE (or unlinks it at
    once), readable only through this descriptor. So the plaintext is gone when the block ends,
    however it ends (an exception in the copy or in the parser), and even if the process is
    killed: nothing is left on disk to clean up."""
    with tempfile.TemporaryFile(prefix="upload-") as plain:
        with vault_open(name, bound=bound, storage=storage) as source:
            while block := source.read(CHUNK):
                plain.write(block)
        plain.flush()
        plain.seek(0)
        yield plain
