"""The upload machinery both importers share (voter rolls here, support lists in candidates).

The life of an upload:
1. `upload_keep`: the file is stored as it came, encrypted at rest (files.vault), with the
   SHA-256 of its plaintext; the same file in the same scope is the same upload. A file above
   the limit (`upload_max_bytes`) is refused before anything is stored: `UploadTooLarge`.
2. A task runs it as a leased job (jobs.runner: claimed by one worker, taken over once silent
   past its lease, failed with the message of a FileFormatError, failed with a generic message
   after an unexpected error); the importer supplies only its load step.
3. The load step reads it (`upload_open`, which refuses a kept file above today's limit),
   counts bad rows in an `ErrorLog`, reports rows read through `Progress`, whose every write is
   also the run's heartbeat, and ends with `upload_done`.

A run that dies leaves its upload 'running' (a killed worker) or 'failed' (an exception);
sending the same file again, `Upload.requeue`, or a claim after the lease puts it back to work.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import secrets
from typing import IO, Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from files.models import Upload
from files.parsing import SHEET_SUFFIXES, FileFormatError, Table
from files.vault import vault_local, vault_open, vault_store
from jobs.runner import Run

log = logging.getLogger(__name__)

ERRORS_KEPT = 1000
PROGRESS_EVERY = 50_000

U = TypeVar("U", bound=Upload)


class UploadTooLarge(ValidationError):
    """A file above the upload limit, refused before it is stored. A ValidationError, so a
    form shows it at its field; the API answers it with HTTP 413 (config.api)."""


def upload_max_bytes(model: type[Upload]) -> int:
    """The largest file one upload of this kind may be, the setting its model names:
    ROLL_UPLOAD_MAX_BYTES for voter rolls, UPLOAD_MAX_BYTES for support lists and sheets
    (config/settings/limits.py says why)."""
    return getattr(settings, model.max_bytes_setting)


def upload_size_check(model: type[Upload], size: int) -> None:
    """Raise UploadTooLarge if a file of `size` bytes is above the limit for `model`."""
    limit = upload_max_bytes(model)
    if size > limit:
        raise UploadTooLarge(upload_too_large_message(size, limit), code="too_large")


def upload_too_large_message(size: int, limit: int) -> str:
    return gettext(
        "Berkas %(size)s melebihi batas %(max)s per unggahan. Bagi daftar menjadi beberapa "
        "berkas yang masing-masing di bawah %(max)s, lalu unggah satu per satu."
    ) % {"size": _megabytes(size), "max": _megabytes(limit)}


def _megabytes(size: int) -> str:
    """In MB, written the Indonesian way: 512 MB, 6.144 MB, 0,5 MB."""
    value = size / (1024 * 1024)
    if value >= 10:
        return f"{value:,.0f} MB".replace(",", ".")
    return f"{value:.1f} MB".replace(".", ",")


def _file_size(file: IO[bytes] | File) -> int:
    """The size without reading the file: an uploaded file knows it, a disk file seeks."""
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    end = file.seek(0, os.SEEK_END)
    file.seek(0)
    return end


def file_sha256(fh: IO[bytes]) -> tuple[str, int]:
    """Streamed SHA-256 and size; leaves the file at its start."""
    fh.seek(0)
    digest = hashlib.sha256()
    size = 0
    while block := fh.read(1 << 20):
        digest.update(block)
        size += len(block)
    fh.seek(0)
    return digest.hexdigest(), size


def upload_keep(
    model: type[U],
    *,
    file: IO[bytes] | File,
    original_name: str,
    uploaded_by: Any = None,
    scope: dict[str, Any],
    fields: dict[str, Any] | None = None,
) -> tuple[U, bool]:
    """Store the file as it came (encrypted at rest, see files.vault) with the SHA-256 of
    its plaintext; the same file in the same scope is the same upload (created=False).

    Sending a file again whose upload failed, or whose run died (running, heartbeat older than
    the lease), puts that upload back to 'pending': the caller enqueues a run whenever the
    returned upload is pending. `fields` are set only on a new upload.

    A file above `upload_max_bytes(model)` raises UploadTooLarge before anything is read or
    stored, whoever calls (page, API, command)."""
    upload_size_check(model, _file_size(file))
    sha256, size = file_sha256(file)
    upload_size_check(model, size)  # a stream that grew past what it said
    # The managers of an abstract model's subclasses are typed as the base's: hence the casts.
    existing = cast("U | None", model._default_manager.filter(sha256=sha256, **scope).first())
    if existing is not None:
        return _upload_revive(model, existing), False
    name = os.path.basename(original_name) or "upload"
    upload = model(
        original_name=name[:255],
        sha256=sha256,
        size=size,
        uploaded_by=uploaded_by,
        **scope,
        **(fields or {}),
    )
    # A random blob name: the original name is kept in the row, not on disk.
    target = upload.file.field.generate_filename(upload, f"{secrets.token_hex(16)}.enc")
    stored, stored_sha256, stored_size = vault_store(
        file=file, name=target, bound=upload_bound(upload), storage=upload.file.storage
    )
    file.seek(0)
    upload.file.name = stored
    if (stored_sha256, stored_size) != (sha256, size):  # the file changed under us
        upload.file.storage.delete(stored)
        raise ValueError("upload changed while it was stored")
    try:
        with transaction.atomic():
            upload.save()
    except IntegrityError:
        # Another request stored the same file a moment ago: theirs is the upload.
        upload.file.storage.delete(stored)
        theirs = cast(U, model._default_manager.get(sha256=sha256, **scope))
        return _upload_revive(model, theirs), False
    return upload, True


def _upload_revive(model: type[U], upload: U) -> U:
    """A failed or dead upload sent again goes back to pending (a conditional UPDATE, so two
    such requests revive it once); a done, pending or live running one is left as it is."""
    model.requeue(upload.pk, dead_only=True)
    upload.refresh_from_db()
    return upload


def upload_open(upload: Upload) -> contextlib.AbstractContextManager[IO[bytes]]:
    """The upload's plaintext as a binary file: decrypted as it is read (CSV), or into a
    private temporary file for spreadsheets, which need random access (see vault_local).

    A kept file above today's limit (stored before the limit was lowered) is not read: a
    FileFormatError, which the importers turn into a failed upload with the message."""
    limit = upload_max_bytes(type(upload))
    if upload.size > limit:
        raise FileFormatError(upload_too_large_message(upload.size, limit))
    name, storage, bound = str(upload.file.name), upload.file.storage, upload_bound(upload)
    if upload.original_name.lower().endswith(SHEET_SUFFIXES):
        return vault_local(name, bound=bound, storage=storage)
    if not upload.original_name.lower().endswith((".csv", ".txt", ".tsv")):
        with vault_open(name, bound=bound, storage=storage) as fh:
            head = fh.read(4)
        if head[:2] == b"PK" or head == b"\xd0\xcf\x11\xe0":  # zip (xlsx/ods) or OLE (xls)
            return vault_local(name, bound=bound, storage=storage)
    return vault_open(name, bound=bound, storage=storage)


def upload_bound(upload: Upload) -> str:
    """What an upload's encrypted file is bound to (files.vault): its kind and the SHA-256
    of its plaintext. A file moved to another upload's row does not decrypt."""
    return f"{upload._meta.label}:{upload.sha256}"


