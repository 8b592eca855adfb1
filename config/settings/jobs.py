"""Celery and its queues, the leased jobs, retention and exports, and the administrative
verification's chunks, sessions and cores."""

from __future__ import annotations

from config.env import env_bool, env_int, env_int_map, env_str
from config.settings.base import PRODUCTION, TIME_ZONE
from config.settings.databases import DATABASES

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
