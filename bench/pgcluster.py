"""A throwaway PostgreSQL primary and a hot standby made from it by pg_basebackup -R, each on a
free local port in a temporary directory (run as the postgres OS user when started as root; the
machine's own PostgreSQL on 5432 is not touched). Used by the replica tests
(tests/test_replica.py), `python -m bench.replica_lag` and `python -m bench.check --replica`:

    with Clusters("pilkada-x-", max_connections=40) as pg:
        pg.primary_start()           # initdb + start
        pg.primary.sql("CREATE DATABASE ...")
        pg.standby_start()           # pg_basebackup -R -X stream from the primary + start
        pg.caught_up("dbname")       # wait until the standby replayed what the primary wrote

Leaving the block stops both clusters and removes the directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
TOOLS = ("initdb", "pg_ctl", "pg_basebackup")


def tools_present() -> bool:
    return all((PG_BIN / tool).exists() for tool in TOOLS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_as_postgres(*args, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a PostgreSQL tool, as the postgres OS user when this process is root (the server
    refuses to run as root)."""
    command = [str(a) for a in args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, timeout=timeout, cwd=cwd)


class Cluster:
    """One data directory with its port, its log and the settings appended to its conf."""

    def __init__(self, root: Path, name: str, settings: dict[str, str]):
        self.root, self.name = root, name
        self.dir, self.log = root / name, root / f"{name}.log"
        self.port = free_port()
        self.settings = settings

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *args, timeout: int = 600) -> subprocess.CompletedProcess:
        return run_as_postgres(*args, cwd=self.root, timeout=timeout)

    def configure(self) -> None:
        """Its own port and socket directory (a standby's copied conf says the primary's)."""
        lines = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "hot_standby": "on",
            **self.settings,
        }
        with (self.dir / "postgresql.conf").open("a") as conf:
            conf.write("\n" + "".join(f"{k} = {v}\n" for k, v in lines.items()))

    def start(self) -> None:
        self.run(PG_BIN / "pg_ctl", "-D", self.dir, "-l", self.log, "-w", "-t", "120", "start")

    def stop(self) -> None:
        self.run(PG_BIN / "pg_ctl", "-D", self.dir, "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.dir / "postmaster.pid").exists()

    def sql(self, query: str, db: str = "postgres") -> list[tuple]:
        with psycopg.connect(self.url(db), autocommit=True) as conn:
            cursor = conn.execute(query)
            return cursor.fetchall() if cursor.description else []


class Clusters:
    """The primary and its standby under one temporary directory. `settings` go into both
    confs (PostgreSQL's spelling: shared_buffers="128MB"); `fast` skips the syncs (tests)."""

    def __init__(self, prefix: str, *, fast: bool = False, **settings: str | int):
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.fast = fast
        conf = {k: str(v) for k, v in settings.items()}
        if fast:
            conf.setdefault("fsync", "off")
        self.primary = Cluster(self.root, "primary", conf)
        self.standby = Cluster(self.root, "standby", conf)

    def primary_start(self) -> Cluster:
        nosync = ["--no-sync"] if self.fast else []
        self.primary.run(PG_BIN / "initdb", "-D", self.primary.dir, "-U", "postgres",
                         "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", *nosync)  # fmt: skip
        self.primary.configure()
        self.primary.start()
        return self.primary

    def standby_start(self) -> Cluster:
        nosync = ["--no-sync"] if self.fast else []
        self.primary.run(PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", self.primary.port,
                         "-U", "postgres", "-D", self.standby.dir, "-R", "-X", "stream",
                         "-c", "fast", *nosync, timeout=3600)  # fmt: skip
        self.standby.configure()
        self.standby.start()
        return self.standby

    def caught_up(self, db: str = "postgres", timeout: float = 60) -> float:
        """Wait until the standby has replayed everything the primary wrote; seconds waited."""
        target = self.primary.sql("SELECT pg_current_wal_lsn()")[0][0]
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            query = f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
            if self.standby.sql(query, db=db)[0][0]:
                return time.monotonic() - started
            time.sleep(0.02)
        raise AssertionError("the standby did not catch up")

    def close(self) -> None:
        for cluster in (self.standby, self.primary):
            if cluster.running():
                with contextlib.suppress(subprocess.SubprocessError):
                    cluster.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Clusters:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
