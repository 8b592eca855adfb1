"""Writes that must land although the database has just gone away.

When PostgreSQL restarts (a failover, an upgrade, a crash) in the middle of a job, the job's
work rolls back, which is safe. But the few writes that say so (a chunk given back, a run or an
upload marked failed) come a moment later, while the server is still starting: if they fail
too, the job looks alive until its lease runs out (65 minutes for a verification chunk) and a
rerun cannot take it over. These writes wait for the database for a bounded time instead
(tests/integration/test_faults.py restarts a real server mid-job).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

T = TypeVar("T")

OUTAGE_SECONDS = 120.0  # a restart, or a failover to a standby, takes seconds to a minute
PAUSE = 0.5


def write_through_outage(write: Callable[[], T], *, seconds: float = OUTAGE_SECONDS) -> T:
    """Call `write`; while the database cannot be reached, close the broken connection and
    try again, for up to `seconds`. Inside a caller's transaction nothing is retried: that
    transaction is lost anyway, and its owner decides."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or time.monotonic() >= deadline:
                raise
            connection.close()
            time.sleep(PAUSE)
