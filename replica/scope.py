"""Reads on the replica, declared where they happen.

With DATABASE_REPLICA_URL set there are two aliases: "default", the primary that takes every
write, and "replica", a PostgreSQL hot standby a fraction of a second behind it
(docs/deployment.md: the lag as measured). Nothing reads the replica unless a view or a
selector says so, for the code inside it:

    @replica_reads                      # the whole view
    def verify(request, code): ...

    with replica_reads:                 # or a part of it
        supports = supports_find(...)

config.dbrouter.ReplicaRouter asks `read_alias()` for every ORM read; raw SQL takes
`read_connection()`. Inside a replica scope the reads stay on the primary when
- the request has written already, or wrote within DATABASE_REPLICA_PIN_SECONDS before (the
  pin cookie, config.dbrouter.ReplicaPinMiddleware): a page after a write shows it;
- the primary is inside a transaction: what the transaction wrote is not on the replica.

A read whose answer decides a write belongs on the primary: an ORM write inside a replica scope
raises ReplicaScopeWrite (also without a replica, so that the whole suite enforces it); code
that may store what it found missing (a derived part computed on first read) does that part
`with primary_reads:`, which reads and writes the primary again.
"""

from __future__ import annotations

from contextlib import ContextDecorator
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

PRIMARY = "default"
REPLICA = "replica"


class ReplicaScopeWrite(RuntimeError):
    """An ORM write inside `replica_reads`: what was read before it may be stale."""


@dataclass
class _Request:
    pinned: bool  # a write of this client within the pin's seconds: read the primary
    wrote: bool = False


_scopes: ContextVar[tuple[str, ...]] = ContextVar("db_read_scopes", default=())
_request: ContextVar[_Request | None] = ContextVar("db_read_request", default=None)


class _Scope(ContextDecorator):
    """A context manager and decorator (stateless, so one instance serves every thread)."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __enter__(self) -> _Scope:
        _scopes.set((*_scopes.get(), self.alias))
        return self

    def __exit__(self, *exc: object) -> None:
        _scopes.set(_scopes.get()[:-1])


replica_reads = _Scope(REPLICA)
primary_reads = _Scope(PRIMARY)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The alias a read goes to here and now."""
    scopes = _scopes.get()
    if not scopes or scopes[-1] != REPLICA or not replica_configured():
        return PRIMARY
    request = _request.get()
    if request is not None and (request.pinned or request.wrote):
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


def read_connection() -> BaseDatabaseWrapper:
    """The connection for a raw SQL read (Django's `connection` is always the primary's)."""
    return connections[read_alias()]


def write_seen() -> None:
    """The router saw an ORM write (it always goes to the primary)."""
    scopes = _scopes.get()
    if scopes and scopes[-1] == REPLICA:
        raise ReplicaScopeWrite(
            "a write inside replica_reads: read what decides a write on the primary "
            "(wrap that part in primary_reads)"
        )
    request = _request.get()
    if request is not None:
        request.wrote = True


def request_begin(*, pinned: bool) -> Token:
    return _request.set(_Request(pinned=pinned))


def request_end(token: Token) -> bool:
    """Whether the request wrote through the ORM (the middleware then pins the client)."""
    request = _request.get()
    _request.reset(token)
    return request is not None and request.wrote
