from __future__ import annotations

import base64
import io
import os
import tempfile

import pytest
from django.core.files.storage import default_storage

from files.vault import (
    CHUNK,
    MAGIC,
    SEALED,
    VaultError,
    vault_key_id,
    vault_local,
    vault_open,
    vault_store,
)

BOUND = "candidates.SupportUpload:" + "ab" * 32


def stored(data: bytes, bound: str = BOUND) -> tuple[str, str, int]:
    return vault_store(file=io.BytesIO(data), name="uploads/test.enc", bound=bound)


def head_len(blob: bytes) -> int:
    """MAGIC, the key id's length, the key id."""
    return len(MAGIC) + 1 + blob[len(MAGIC)]


def raw(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def rewrite(name: str, blob: bytes) -> None:
    with open(default_storage.path(name), "wb") as fh:
        fh.write(blob)


def read_all(name: str, bound: str = BOUND) -> bytes:
    with vault_open(name, bound=bound) as fh:
        return fh.read()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5])
def test_decrypting_gives_the_bytes_back_exactly_at_every_chunk_boundary(size):
    import hashlib

    data = os.urandom(size)
    name, sha256, length = stored(data)

    assert read_all(name) == data
    assert (sha256, length) == (hashlib.sha256(data).hexdigest(), size)


def test_the_blob_is_not_the_plaintext():
    data = b"NIK,NAMA\n3171011201900001,Siti Aminah\n" * 1000
    name, _, _ = stored(data)

    blob = raw(name)
    assert blob.startswith(MAGIC)
    assert b"3171011201900001" not in blob and b"Siti" not in blob


def test_lines_and_iteration_read_like_a_plain_file():
    data = b"a,b\r\n" + b"".join(b"%d,x\n" % i for i in range(300_000))
    name, _, _ = stored(data)

    with vault_open(name, bound=BOUND) as fh:
        assert fh.readline() == b"a,b\r\n"
        assert sum(1 for _ in fh) == 300_000
    with vault_open(name, bound=BOUND) as fh:
        fh.read(10)
        fh.seek(0)
        assert fh.read() == data


def test_a_tampered_byte_is_refused():
    name, _, _ = stored(b"x" * (CHUNK + 100))
    blob = bytearray(raw(name))
    blob[head_len(blob) + 40] ^= 1
    rewrite(name, bytes(blob))

    with pytest.raises(VaultError):
        read_all(name)


@pytest.mark.parametrize("cut", ["last chunk", "a few bytes", "all but the header"])
def test_a_truncated_blob_is_refused(cut):
    name, _, _ = stored(os.urandom(2 * CHUNK + 10))
    blob = raw(name)
    keep = {
        "last chunk": head_len(blob) + 2 * SEALED,  # cut at a chunk boundary
        "a few bytes": len(blob) - 3,
        "all but the header": head_len(blob),
    }[cut]
    rewrite(name, blob[:keep])

    with pytest.raises(VaultError):
        read_all(name)


def test_reordered_chunks_are_refused():
    name, _, _ = stored(os.urandom(3 * CHUNK))
    blob = raw(name)
    head = head_len(blob)
    first = slice(head, head + SEALED)
    second = slice(head + SEALED, head + 2 * SEALED)
    rewrite(name, blob[: first.start] + blob[second] + blob[first] + blob[second.stop :])

    with pytest.raises(VaultError):
        read_all(name)


def test_another_key_cannot_read_the_blob(settings):
    name, _, _ = stored(b"NIK\n3171011201900001\n")
    settings.NIK_ENCRYPTION_KEYS = [("1", base64.b64encode(b"k" * 32).decode())]

    with pytest.raises(VaultError):
        read_all(name)


def test_a_blob_names_its_key_and_an_older_key_still_reads_it(settings):
    name, _, _ = stored(b"NIK\n3171011201900001\n")
    assert vault_key_id(name) == "1"
    old = settings.NIK_ENCRYPTION_KEYS[0]
    settings.NIK_ENCRYPTION_KEYS = [("2026", base64.b64encode(b"n" * 32).decode()), old]

    assert read_all(name) == b"NIK\n3171011201900001\n"  # under "1", still in the ring
    newer, _, _ = stored(b"x")
    assert vault_key_id(newer) == "2026"
    settings.NIK_ENCRYPTION_KEYS = [settings.NIK_ENCRYPTION_KEYS[0]]
    with pytest.raises(VaultError, match="lacks"):
        read_all(name)  # its key was removed from the ring


def test_a_blob_moved_to_another_upload_does_not_decrypt():
    name, _, _ = stored(b"NIK\n3171011201900001\n", bound="candidates.SupportUpload:" + "01" * 32)

    with pytest.raises(VaultError):
        read_all(name, bound="candidates.SupportUpload:" + "02" * 32)


def test_the_local_plaintext_copy_is_gone_after_use(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    data = os.urandom(CHUNK + 7)
    name, _, _ = stored(data)

    with vault_local(name, bound=BOUND) as fh:
        fh.seek(-7, os.SEEK_END)  # random access, as a zip reader needs
        assert fh.read() == data[-7:]
        # Nameless even while in use: a worker killed here leaves nothing on disk.
        assert list((tmp_path / "tmp").iterdir()) == []
    assert fh.closed
    assert list((tmp_path / "tmp").iterdir()) == []
