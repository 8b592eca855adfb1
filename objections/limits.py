"""Limits of the public pages and of the staff desk that looks NIKs up, counted in Redis (the
cache's server) so that every web process counts the same. docs/check-security.md says why
each figure is what it is.

Who is one client: staff.clients.client_network, the one rule the sign-in lockout and the
objection token use too (an IPv4 address; an IPv6 address by its /64; every loopback one
client; the address client_ip's: REMOTE_ADDR, or the one the outermost trusted proxy appended).

Rate limits: a fixed-window counter per client and one for everyone (`limit_hit`); only a
client within its own limit counts against the global one. Over a limit: 429.

The check's caps, which an attacker with many addresses cannot add up (`check_gate`):
- the distinct NIKs tried per 12-digit prefix (kecamatan of issue + birth date + sex) per day,
  across all clients (CHECK_PREFIX_DAILY): only a handful of real people share a prefix, so
  every citizen is answered, while a walk through the 4-digit serial stops at the cap;
- the lookups of one NIK per day (CHECK_NIK_DAILY): guessing the name of one NIK.
A lookup over a cap is answered "not listed", exactly as a real "not listed" (the views run
the lookup anyway and drop its answer): the cap is no oracle. The desk (staff filing an
objection) counts in caps of its own, so that a public attacker cannot block it.

Nothing here stores a NIK, a prefix or an address in the clear: NIKs, prefixes and networks
are keyed hashes under the day's salt, a random value kept only in Redis and only until the
day is over, so the hourly counts (objections.checkcounts) cannot be linked back to anyone
once it is gone, not even with every key of the application.

One Lua script does every count of a request in one round trip, atomically (the set of a
prefix never grows past its cap). The Redis client is redis-py's own, made from the cache's
LOCATION (public APIs only; the names go through cache.make_key, so KEY_PREFIX applies). The
first lookup of an hour is told so (Gate.flush): its view enqueues the flush of the closed
hours (objections.tasks.check_counts_flush_soon). On
any other cache (the one-process demo, the SQLite tests) the same steps run through the
cache API. A limiter that cannot reach its store refuses (fails closed): without it the check
would be an open NIK oracle.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from staff.clients import client_network

log = logging.getLogger(__name__)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DAY = 86400
HOUR = 3600
KEEP_COUNTS = 2 * DAY  # an hour's counts wait this long at most for their flush
CHANNELS = ("web", "api", "desk")


def rate_parse(rate: str) -> tuple[int, int]:
    """ "10/m" -> (10, 60)."""
    count, _slash, unit = rate.partition("/")
    return int(count), PERIODS[unit.strip()[:1].lower()]


# --- the store --------------------------------------------------------------------------------

# KEYS: 1 client counter, 2 global counter, 3 salt, 4 NIK counter, 5 prefix set,
#       6 counts hash, 7 withheld hash, 8 pending hours, 9 flush marker
# ARGV: 1 client limit, 2 client ttl, 3 global limit (0: none), 4 global ttl, 5 salt ('': no
#       NIK), 6 salt ttl, 7 NIK member, 8 NIK cap, 9 prefix cap, 10 day ttl, 11 counts field,
#       12 hour, 13 counts ttl
# Returns {status, withheld, flush}: status "ok", "client", "global", or "salt" (the day's
# salt is another than the caller's: the second item is it, call again with it).
GATE_LUA = """
if ARGV[5] ~= '' then
  local s = redis.call('GET', KEYS[3])
  if not s then
    redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[6])
    s = ARGV[5]
  end
  if s ~= ARGV[5] then return {'salt', s, 0} end
end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return {'client', 0, 0} end
if tonumber(ARGV[3]) > 0 then
  local g = redis.call('INCR', KEYS[2])
  if g == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
  if g > tonumber(ARGV[3]) then return {'global', 0, 0} end
