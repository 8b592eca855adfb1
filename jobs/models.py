"""The leased job: a row that one worker at a time holds, for as long as it keeps beating.

Every step is one conditional UPDATE, so any number of worker processes (and threads with
their own connections) may race for a job on PostgreSQL or SQLite and exactly one wins:
- claim: pending, or running with a heartbeat older than the kind's lease (its worker died)
  -> running; the claim's time is kept in started_at and is the claimant's token;
- beat: the heartbeat (and progress counts), only while the token still holds;
- finish / fail: running with the token -> done / failed (a slow run taken over finds its
  claim gone and writes nothing);
- release: running with the token -> pending, for the next worker at once;
- requeue: a failed or dead run back to pending, by hand (sending the same file again).

The lease of each kind is read from one table, settings.JOB_LEASE_SECONDS.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, TypeVar, cast

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

J = TypeVar("J", bound="LeasedJob")

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"


def crash_time() -> str:
    """The time a crash message gives (27-11-2024 14:05 WIB), the reference the admin finds in
    the server log."""
    return date_format(timezone.localtime(), "d-m-Y H:i T")


class LeasedJobQuerySet(models.QuerySet):
    def claimable(self) -> LeasedJobQuerySet:
        """Jobs a worker may claim: pending, or running and silent for longer than the lease.
        A job that never beat counts from its claim (rows from before heartbeats existed)."""
        model = cast("type[LeasedJob]", self.model)
        stale = timezone.now() - dt.timedelta(seconds=model.lease_seconds())
        silent = (
            models.Q(heartbeat_at__lt=stale)
            | models.Q(heartbeat_at__isnull=True, started_at__lt=stale)
            | models.Q(heartbeat_at__isnull=True, started_at__isnull=True)
        )
        return self.filter(models.Q(status=PENDING) | models.Q(silent, status=RUNNING))


class LeasedJob(models.Model):
    """Status, claim time (the token), heartbeat, end and failure of one job. A concrete kind
    names its lease (`lease_kind`, a key of settings.JOB_LEASE_SECONDS) and may say what a
    claim resets (`claim_fields`), what a failure writes besides its message
    (`failure_fields`) and what users read when a run crashes (`crash_message`)."""

    class Status(models.TextChoices):
        PENDING = PENDING, gettext_lazy("Menunggu")
        RUNNING = RUNNING, gettext_lazy("Diproses")
        DONE = DONE, gettext_lazy("Selesai")
        FAILED = FAILED, gettext_lazy("Gagal")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The claim's time: the token every later write of the claimant checks.
    started_at = models.DateTimeField(null=True, blank=True)
    # Set by the claim and by every progress write: a running job whose heartbeat is older than
    # its lease lost its worker and may be claimed again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)

    objects = LeasedJobQuerySet.as_manager()

    lease_kind: ClassVar[str]
    done_status: ClassVar[str] = DONE  # an export is "ready"
    # Errors that fail the job with their text (written for users) besides jobs.JobFailed.
    failures: ClassVar[tuple[type[Exception], ...]] = ()

    class Meta:
        abstract = True

    # --- what a kind may change ------------------------------------------------------------

    @classmethod
    def lease_seconds(cls) -> int:
        return settings.JOB_LEASE_SECONDS[cls.lease_kind]

    @classmethod
    def claim_fields(cls) -> dict[str, Any]:
        """Written with every claim besides status and times: the progress of a dead run."""
        return {}

    @classmethod
    def failure_fields(cls, message: str) -> dict[str, Any]:
        """Written with a failure besides its message."""
        return {}

    @classmethod
    def crash_message(cls, pk: int) -> str:
        """What users read after an unexpected error: never the error's text (it may quote
        data), but what to do and a reference the admin finds in the server log."""
        return gettext(
            "Terjadi kesalahan sistem pada pekerjaan #%(id)s (%(time)s). Jalankan lagi, atau "
            "hubungi admin dengan menyebut nomor ini."
        ) % {"id": pk, "time": crash_time()}

    @classmethod
    def crashed(cls, pk: int, token: dt.datetime) -> None:
        """After an unexpected error: failed with crash_message (a chunk is released instead)."""
        message = cls.crash_message(pk)
        cls.fail(pk, token, message=message, **cls.failure_fields(message))

    # --- the conditional UPDATEs -----------------------------------------------------------

    @classmethod
    def claim(cls, pk: int) -> dt.datetime | None:
        """pending (or running past its lease) -> running. The claim's time (the token) for
        the one caller whose UPDATE changed the row, None for everyone else."""
        now = timezone.now()
        changed = (
            cls._default_manager.claimable()
            .filter(pk=pk)
            .update(
                status=RUNNING,
                started_at=now,
                heartbeat_at=now,
                finished_at=None,
                failure="",
                **cls.claim_fields(),
            )
        )
        return now if changed == 1 else None

    @classmethod
    def claim_next(cls: type[J], among: models.QuerySet) -> tuple[J, dt.datetime] | None:
        """The first of `among` (in its order) that this caller wins, with its token."""
        for job in among.filter(pk__in=cls._default_manager.claimable().values("pk")):
            token = cls.claim(job.pk)
            if token is not None:
                return job, token
        return None

    @classmethod
    def mine(cls, pk: int, token: dt.datetime) -> models.QuerySet:
        """The job while the claim with `token` still holds it."""
        return cls._default_manager.filter(pk=pk, status=RUNNING, started_at=token)

    @classmethod
    def beat(cls, pk: int, token: dt.datetime, **fields: Any) -> bool:
        return cls.mine(pk, token).update(heartbeat_at=timezone.now(), **fields) == 1

    @classmethod
    def finish(cls, pk: int, token: dt.datetime, **fields: Any) -> bool:
        now = timezone.now()
        return (
            cls.mine(pk, token).update(
                status=cls.done_status, finished_at=now, heartbeat_at=now, **fields
            )
            == 1
        )

    @classmethod
    def fail(cls, pk: int, token: dt.datetime, *, message: str, **fields: Any) -> bool:
        """`message` is shown to users: say what to do, never echo file content."""
        return (
            cls.mine(pk, token).update(
                status=FAILED, failure=message[:5000], finished_at=timezone.now(), **fields
            )
            == 1
        )

    @classmethod
    def release(cls, pk: int, token: dt.datetime) -> bool:
        """Back to pending at once, for the next worker (a killed worker's claim expires)."""
        return cls.mine(pk, token).update(status=PENDING, started_at=None, heartbeat_at=None) == 1

    @classmethod
    def requeue(cls, pk: int, *, dead_only: bool = False) -> bool:
        """A failed run, or a running one (only a dead one with `dead_only`), back to pending:
        the next run does it again (idempotently)."""
        stuck = (
            cls._default_manager.claimable().exclude(status=PENDING)
            if dead_only
            else cls._default_manager.filter(status=RUNNING)
        )
        return (
            cls._default_manager.filter(
                models.Q(status=FAILED) | models.Q(pk__in=stuck.values("pk")), pk=pk
            ).update(status=PENDING)
            == 1
        )

    def alive(self) -> bool:
        """Pending for less than the lease, or running with a recent heartbeat: asking again
        would only wait for it."""
        stale = timezone.now() - dt.timedelta(seconds=self.lease_seconds())
        if self.status == PENDING:
            created = getattr(self, "created_at", None)
            return created is None or created >= stale
        beat = self.heartbeat_at or self.started_at
        return self.status == RUNNING and beat is not None and beat >= stale
