"""Reads on the PostgreSQL streaming replica where a view says so (replica.scope); every
write, and every other read, on the primary. Installed always: without DATABASE_REPLICA_URL
there is no "replica" alias and every read is the primary's, but a write inside a replica
scope is refused all the same, so that the whole suite holds the rule."""

from __future__ import annotations

from django.conf import settings

from replica.scope import PRIMARY, read_alias, replica_configured, request_begin, request_end
from replica.scope import write_seen as _write_seen

PIN_COOKIE = "db_pin"


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        _write_seen()
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY  # the standby replays the primary's schema; it takes no DDL


class ReplicaPinMiddleware:
    """A client whose request wrote reads the primary for DATABASE_REPLICA_PIN_SECONDS (a
    cookie), longer than the replica's lag under load: the page after a POST shows the POST.
    Placed after the session middleware, so that saving a session is not a write that pins
    (sessions are read on the primary: login_required reads the user outside any scope)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        token = request_begin(pinned=PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            wrote = request_end(token)
        if wrote:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
