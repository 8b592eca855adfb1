"""The statement a citizen sends with an objection: a photo or a scanned page, recognised by
its content (never by its name), refused above OBJECTION_STATEMENT_MAX_BYTES or, for a PDF,
if it holds a script, an automatic action or an embedded file (objections.activecontent), then
kept like every upload (files.uploads: encrypted at rest, SHA-256 of the plaintext)."""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from files.uploads import upload_keep
from objections.activecontent import pdf_active_check
from objections.models import Statement

# (leading bytes, offset, kind): what each accepted format starts with.
SIGNATURES = (
    (b"%PDF-", 0, "pdf"),
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"WEBP", 8, "webp"),  # RIFF....WEBP
    (b"ftypheic", 4, "heic"),  # iPhone photos
    (b"ftypheix", 4, "heic"),
    (b"ftypmif1", 4, "heic"),
)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
}


def statement_kind(head: bytes) -> str | None:
    """The format the first bytes announce, or None."""
    for magic, offset, kind in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if kind == "webp" and head[:4] != b"RIFF":
                continue
            return kind
    return None


def statement_check(file: IO[bytes], size: int) -> str:
    """The file's kind, or a ValidationError that says what to send instead."""
    limit = settings.OBJECTION_STATEMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("Berkas terlalu besar (%(size)s). Kirim foto atau PDF paling besar %(max)s.")
            % {"size": _mb(size), "max": _mb(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("Berkas kosong."), code="empty")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    kind = statement_kind(head)
    if kind is None:
        raise ValidationError(
            _("Berkas harus berupa foto (JPG, PNG, WebP, HEIC) atau PDF."), code="format"
        )
    if kind == "pdf":
        # Read whole (a few MB at most): no script, automatic action or embedded file.
        pdf_active_check(file.read())
        file.seek(0)
    return kind


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def statement_keep(*, file: IO[bytes], size: int, by=None) -> Statement:
    """Check and keep the file; the same file twice is one statement. Its name is made from
    its kind: the name on the citizen's phone may carry their own."""
    kind = statement_check(file, size)
    statement, _created = upload_keep(
        Statement,
        file=file,
        original_name=f"pernyataan.{'jpg' if kind == 'jpeg' else kind}",
        uploaded_by=by,
        scope={},
        fields={"status": Statement.Status.DONE},
    )
    return statement
