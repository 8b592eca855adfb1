"""The upload every importer's row is made of: a file kept as it came, with its SHA-256, and
the counts of its run (abstract: each kind of upload has its own table in its own app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from files.parsing import FileFormatError
from jobs.models import LeasedJob, crash_time


class Upload(LeasedJob):
    """A file kept exactly as it came, with its SHA-256, before anything is parsed. Kept by
    files.uploads, loaded as a leased job (jobs.runner) by its importer's load step."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RUNNING = "running", _("Diproses")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    lease_kind = "upload"
    # The setting that says how large one file of this kind may be (files.uploads).
    max_bytes_setting = "UPLOAD_MAX_BYTES"
    failures = (FileFormatError,)  # the file as a whole cannot be read: its row-1 error

    file = models.FileField(upload_to="uploads/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Progress: rows read so far and the file size in bytes read, for the progress bar.
    rows_read = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    # The first errors, each {"row", "column", "message"}; the count of all is `rejected`.
    errors = models.JSONField(default=list, blank=True)
    # started_at, heartbeat_at, finished_at, failure: jobs.models.LeasedJob.
    # The encrypted file deleted by the retention rule (decisions/retention.py): the row, its
    # SHA-256 and its counts stay, the file's content does not.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def claim_fields(cls) -> dict[str, Any]:
        return {"rows_read": 0, "bytes_read": 0, "accepted": 0, "rejected": 0}

    @classmethod
    def failure_fields(cls, message: str) -> dict[str, Any]:
        """The rows counted as accepted while it ran are not kept (the load is rolled back);
        the message is also the file's row-1 error."""
        return {"accepted": 0, "errors": [{"row": 1, "column": "", "message": message}]}

    @classmethod
    def crashed(cls, pk: int, token: dt.datetime) -> None:
        cls.fail(pk, token, message=cls.crash_message(pk), accepted=0)

    @classmethod
    def crash_message(cls, pk: int) -> str:
        return gettext(
            "Terjadi kesalahan sistem saat memproses unggahan #%(id)s (%(time)s). Data Anda "
            "tidak hilang; kirim ulang berkas yang sama untuk memprosesnya lagi, atau hubungi "
            "admin dengan menyebut nomor unggahan ini."
        ) % {"id": pk, "time": crash_time()}

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(100 * self.bytes_read / self.size)) if self.size else 0
