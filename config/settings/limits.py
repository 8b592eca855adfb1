"""How much a request, a file, a parse may take, the cache that counts the rate limits, the
client's address behind proxies, and the citizens' check and objections' limits."""

from __future__ import annotations

from config.env import env_float, env_int, env_str
from config.settings.jobs import CELERY_BROKER_URL

# Uploads of a few hundred MB are normal (840k rows); stream them to disk, never into memory.
# Django's own limits cover what it holds in memory: a file part above 5 MB goes to a temporary
# file, the other fields of a request may total 10 MB, and a form sends at most a few files.
# How big a file may be is ours: UPLOAD_MAX_BYTES and ROLL_UPLOAD_MAX_BYTES below.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body is read up to the largest file its page takes plus this (the other fields),
# and to this alone on every page without a file and in the JSON API: refused (413) from its
# declared length before a byte is read, and stopped while reading (config/bodylimit.py).
# deploy/nginx holds each location to the same.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 1024**2, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# The largest file one upload may be, refused before it is stored (form, API: 413, services),
# and again before a kept upload is read. Support lists and PPS sheets: the largest list in
# the country, a West Java governor pair at 6.5% of 35.9M voters (2.34M rows), is about 415 MB
# as CSV (DKI's 840,640 rows are 150 MB). Voter rolls: West Java's DPT is about 5.7 GB as CSV
# (DKI's 8.25M voters are 1.3 GB). Memory does not grow with the size: CSV is streamed and a
# spreadsheet is checked before it is read (files/xlsxcheck/).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 512 * 1024**2, minimum=1)
ROLL_UPLOAD_MAX_BYTES = env_int("ROLL_UPLOAD_MAX_BYTES", 6 * 1024**3, minimum=1)
# A spreadsheet is read in a child process whose address space is limited to this
# (files/sheetread.py): a file that needs more fails its upload with what to do, and the
# worker (or the web process) that asked stays as it was. The 100,000-row list needs ~130 MB;
# the worker units' MemoryMax (deploy/systemd) leaves room for one such child per process.
PARSE_MEMORY_LIMIT_BYTES = env_int("PARSE_MEMORY_LIMIT_BYTES", 1024**3, minimum=1)

# The cache: Redis wherever there is one (CACHE_URL, else the broker's Redis), so that every
# web process counts the same rate limits (objections.limits); local memory otherwise, which
# only the one-process demo uses.
CACHE_URL = env_str("CACHE_URL") or (
    CELERY_BROKER_URL if (CELERY_BROKER_URL or "").startswith(("redis://", "rediss://")) else None
)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "pilkada",
        }
    }
else:  # one process counts alone: fine for the demo, refused in production (objections.E001)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The client's address behind proxies: how many proxies in front of the web processes append
# to X-Forwarded-For (nginx: 1). 0 = REMOTE_ADDR. Only the proxies' own entries are trusted:
# the address a client writes into the header itself is never taken.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# The citizens' check (objections/): "N/s", "N/m", "N/h". Per client (an IPv4 address, an
# IPv6 /64, the loopback as one), a person who mistypes a few times is never stopped while a
# script walking NIKs gets 10 a minute; the global limit keeps the database answering everyone
# on the day the whole province looks itself up (a 2-core server answers over 500/s, measured
# by `make bench-check`).
CHECK_RATE_PER_CLIENT = env_str("CHECK_RATE_PER_CLIENT", "10/m")
CHECK_RATE_GLOBAL = env_str("CHECK_RATE_GLOBAL", "1000/s")
# Caps that many addresses cannot add up (docs/check-security.md has the figures): distinct
# NIKs tried per 12-digit prefix (kecamatan of issue + birth date + sex) per day, across every
# client: the largest kecamatan of DKI issues about 8 NIKs per prefix (a few dozen on the dates
# given to people whose birth date was unknown, 1 January, 1 July, 31 December), of whom far
# fewer than one a day looks itself up, while a walk through the serials stops here. And the
# lookups of one NIK per day: ten for a citizen, ten guesses of a name for anyone else. Past
# either the answer is "not listed", as a real one.
CHECK_PREFIX_DAILY = env_int("CHECK_PREFIX_DAILY", 30, minimum=1)
CHECK_NIK_DAILY = env_int("CHECK_NIK_DAILY", 10, minimum=1)
# The staff desk that files an objection by NIK (objections.views.objection_file_page): per
# user, whatever the address; an officer files a few a day.
CHECK_RATE_PER_STAFF = env_str("CHECK_RATE_PER_STAFF", "30/h")
# Red flag: one client network that tried NIKs of this many prefixes in a day (a household
# checks a few; an address shared by many phones behind a carrier's NAT may reach it too: the
# flag points at it, it refuses nothing).
CHECK_NETWORK_GROUPS_FLAG = env_int("CHECK_NETWORK_GROUPS_FLAG", 100, minimum=1)
# Objections filed and reference codes followed, per client.
OBJECTION_RATE_PER_CLIENT = env_str("OBJECTION_RATE_PER_CLIENT", "5/h")
# No timing oracle: every answer of the check leaves no earlier than this after the request
# came in, so "listed", "not listed", "wrong birth date or name" and "capped" take the same
# time. Above the lookup's p99 under load (about 15 ms at 500/s on 2 cores: README, Benchmark).
CHECK_RESPONSE_FLOOR_MS = env_int("CHECK_RESPONSE_FLOOR_MS", 60, minimum=0)
# A citizen's signed statement: a phone photo or a scanned page (image or PDF, checked by
# content), far below a support list's limit.
OBJECTION_STATEMENT_MAX_BYTES = env_int("OBJECTION_STATEMENT_MAX_BYTES", 5 * 1024**2, minimum=1)
# Red flag of misuse (objections/redflags.py): a pair whose supporters with a confirmed
# objection exceed this share of its supporters in an area, with at least this many. Only the
# citizens who look themselves up can object (650 responses for 840,640 supports in DKI 2024),
# so every confirmed one stands for many unseen: DKI 2024's 403 removals were 0.048%.
OBJECTION_MISUSE_SHARE = env_float("OBJECTION_MISUSE_SHARE", 0.0002)
OBJECTION_MISUSE_MIN = env_int("OBJECTION_MISUSE_MIN", 10, minimum=1)

# The largest PDF the public verification page accepts: minutes run to a few pages (~100 KB).
MINUTES_VERIFY_MAX_BYTES = env_int("MINUTES_VERIFY_MAX_BYTES", 10 * 1024**2, minimum=1)
