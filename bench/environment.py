"""Where the benchmark runs: a PostgreSQL database and a work directory of its own, Django on them.

The database is named on the command line (`pilkada_bench` by default) on the server DATABASE_URL
points at; it is dropped and created afresh, so that two people benchmarking on one server pick
two names. Nothing here imports Django at module level: the spawned verification child imports
this module before Django is set up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


@dataclass(frozen=True)
class Environment:
    url: str  # DATABASE_URL of the bench database
    database: str
    work: Path  # the generated files and MEDIA_ROOT


def bench_database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("bench: DATABASE_URL harus PostgreSQL (postgres://...)")
    return urlunsplit(parts._replace(path="/" + name))


def database_recreate(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def environment_prepare(args: argparse.Namespace) -> Environment:
    """A fresh database and work directory, the process environment pointed at them, Django up."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit(
            "bench: set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/x"
        )
    bench_url = bench_database_url(url, args.database)
    work = Path(args.workdir or ROOT / "var" / "bench").resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    database_recreate(bench_url, args.database)
    os.environ["DATABASE_URL"] = bench_url
    os.environ["MEDIA_ROOT"] = str(work / "media")
    # Without a broker, tasks run in this process: the phases time the work, not a queue.
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the figures, not every task's log line
    django_setup()
    return Environment(url=bench_url, database=args.database, work=work)


def environment_cleanup(env: Environment, *, keep: bool) -> None:
    """Close our connection; unless asked to keep them, drop the database and the files."""
    from django.db import connection

    connection.close()
    if not keep:
        shutil.rmtree(env.work, ignore_errors=True)
        database_drop(env.url, env.database)