def upload_done(
    run: Run, progress: Progress, errors: ErrorLog, accepted: int, **fields: Any
) -> None:
    """The load step's end: the final counts (jobs.runner: only while the claim holds), and
    the importer's own `fields` (the support list's pre-check report)."""
    run.done(
        rows_read=progress.rows,
        bytes_read=run.job.size,
        accepted=accepted,
        rejected=errors.count,
        errors=errors.items,
        **fields,
    )


class ErrorLog:
    """Every bad row counted, the first ERRORS_KEPT errors kept: {"row", "column", "message"};
    a row with several bad cells has an item for each."""

    def __init__(self, keep: int = ERRORS_KEPT):
        self.keep = keep
        self.count = 0
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < self.keep:
            self.items.append({"row": row, "column": column, "message": str(message)})

    def add_row(self, row: int, errors: list[tuple[str, str]]) -> None:
        """One bad row with every bad cell of it (files.parsing.row_errors): the row
        counts once, each cell is an item (up to the same limit)."""
        self.count += 1
        for column, message in errors:
            if len(self.items) >= self.keep:
                break
            self.items.append({"row": row, "column": column, "message": str(message)})


class Progress:
    """Rows and bytes read, written where a page can see them while the import is still inside
    its transaction (jobs.runner.Run.beat: every write is also the run's heartbeat).

    Given the import's ErrorLog, also the rows accepted and rejected so far (every row read is
    one or the other), so that the page's "Diterima" grows with the import instead of staying
    0 until the end; `upload_done` then writes the final counts."""

    def __init__(self, run: Run, table: Table, errors: ErrorLog | None = None):
        self.run = run
        self.pk = run.job.pk
        self.table = table
        self.errors = errors
        self.rows = 0
        self._next = PROGRESS_EVERY

    def tick(self, rows: int) -> None:
        self.rows = rows + self.table.skipped  # the rows the table could not read count too
        if rows >= self._next:
            self._next = rows + PROGRESS_EVERY
            self.write()

    def counts(self) -> dict[str, int]:
        """rows_read, bytes_read and, with an ErrorLog, accepted and rejected so far."""
        counts = {"rows_read": self.rows, "bytes_read": self.table.bytes_read}
        if self.errors is not None:
            counts["rejected"] = self.errors.count
            counts["accepted"] = max(0, self.rows - self.errors.count)
        return counts

    def write(self) -> None:
        self.run.beat(**self.counts())


def uploads_rekey(*, hasher=None, rehashed: bool = False) -> int:
    """Key rotation (keys.rotation): every kept upload file not under the newest key is
    re-encrypted under it (a new blob; the old one is deleted once the transaction commits).
    Every concrete Upload model is covered, whichever app it lives in."""
    from django.apps import apps

    from files.vault import vault_key_id
    from keys.keyring import current_key_id

    current, changed = current_key_id(), 0
    for model in apps.get_models():
        if not issubclass(model, Upload):
            continue
        for upload in model._default_manager.exclude(file="").order_by("pk").iterator():
            name, storage = str(upload.file.name), upload.file.storage
            if vault_key_id(name, storage=storage) == current:
                continue
            bound = upload_bound(upload)
            target = upload.file.field.generate_filename(upload, f"{secrets.token_hex(16)}.enc")
            with vault_open(name, bound=bound, storage=storage) as plain:
                stored, _sha, _size = vault_store(
                    file=plain, name=target, bound=bound, storage=storage
                )
            model._default_manager.filter(pk=upload.pk).update(file=stored)
            transaction.on_commit(functools.partial(storage.delete, name))
            changed += 1
    return changed


def upload_purge(upload: Upload) -> bool:
    """Delete a kept file for good (the retention rule): the row stays with its SHA-256, counts
    and errors, so what was received can still be proven; the content is gone."""
    name = str(upload.file.name or "")
    if not name or upload.purged_at is not None:
        return False
    upload.file.storage.delete(name)
    type(upload)._default_manager.filter(pk=upload.pk).update(file="", purged_at=timezone.now())
    return True
