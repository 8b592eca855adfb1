"""The one protocol every leased job runs by; a kind supplies only its load step.

    job_run(Kind, pk, load)        claim that job, then run `load` under the protocol
    job_take(Kind, among, load)    claim the first free job of `among` (a verification chunk)

Under the protocol:
- claim: one conditional UPDATE (jobs.models); a job another live run holds, or a finished
  one, is returned as it stands and `load` never runs;
- open and progress: `load(run)` reads and writes what it must; `run.beat(**counts)` is the
  heartbeat, written where other connections see it even from inside the step's transaction;
- done: `run.done(**fields)`, from inside the step's transaction if it wants its data and its
  end to commit together, else the runner finishes with the fields `load` returns;
- fail: a JobFailed (or one of the kind's `failures`, e.g. a file that cannot be read) ends the
  job failed with the exception's text, which is written for users;
- crash: anything else (a bug, the database going away, a child process killed, the worker
  told to stop) is logged with its detail, the job ends with the kind's `crashed` (a generic
  message, or a chunk given back) written through a database outage, and the error is raised
  again for Celery;
- lease expiry: a worker killed outright writes nothing; its job's heartbeat ages and the next
  claim after the kind's lease takes it over, and the slow run, if it was only slow, finds its
  token gone: its beats and its end change nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from django.db import connection, models
from django.utils import timezone

from jobs.models import RUNNING, LeasedJob
from jobs.outage import write_through_outage
from jobs.side import SideConnection

log = logging.getLogger(__name__)

J = TypeVar("J", bound=LeasedJob)


class JobFailed(Exception):
    """The job cannot be done and users must know why: its text is the job's failure."""


class Run(Generic[J]):
    """What a load step is handed: the claimed job, the claim's token, beat and done."""

    def __init__(self, model: type[J], job: J, token: dt.datetime):
        self.model = model
        self.job = job
        self.token = token
        self.finished = False
        self._side = SideConnection()

    def beat(self, **counts: Any) -> None:
        """The heartbeat, with progress counts for the page. Inside a transaction on
        PostgreSQL it goes through a second, autocommit connection (SKIP LOCKED: it never
        waits on a lock the step holds on its own row), so others see it at once."""
        if connection.vendor != "postgresql" or not connection.in_atomic_block:
            self.model.beat(self.job.pk, self.token, **counts)
            return
        table = self.model._meta.db_table
        columns = "".join(f"{name} = %s, " for name in counts)
        self._side.execute(
            f"UPDATE {table} SET {columns}heartbeat_at = %s WHERE id = (SELECT id FROM {table} "
            "WHERE id = %s AND status = %s AND started_at = %s FOR NO KEY UPDATE SKIP LOCKED)",
            [*counts.values(), timezone.now(), self.job.pk, RUNNING, self.token],
        )

    def done(self, **fields: Any) -> bool:
        """Finish the job with `fields`; False if the claim was lost (taken over meanwhile)."""
        self.finished = True
        return self.model.finish(self.job.pk, self.token, **fields)

    def close(self) -> None:
        self._side.close()


Load = Callable[[Run[J]], "dict[str, Any] | None"]


def job_run(model: type[J], pk: int, load: Load, *, related: tuple[str, ...] = ()) -> J:
    """Claim job `pk` and run `load` under the protocol. Returns the job as it stands; as it
    was if another run holds it or it is finished."""
    token = model.claim(pk)
    if token is None:
        return cast(J, model._default_manager.get(pk=pk))
    job = cast(J, model._default_manager.select_related(*related).get(pk=pk))
    _protocol(model, job, token, load)
    job.refresh_from_db()
    return job


def job_take(model: type[J], among: models.QuerySet, load: Load) -> J | None:
    """Claim the first free job of `among` and run `load` under the protocol; None when
    there is none left."""
    claimed = model.claim_next(among)
    if claimed is None:
        return None
    job, token = claimed
    _protocol(model, job, token, load)
    return job


def _protocol(model: type[J], job: J, token: dt.datetime, load: Load) -> None:
    run = Run(model, job, token)
    failures: tuple[type[BaseException], ...] = (JobFailed, *model.failures)
    try:
        fields = load(run)
        if not run.finished:
            run.done(**(fields or {}))
    except failures as exc:
        message = str(exc)
        model.fail(job.pk, token, message=message, **model.failure_fields(message))
    except BaseException as exc:
        log.error("%s %s failed", model._meta.label, job.pk, exc_info=exc)
        # Written even while the database restarts (the usual cause): else the job looks
        # alive until its lease runs out.
        write_through_outage(lambda: model.crashed(job.pk, token))
        raise
    finally:
        run.close()
