"""A second connection for what others must see while a job's own transaction is still open."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection

log = logging.getLogger(__name__)


def raw_connection(*, autocommit: bool = False) -> Any:
    """A plain psycopg connection to Django's database, outside Django's transaction: for a
    second COPY stream, or for progress a page must see while the import's transaction is open."""
    import psycopg

    params = connection.get_connection_params()
    keep = {"dbname", "user", "password", "host", "port", "sslmode", "options"}
    return psycopg.connect(**{k: v for k, v in params.items() if k in keep}, autocommit=autocommit)


class SideConnection:
    """An autocommit connection of its own, opened on first use, for writes a page must see
    while the caller's transaction is still open (an import's or an export's progress).
    Such a write is a nicety: `execute` says whether it went through, and a failure only
    closes the connection (the next write opens another)."""

    def __init__(self) -> None:
        self._conn: Any = None

    def execute(self, sql: str, params: list) -> bool:
        try:
            if self._conn is None:
                self._conn = raw_connection(autocommit=True)
            self._conn.execute(sql, params)
            return True
        except Exception:
            log.warning("a progress write through the side connection failed", exc_info=True)
            self.close()
            return False

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