end
if ARGV[5] == '' then return {'ok', 0, 0} end
local withheld = 0
local c = redis.call('INCR', KEYS[4])
if c == 1 then redis.call('EXPIRE', KEYS[4], ARGV[10]) end
if c > tonumber(ARGV[8]) then withheld = 1 end
if redis.call('SISMEMBER', KEYS[5], ARGV[7]) == 0 then
  local size = redis.call('SCARD', KEYS[5])
  if size < tonumber(ARGV[9]) then
    redis.call('SADD', KEYS[5], ARGV[7])
    if size == 0 then redis.call('EXPIRE', KEYS[5], ARGV[10]) end
  else
    withheld = 1
  end
end
redis.call('HINCRBY', KEYS[6], ARGV[11], 1)
redis.call('EXPIRE', KEYS[6], ARGV[13])
if withheld == 1 then
  redis.call('HINCRBY', KEYS[7], ARGV[11], 1)
  redis.call('EXPIRE', KEYS[7], ARGV[13])
end
redis.call('SADD', KEYS[8], ARGV[12])
redis.call('EXPIRE', KEYS[8], ARGV[13])
local first = redis.call('SET', KEYS[9], '1', 'NX', 'EX', ARGV[13])
return {'ok', withheld, first and 1 or 0}
"""


def _location() -> str | None:
    conf = settings.CACHES["default"]
    if not conf["BACKEND"].endswith("RedisCache"):
        return None
    location = conf["LOCATION"]
    if not isinstance(location, str):
        location = location[0]
    return location.split(",")[0].strip()  # writes go to the first server (Django's rule)


_clients: dict[str, tuple] = {}
_clients_lock = threading.Lock()


def _redis():
    """(client, gate script) of the cache's Redis, made once per process; None: no Redis."""
    location = _location()
    if location is None:
        return None
    found = _clients.get(location)
    if found is None:
        import redis

        with _clients_lock:
            found = _clients.get(location)
            if found is None:
                client = redis.Redis.from_url(location)
                found = _clients[location] = (client, client.register_script(GATE_LUA))
    return found


def _key(name: str) -> str:
    return cache.make_key(name)


def _gate_run(keys: list[str], argv: list) -> tuple[str, str, int, int]:
    found = _redis()
    if found is not None:
        _client, script = found
        status, extra, flush = script(keys=[_key(k) for k in keys], args=argv)
        status = status.decode() if isinstance(status, bytes) else str(status)
        if status == "salt":
            return status, extra.decode() if isinstance(extra, bytes) else str(extra), 0, 0
        return status, "", int(extra), int(flush)
    return _gate_cache(keys, argv)


def _incr(key: str, ttl: int) -> int:
    cache.add(key, 0, ttl)
    return int(cache.incr(key))


def _gate_cache(keys: list[str], argv: list) -> tuple[str, str, int, int]:
    """GATE_LUA's steps through the cache API, for a cache that is not Redis (one process)."""
    k_client, k_global, k_salt = keys[:3]
    client_limit, client_ttl, global_limit, global_ttl, salt, salt_ttl = argv[:6]
    if salt:
        cache.add(k_salt, salt, salt_ttl)
        stored = cache.get(k_salt, salt)
        if stored != salt:
            return "salt", stored, 0, 0
    if _incr(k_client, client_ttl) > client_limit:
        return "client", "", 0, 0
    if global_limit and _incr(k_global, global_ttl) > global_limit:
        return "global", "", 0, 0
    if not salt:
        return "ok", "", 0, 0
    withheld, first = _caps_cache(keys[3:], argv[6:])
    return "ok", "", withheld, first


