"""Rate limits of the public pages: per client and for the whole service, counted in the
Django cache (Redis in production: every web process counts the same).

A fixed-window counter per key: the key names the window (`now // period`), the first request
of a window creates it with the window's lifetime, every request adds one atomically (Redis
INCR). On Redis one pipelined round trip per counter (INCR + EXPIRE NX); on any other cache
the cache's own add + incr (the one-process demo). The client's counter goes first, and only a
client within its own limit counts against the global one: one client hammering the check
does not use up everyone's share.

Why not django-ratelimit: it does the same fixed window through the cache API, whose incr on
Django's RedisCache is EXISTS then INCR: with ADD, three round trips per counter, six per
lookup; at 500 lookups/s on 2 cores that was a quarter of the request's CPU (README,
Benchmark). A limiter that cannot reach its store refuses (fails closed): without it the check
would be an open NIK oracle.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext as _

from electorate.clients import client_ip

log = logging.getLogger(__name__)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_parse(rate: str) -> tuple[int, int]:
    """ "10/m" -> (10, 60)."""
    count, _slash, unit = rate.partition("/")
    return int(count), PERIODS[unit.strip()[:1].lower()]


@dataclass(frozen=True)
class Limit:
    group: str  # what is counted: "check", "objection", "track"
    scope: str  # "client" or "global"
    rate: str  # "10/m"
    retry_after: int  # seconds until the window ends


def _count(key: str, period: int) -> int | None:
    """Add one to the counter; its new value (None: the store could not be reached)."""
    name = cache.make_key(key)
    try:
        if isinstance(cache, RedisCache):
            client = cache._cache.get_client(name, write=True)
            pipe = client.pipeline(transaction=False)
            pipe.incr(name)
            pipe.expire(name, period + 1, nx=True)
            return int(pipe.execute()[0])
        cache.add(key, 0, period + 1)
        return int(cache.incr(key))
    except Exception:  # noqa: BLE001 (any failure of the store: refuse, and say so in the log)
        log.exception("rate limit store unreachable")
        return None


def _over(group: str, scope: str, value: str, rate: str, now: float) -> Limit | None:
    limit, period = rate_parse(rate)
    window = int(now // period)
    count = _count(f"rl:{group}:{scope}:{value}:{period}:{window}", period)
    if count is not None and count <= limit:
        return None
    return Limit(group, scope, rate, max(1, period - int(now % period)))


def _now() -> float:
    return time.time()


def limit_hit(request, *, group: str, per_client: str, overall: str | None = None) -> Limit | None:
    """Count this request; the limit it went over, or None."""
    now = _now()
    hit = _over(group, "client", client_ip(request), per_client, now)
    if hit is None and overall:
        hit = _over(group, "global", "*", overall, now)
    return hit


def check_limit_hit(request) -> Limit | None:
    return limit_hit(
        request,
        group="check",
        per_client=settings.CHECK_RATE_PER_CLIENT,
        overall=settings.CHECK_RATE_GLOBAL,
    )


def objection_limit_hit(request) -> Limit | None:
    return limit_hit(request, group="objection", per_client=settings.OBJECTION_RATE_PER_CLIENT)


def limit_message(limit: Limit) -> str:
    if limit.scope == "global":
        return _(
            "Layanan cek dukungan sedang sangat ramai. Silakan coba lagi dalam beberapa detik."
        )
    return _(
        "Terlalu banyak permintaan dari perangkat Anda. Tunggu %(s)s detik, lalu coba lagi."
    ) % {"s": limit.retry_after}


def floor_wait(started: float) -> None:
    """Sleep until CHECK_RESPONSE_FLOOR_MS after `started` (time.perf_counter())."""
    remaining = settings.CHECK_RESPONSE_FLOOR_MS / 1000 - (time.perf_counter() - started)
    if remaining > 0:
        time.sleep(remaining)
