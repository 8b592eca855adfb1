"""The limiter reaches Redis through public APIs only (objections/limits.py): redis-py's own
client made from the cache's LOCATION, the keys named by cache.make_key. Django's RedisCache
keeps its client behind private attributes (`cache._cache.get_client()`), which a Django
release may rename; the limiter must not lean on them. Redis only (the PostgreSQL run, where the
cache is the broker's Redis); the local-memory cache goes through the cache API."""

from __future__ import annotations

from unittest import mock
from urllib.parse import urlparse

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from objections import limits
from tests.objections.people import BIRTH, NAME, NOT_LISTED

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"),
        reason="the cache is Redis only with a broker (the PostgreSQL run)",
    ),
]


class _PublicOnly:
    """The cache with its private attributes out of reach."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AssertionError(f"the limiter read the cache's private {name}")
        return getattr(self._inner, name)


@pytest.fixture(autouse=True)
def _no_floor(settings):
    settings.CHECK_RESPONSE_FLOOR_MS = 0


def test_the_limiter_counts_in_the_caches_redis_through_public_apis(client, field):
    limits._clients.clear()  # made afresh below, under the guard
    with mock.patch.object(limits, "cache", _PublicOnly(cache)):
        statuses = [
            client.post(
                "/api/cek-dukungan/",
                {"nik": NOT_LISTED, "birth_date": BIRTH.isoformat(), "name": NAME},
                content_type="application/json",
                REMOTE_ADDR="198.51.100.9",
            ).status_code
            for _ in range(11)
        ]
    assert statuses == [200] * 10 + [429]
    # The client is redis-py's, pointed at the cache's own server and database.
    location = urlparse(limits._location())
    (made, _script), *_others = limits._clients.values()
    assert isinstance(made, redis.Redis)
    kwargs = made.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"]) == (location.hostname, location.port or 6379)
    assert kwargs.get("db", 0) == int((location.path or "/0").lstrip("/") or 0)
    # The script's counters carry the cache's KEY_PREFIX: the cache API sees what it wrote.
    written = made.keys(cache.make_key("*"))
    assert written, "no counter under the cache's key prefix"