def _caps_cache(keys: list[str], argv: list) -> tuple[int, int]:
    k_nik, k_prefix, k_counts, k_withheld, k_hours, k_flush = keys
    member, nik_cap, prefix_cap, day_ttl, field, hour, counts_ttl = argv
    withheld = int(_incr(k_nik, day_ttl) > nik_cap)
    tried = cache.get(k_prefix) or set()
    if member not in tried:
        if len(tried) < prefix_cap:
            cache.set(k_prefix, tried | {member}, day_ttl)
        else:
            withheld = 1
    for key, add in ((k_counts, 1), (k_withheld, withheld)):
        if add:
            counts = cache.get(key) or {}
            counts[field] = counts.get(field, 0) + 1
            cache.set(key, counts, counts_ttl)
    cache.set(k_hours, (cache.get(k_hours) or set()) | {str(hour)}, counts_ttl)
    return withheld, int(cache.add(k_flush, 1, counts_ttl))


# --- the day's salt -------------------------------------------------------------------------

_salts: dict[int, str] = {}


def _salt(day: int) -> str:
    """This process's idea of the day's salt (the gate corrects it if Redis holds another)."""
    found = _salts.get(day)
    if found is None:
        _salts.clear()  # yesterday's is forgotten here too
        found = _salts[day] = secrets.token_hex(32)
    return found


def keyed(salt: str, label: str, value: str, size: int = 16) -> bytes:
    """The keyed hash of a value under the day's salt, one label per kind of value."""
    return hmac.digest(bytes.fromhex(salt), f"{label}:{value}".encode(), hashlib.sha256)[:size]


def nik_region(nik: str) -> str:
    """The kecamatan of the NIK's issue as a region code ("317101..." -> "31.71.01")."""
    return f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"


# --- limits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    group: str  # what is counted: "check", "desk", "objection", "track", "minutes"
    scope: str  # "client" or "global"
    rate: str  # "10/m"
    retry_after: int  # seconds until the window ends


@dataclass(frozen=True)
class Gate:
    limit: Limit | None  # a rate limit reached: 429
    withheld: bool = False  # a cap reached: answer "not listed" whatever the lookup finds
    flush: bool = False  # the hour's first lookup: the caller enqueues the counts' flush


def _now() -> float:
    return time.time()


def _windows(group: str, client: str, per_client: str, overall: str | None, now: float):
    c_limit, c_period = rate_parse(per_client)
    keys = [f"rl:{group}:client:{client}:{c_period}:{int(now // c_period)}"]
    argv: list = [c_limit, c_period + 1]
    if overall:
        g_limit, g_period = rate_parse(overall)
        keys.append(f"rl:{group}:global:*:{g_period}:{int(now // g_period)}")
        argv += [g_limit, g_period + 1]
    else:
        keys.append(f"rl:{group}:global:-")
        argv += [0, 1]

    def refused(scope: str) -> Limit:
        rate = per_client if scope == "client" or not overall else overall
        period = rate_parse(rate)[1]
        return Limit(group, scope, rate, max(1, period - int(now % period)))

    return keys, argv, refused


