"""Settings read from the environment.

With nothing set: SQLite in ./var/db.sqlite3 and Celery tasks run in-process (the embedded
default, for `make demo`). With DATABASE_URL and CELERY_BROKER_URL set: PostgreSQL and Redis
with real workers. DJANGO_ENV=production refuses to start with the demo secrets.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.demokeys import demo_keys
from config.env import env_bool, env_float, env_int, env_int_map, env_list, env_str
from config.keystrength import key_weakness

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PILKADA_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_str("DJANGO_ENV", "development") == "production"

# The demo's keys: drawn at random into VAR_DIR/demo-keys.env on the first start outside
# production (config/demokeys.py), never written in the source. Production takes every key
# from the environment: there these are what an unset key would be, refused below.
DEMO_KEY_NAMES = ("DJANGO_SECRET_KEY", "NIK_HMAC_KEY", "NIK_ENCRYPTION_KEY", "AUDIT_KEY")
if PRODUCTION:
    DEMO_KEYS = {name: f"unset-{name}" for name in DEMO_KEY_NAMES}
    DEMO_KEYS["NIK_ENCRYPTION_KEY"] = base64.b64encode(b"unset: NIK_ENCRYPTION_KEY(S) #32").decode()
else:
    DEMO_KEYS = demo_keys(VAR_DIR / "demo-keys.env", DEMO_KEY_NAMES)
DEMO_SECRET_KEY = DEMO_KEYS["DJANGO_SECRET_KEY"]
DEMO_NIK_HMAC_KEY = DEMO_KEYS["NIK_HMAC_KEY"]
DEMO_NIK_ENCRYPTION_KEY = DEMO_KEYS["NIK_ENCRYPTION_KEY"]
DEMO_AUDIT_KEY = DEMO_KEYS["AUDIT_KEY"]


def keyring(name: str, single: str, default: str) -> list[tuple[str, str]]:
    """A keyring from the environment: NIK_..._KEYS="id:secret,id:secret", or the single
    NIK_..._KEY as keyring "1". Key ids are short names (letters, digits, - and _)."""
    text = env_str(name) or f"1:{env_str(single, default)}"
    ring = []
    for item in text.split(","):
        key_id, _sep, secret = item.strip().partition(":")
        if not key_id or not secret or not key_id.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured(f"{name}: write id:secret,id:secret")
        ring.append((key_id, secret))
    if len({k for k, _s in ring}) != len(ring):
        raise ImproperlyConfigured(f"{name}: a key id appears twice")
    return ring


SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEMO_SECRET_KEY)
# Keyed hash of the NIK for matching and joins, in the order the keys were introduced: stored
# hashes apply each key in turn, so a new key is added by `rotate_keys` without the plaintext
# NIKs of the roll (keys/keyring.py). Keep every id listed that the database has applied.
NIK_HMAC_KEYS = keyring("NIK_HMAC_KEYS", "NIK_HMAC_KEY", DEMO_NIK_HMAC_KEY)
# AES-GCM keys (32 bytes, base64), newest first: the first encrypts NIKs and upload files, any
# listed key decrypts what names it; `rotate_keys` re-encrypts under the first.
NIK_ENCRYPTION_KEYS = keyring("NIK_ENCRYPTION_KEYS", "NIK_ENCRYPTION_KEY", DEMO_NIK_ENCRYPTION_KEY)
# The audit trail's links are HMAC-SHA256 under this key (audit/trail.py): whoever holds the
# database but not the key cannot hash a rewritten history again. Newest first: the first
# keys new links, every listed id verifies the links that name it, so keep every id the trail
# has used (rotating: README, Production stack). Kept outside the database, like the NIK keys.
AUDIT_KEYS = keyring("AUDIT_KEYS", "AUDIT_KEY", DEMO_AUDIT_KEY)
# Anchors outside the database (audit/anchors.py): every committed event appends its chain,
# position and head to this file, opened O_APPEND (deploy/: a root-owned directory and
# `chattr +a`, so the application can add lines and never change one). `audit_verify` holds
# the trail against it. Empty: no anchor file (refused in production).
AUDIT_ANCHOR_FILE = env_str("AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.log"))
for _id, _secret in NIK_ENCRYPTION_KEYS:
    try:
        _length = len(base64.b64decode(_secret, validate=True))
    except ValueError:
        _length = 0
    if _length != 32:
        raise ImproperlyConfigured(
            f"NIK encryption key {_id!r} must be 32 random bytes, base64-encoded (AES-256)"
        )

# Off unless asked for (DJANGO_DEBUG=1 on a developer's machine): the demo, like production,
# shows the Indonesian 404/500 pages, never Django's English debug page with every URL and an
# intake crash's local variables.
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

if PRODUCTION:
    demo = [
        name
        for name, value, demo_value in (
            ("DJANGO_SECRET_KEY", [SECRET_KEY], DEMO_SECRET_KEY),
            ("NIK_HMAC_KEY(S)", [s for _i, s in NIK_HMAC_KEYS], DEMO_NIK_HMAC_KEY),
            (
                "NIK_ENCRYPTION_KEY(S)",
                [s for _i, s in NIK_ENCRYPTION_KEYS],
                DEMO_NIK_ENCRYPTION_KEY,
            ),
            ("AUDIT_KEY(S)", [s for _i, s in AUDIT_KEYS], DEMO_AUDIT_KEY),
        )
        if demo_value in value
    ]
    if demo:
        raise ImproperlyConfigured("Production refuses the demo secrets; set: " + ", ".join(demo))
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production")
    # Production is PostgreSQL with real workers: never the laptop default by accident.
    missing = [
        n for n in ("DATABASE_URL", "CELERY_BROKER_URL", "AUDIT_ANCHOR_FILE") if not env_str(n)
    ]
    if missing:
        raise ImproperlyConfigured("Production needs: " + ", ".join(missing))
    if any(len(secret.encode()) < 32 for _i, secret in NIK_HMAC_KEYS):
        raise ImproperlyConfigured("Every NIK HMAC key must be at least 32 bytes")
    if any(len(secret.encode()) < 32 for _i, secret in AUDIT_KEYS):
        raise ImproperlyConfigured("Every AUDIT key must be at least 32 bytes")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters")
    # Long enough is not random enough: 32 zero bytes, "k" 35 times (config/keystrength.py).
    for name, ring in (
        ("DJANGO_SECRET_KEY", [("-", SECRET_KEY.encode())]),
        ("NIK_HMAC_KEY(S)", [(i, s.encode()) for i, s in NIK_HMAC_KEYS]),
        ("NIK_ENCRYPTION_KEY(S)", [(i, base64.b64decode(s)) for i, s in NIK_ENCRYPTION_KEYS]),
        ("AUDIT_KEY(S)", [(i, s.encode()) for i, s in AUDIT_KEYS]),
    ):
        for _id, _secret in ring:
            if _weakness := key_weakness(_secret):
                raise ImproperlyConfigured(
                    f"{name} key {_id!r} has too little entropy ({_weakness}): draw it at "
                    "random (deploy/pilkada.env.example says how)"
                )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",  # the API's query filters; its templates draw them in the browsable API
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here, not from a CDN
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "audit",
    "keys",
    "files",
    "electorate",
    "staff",
    "candidates",
    "verification",
    "fieldwork",
    "objections",
    "decisions",
    "documents",
    "notifications",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a body (CSRF's check reads the form): each page's own body limit.
    "config.bodylimit.RequestBodyLimitMiddleware",
    "config.middleware.QueryNulMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.otp.OtpRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fieldwork.offline.OfflineCopiesMiddleware",  # the field pages' offline copies, per session
    "config.middleware.UploadTooLargeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a lockout into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh clone has no ./var yet: the embedded default must work out of the box.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the page read while an import writes; a generous timeout rides out the lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 60,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Reads on a PostgreSQL streaming replica (issue 22 item 3; docs/deployment.md): the "replica"
# alias only with DATABASE_REPLICA_URL; views say what reads it (replica.scope). The router is
# installed always (it refuses a write inside a replica scope, replica or not); a client whose
# request wrote reads the primary for DATABASE_REPLICA_PIN_SECONDS (config/dbrouter.py).
DATABASE_ROUTERS = ["config.dbrouter.ReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 5, minimum=0)
if _replica_url := env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "config.dbrouter.ReplicaPinMiddleware",
)

# django-axes before the password check: it refuses a locked-out username and address before the
# password is even checked, on /masuk/, /admin/ and anything else that signs in.
# (A NUL in a username never reaches the database: the sign-in forms refuse it as a field
# error, and no other door takes a password since HTTP Basic is off.)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout (staff/lockout.py): failed sign-ins within the cool-off, each counted thing
# with its own limit. One username from one address (an IPv6 address counts as its /64:
# staff.clients.client_network) is locked after AXES_FAILURE_LIMIT; one username from
# everywhere after AXES_USERNAME_FAILURE_LIMIT, so that 20 addresses guessing 4 times each are
# stopped too (at most 40 guesses an hour at one account: OWASP ASVS 2.2.1 asks for under 100),
# while an officer's own typos lock out only their own address. Every lock ends after
# AXES_COOLOFF_MINUTES; a failure during it starts it again, so that keeping an officer locked
# out keeps costing the guesser guesses. Every attempt is also in the audit trail.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 20, minimum=1)
SIGNIN_LOCKOUTS = (  # (what is counted, failures allowed)
    (("username", "ip_address"), AXES_FAILURE_LIMIT),
    (("username",), AXES_USERNAME_FAILURE_LIMIT),
)
AXES_LOCKOUT_PARAMETERS = [list(counted) for counted, _limit in SIGNIN_LOCKOUTS]
AXES_HANDLER = "staff.lockout.LockoutHandler"
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_CLIENT_IP_CALLABLE = "staff.clients.client_network"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail already
# Sessions last a working day, not Django's two weeks; closed with the browser in production.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = PRODUCTION
# One-time passwords (django-otp, TOTP): KPU and Bawaslu accounts whose area holds an election
# that requires them (Election.require_otp) enter a code from their phone after the password.
OTP_TOTP_ISSUER = "Verifikasi Dukungan Pilkada"
# Setting the phone up needs a one-time enrollment code from an administrator, not the password
# alone (portal/enrollment.py); a code not used within this many hours is void.
OTP_ENROLLMENT_HOURS = env_int("OTP_ENROLLMENT_HOURS", 48, minimum=1)
# Content-Security-Policy (django-csp): scripts only from our own static files, no inline
# script or event handler anywhere; styles may carry inline attributes (no script runs there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Always Indonesian, whatever the browser asks for: the users' language, and one number format
# (618.968) on every screen and printout. No LocaleMiddleware for that reason.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production WhiteNoise serves straight from the app folders (no collectstatic needed
# for `make demo`, DEBUG off); production serves the collected, hashed files.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION  # the stylesheet; htmx comes with django-htmx
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
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

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
# Task results are not kept: every task writes its outcome to the database (upload, run, sheet
# rows), which is what pages read; a result backend would only hold copies in Redis.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Without a broker the tasks run in-process: the embedded default for a laptop demo. Never in
# production: there a file is read by a worker, not in the web request that received it.
CELERY_TASK_ALWAYS_EAGER = not PRODUCTION and env_bool(
    "CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL is None
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task after this long: longer than the longest task, so a
# slow verification is not started twice (if it were, its claims make the second one a no-op).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 7200, minimum=1)
}
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_TIMEZONE = TIME_ZONE
# A queue per kind of work, each with workers of its own (deploy/), so that a long job never
# waits in front of a short one of another kind: a 10-minute roll import delays no
# verification, and a PPS's typed-up sheet (seconds of work) waits behind no import or export.
# A worker started without -Q takes every queue (one machine, `make worker`); with
# `-Q verification` only that one. Routed by task name; "documents.*" holds the minutes' tasks
# once the PDFs are made in the background. The embedded default (no broker) runs every task
# in-process, queues or not.
WORKER_QUEUES = ("imports", "verification", "exports", "documents", "default")
CELERY_TASK_QUEUES = {name: {"exchange": name, "routing_key": name} for name in WORKER_QUEUES}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "electorate.roll_import": {"queue": "imports"},
    "candidates.support_upload": {"queue": "imports"},
    "verification.run": {"queue": "verification"},
    "verification.export": {"queue": "exports"},
    "documents.*": {"queue": "documents"},
    # fieldwork.sheet and anything unnamed here: "default".
}

# Leased jobs (jobs/): a running job whose heartbeat is older than its kind's lease lost its
# worker and is taken over by the next claim. One table, one variable to override any kind:
# JOB_LEASE_SECONDS="upload=600,export=300,verification_chunk=3900".
# - upload: an import beats at its claim and every 50,000 rows (seconds apart);
# - export: a results export beats every 20,000 rows (about a second);
# - verification_chunk: a chunk is one long statement and cannot beat, so its lease must exceed
#   CELERY_TASK_TIME_LIMIT (a chunk still running is never handed to a second worker): a
#   system check (verification/checks.py) refuses to start otherwise.
JOB_LEASE_SECONDS = env_int_map(
    "JOB_LEASE_SECONDS", {"upload": 600, "export": 300, "verification_chunk": 65 * 60}
)
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
# Retention (`manage.py retention_purge`): this many days after the last decision of an
# election, the encrypted files of its uploads (support lists, PPS sheets, objection
# statements, the DPT) are deleted; rows, SHA-256s and counts stay.
RETENTION_DAYS_AFTER_DECISION = env_int("RETENTION_DAYS_AFTER_DECISION", 180, minimum=0)
# Exports of the verification results (verification/exports.py): written by a task, kept
# encrypted, downloadable by whoever asked for this many hours after they are ready; then the
# link answers 410 and `retention_purge` deletes the file. A running export silent (no
# progress written) for its lease (JOB_LEASE_SECONDS) is taken over when asked again.
EXPORT_LINK_HOURS = env_int("EXPORT_LINK_HOURS", 24, minimum=1)
# Load an empty roll through two COPY connections (electorate/roll_import.py): on 2 cores,
# 158k-180k rows/s instead of 122k, at the price of two transactions instead of one.
ROLL_IMPORT_PARALLEL_COPY = env_bool("ROLL_IMPORT_PARALLEL_COPY", True)

# Administrative verification (verification/engine/). Supporters per chunk: one chunk reads the
# roll once, so chunks are large (DKI's 840,640 supporters are one chunk).
VERIFICATION_CHUNK_SIZE = env_int("VERIFICATION_CHUNK_SIZE", 1_000_000, minimum=1)
# Database sessions that work one run's chunks side by side (threads of the worker): one
# INSERT .. SELECT uses one core, so on 2 cores 2 sessions each write half the results.
VERIFICATION_SESSIONS = env_int("VERIFICATION_SESSIONS", 2, minimum=1)
# The most database cores one verification run keeps busy (0: no cap, VERIFICATION_SESSIONS
# sessions with parallel query as the server allows). 1 during the field days when the web
# shares the database server: one session, no parallel query, no side sessions, so that the
# officers' entries keep the other cores (make bench-load measures both).
VERIFICATION_CORES = env_int("VERIFICATION_CORES", 0, minimum=0)
if VERIFICATION_CORES > 0 and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Every query of this process (the run's recap and red flags too), not only the run's
    # own transactions (verification/engine/backends.py sets it there as well).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={VERIFICATION_CORES - 1}"
    )
# work_mem for a chunk's transaction on PostgreSQL: the default 4MB spills the roll join to disk.
VERIFICATION_PG_WORK_MEM = env_str("VERIFICATION_PG_WORK_MEM", "256MB")
# Red flags (verification/redflags.py); they change no outcome.
VERIFICATION_RED_FLAGS = {
    # Share of an area's roll listed as supporters: the statewide threshold is 6.5-10%, so a
    # kab/kota above 25% or a kelurahan above 40% is far beyond any organic campaign.
    "share_kabkota": 0.25,
    "share_kelurahan": 0.40,
    "share_min_supporters": 50,  # ignore tiny kelurahan where a few people make a big share
    "address_min": 15,  # a household rarely has more than 15 voters
    "serial_run_min": 10,  # consecutive serials with the same region and birth date
    "limit": 200,  # per kind, worst first
}

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

# Notifications by e-mail (notifications/): Django's e-mail framework, sent by a task on the
# "default" queue. The demo prints them on the console; production names its SMTP relay.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Verifikasi Dukungan <noreply@localhost>")
# Berita Acara (documents/): the absolute address printed as a QR code on every PDF of minutes,
# where anyone checks a presented PDF (/berita-acara/<code>/). Set it to the public site. The
# demo's default follows the port served: make passes PORT (`make demo PORT=8001`) to demo-data,
# which issues the demo's minutes, and to serve. Production has no default (refused below).
_demo_port = 8000 if PRODUCTION else env_int("PORT", 8000, minimum=1)
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", f"http://127.0.0.1:{_demo_port}").rstrip("/")
if PRODUCTION:
    # A QR code that leads to a laptop cannot be followed by anyone holding the paper.
    _public = urlparse(PUBLIC_BASE_URL)
    if _public.scheme != "https" or _public.hostname in (None, "localhost", "127.0.0.1", "::1"):
        raise ImproperlyConfigured(
            "PUBLIC_BASE_URL must be the public https address of the site (the minutes' QR code)"
        )
# The largest PDF the public verification page accepts: minutes run to a few pages (~100 KB).
MINUTES_VERIFY_MAX_BYTES = env_int("MINUTES_VERIFY_MAX_BYTES", 10 * 1024**2, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Sessions only: no password travels with each API call (HTTP Basic is refused), so
        # the sign-in lockout and one-time passwords cannot be gone around through the API.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "Verifikasi Dukungan Calon Perseorangan",
    "DESCRIPTION": "API untuk unggah daftar dukungan, verifikasi, dan rekapitulasi Pilkada.",
    "VERSION": "0.1.0",
    # The schema and its pages only for those signed in: the API's shape is not public.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per task run is noise on a console running tasks in-process.
    "loggers": {
        "celery.app.trace": {"level": "WARNING"},
        # Sign-ins are in the audit trail; axes' own lines would repeat them on the console.
        "axes": {"level": "WARNING"},
        # WeasyPrint (the minutes' PDFs) reports every layout step and font subset at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