def _gate(
    *,
    group: str,
    client: str,
    per_client: str,
    overall: str | None,
    nik: str | None = None,
    scope: str = "",
    channel: str = "",
    network: str = "",
) -> Gate:
    now = _now()
    keys, argv, refused = _windows(group, client, per_client, overall, now)
    day, hour = int(now // DAY), int(now // HOUR)
    for _attempt in range(3):
        if nik is None:
            full_keys = keys + ["-"] * 7
            full_argv = argv + ["", 1, "", 0, 0, 1, "", 0, 1]
        else:
            salt = _salt(day)
            group_hash = keyed(salt, "prefix", nik[:12])
            nik_hash = keyed(salt, "nik", nik)
            field = "|".join(
                [channel, nik_region(nik), group_hash.hex(), keyed(salt, "net", network).hex()]
            )
            full_keys = keys + [
                f"ck:salt:{day}",
                f"ck:{scope}:nik:{day}:{nik_hash.hex()}",
                f"ck:{scope}:prefix:{day}:{group_hash.hex()}",
                f"ck:counts:{hour}",
                f"ck:withheld:{hour}",
                "ck:hours",
                f"ck:flush:{hour}",
            ]
            full_argv = (
                argv
                + [
                    salt,
                    DAY - int(now % DAY) + HOUR,  # gone an hour after the day is over
                    nik_hash[:8].hex(),
                    settings.CHECK_NIK_DAILY,
                    settings.CHECK_PREFIX_DAILY,
                    DAY + HOUR,
                    field,
                    hour,
                    KEEP_COUNTS,
                ]
            )
        try:
            status, salt_found, withheld, flush = _gate_run(full_keys, full_argv)
        except Exception:  # noqa: BLE001 (any failure of the store: refuse, and say so in the log)
            log.exception("rate limit store unreachable")
            return Gate(refused("global"))
        if status == "salt":
            _salts[day] = salt_found  # another process made the day's salt first
            continue
        if status != "ok":
            return Gate(refused(status))
        return Gate(None, withheld=bool(withheld), flush=bool(flush))
    log.error("rate limit store: the day's salt keeps changing")
    return Gate(refused("global"))


def limit_hit(request, *, group: str, per_client: str, overall: str | None = None) -> Limit | None:
    """Count this request against its client network's and the global limit; the limit it went
    over, or None."""
    return _gate(
        group=group, client=client_network(request), per_client=per_client, overall=overall
    ).limit


def check_gate(request, *, nik: str | None, channel: str) -> Gate:
    """The public check ("web": the page, "api"): the client's and the global rate, and (for a
    well-formed NIK that will be looked up) the caps."""
    network = client_network(request)
    return _gate(
        group="check",
        client=network,
        per_client=str(settings.CHECK_RATE_PER_CLIENT),
        overall=settings.CHECK_RATE_GLOBAL,
        nik=nik,
        scope="pub",
        channel=channel,
        network=network,
    )


def desk_gate(request, *, nik: str | None) -> Gate:
    """The staff desk: per user (whatever the address), and caps of the desk's own."""
    client = f"user:{request.user.pk}"
    return _gate(
        group="desk",
        client=client,
        per_client=str(settings.CHECK_RATE_PER_STAFF),
        overall=None,
        nik=nik,
        scope="desk",
        channel="desk",
        network=client,
    )


def objection_limit_hit(request) -> Limit | None:
    return limit_hit(request, group="objection", per_client=str(settings.OBJECTION_RATE_PER_CLIENT))


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


# --- what the flush reads -------------------------------------------------------------------


def counts_pending() -> list[int]:
    """Hours whose counts are in the store."""
    found = _redis()
    if found is not None:
        return sorted(int(h) for h in found[0].smembers(_key("ck:hours")))
    return sorted(int(h) for h in cache.get("ck:hours") or set())


def counts_read(hour: int) -> tuple[dict[str, int], dict[str, int]]:
    """(lookups, withheld) of one hour, per "channel|region|prefix hex|network hex"."""
    found = _redis()
    if found is not None:
        client = found[0]
        pipe = client.pipeline(transaction=False)
        pipe.hgetall(_key(f"ck:counts:{hour}"))
        pipe.hgetall(_key(f"ck:withheld:{hour}"))
        counts, withheld = pipe.execute()
        decode = {k.decode(): int(v) for k, v in counts.items()}
        return decode, {k.decode(): int(v) for k, v in withheld.items()}
    return (
        dict(cache.get(f"ck:counts:{hour}") or {}),
        dict(cache.get(f"ck:withheld:{hour}") or {}),
    )


def counts_forget(hour: int) -> None:
    """An hour written to the database for good: out of the store."""
    found = _redis()
    if found is not None:
        pipe = found[0].pipeline(transaction=True)
        pipe.delete(_key(f"ck:counts:{hour}"), _key(f"ck:withheld:{hour}"))
        pipe.srem(_key("ck:hours"), str(hour))
        pipe.execute()
        return
    cache.delete_many([f"ck:counts:{hour}", f"ck:withheld:{hour}"])
    cache.set("ck:hours", (cache.get("ck:hours") or set()) - {str(hour)}, KEEP_COUNTS)
