"""A private PostgreSQL cluster and a private Redis for the fault tests: started on free ports
in a temporary directory, restarted or killed on purpose, stopped and removed afterwards. The
shared servers on 5432 and 6379 are never touched.

PostgreSQL refuses to run as root: as root (CI, this machine) the cluster belongs to the
`postgres` user and every pg_ctl runs through `runuser`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port(preferred: int) -> int:
    """`preferred` if nothing listens there, else a port the kernel picks."""
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


def pg_bin() -> Path | None:
    if (PG_BIN / "initdb").exists():
        return PG_BIN
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


class PrivatePostgres:
    def __init__(self, bin_dir: Path, root: Path, port: int):
        self.bin = bin_dir
        self.root = root
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.port = port
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [*(["runuser", "-u", "postgres", "--"] if self.as_postgres else []), *args]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-sync", "--locale=C.UTF-8",
        )  # fmt: skip
        # The server is restarted or killed, never the machine: what was written reaches the
        # disk through the page cache, so fsync is not needed; a commit still waits for its
        # WAL write (synchronous_commit stays on), so an acknowledged commit survives a crash.
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\n"
                "full_page_writes = off\nmax_connections = 50\n"
            )

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
            "-t", "60", *args, check=check,
        )  # fmt: skip

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self, mode: str, *, down: float) -> float:
        """Stop with -m fast (clients cut off, a clean shutdown) or -m immediate (every process
        killed, crash recovery on start), stay down for `down` seconds (a failover's pause, so
        that the jobs meet a server that is not there), start again. Returns the seconds the
        server was away."""
        started = time.monotonic()
        self.pg_ctl("stop", "-m", mode)
        time.sleep(down)
        self.pg_ctl("start")
        return time.monotonic() - started

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "immediate", check=False)

    def sql(self, database: str, query: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=10) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def database_copy(self, template: str, name: str) -> None:
        self.sql("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        # The copy's sequences carry the template's pre-logged values without a WAL record
        # of their own: a crash before the next checkpoint would rewind them (a duplicate id
        # after `restart -m immediate`). A checkpoint makes the next nextval log again.
        self.sql("postgres", "CHECKPOINT")


class PrivateRedis:
    def __init__(self, root: Path, port: int):
        self.root = root
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.root)],
            stdout=(self.root / "redis.log").open("a"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not self.ping():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError((self.root / "redis.log").read_text()[-2000:])
            time.sleep(0.05)

    def ping(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), 1) as s,
        ):
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    def kill(self) -> None:
        """SIGKILL: whatever the server held (queued and unacknowledged messages) is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)


@contextlib.contextmanager
def private_services() -> Iterator[tuple[PrivatePostgres, PrivateRedis]]:
    """Both servers up for the duration of the block; stopped and their directory removed
    afterwards, whatever happened inside."""
    bin_dir = pg_bin()
    if bin_dir is None or shutil.which("redis-server") is None:
        raise FileNotFoundError("PostgreSQL server binaries or redis-server not installed")
    root = Path(tempfile.mkdtemp(prefix="pilkada-faults-"))
    postgres = PrivatePostgres(bin_dir, root / "pg", free_port(55432))
    redis = PrivateRedis(root, free_port(56379))
    try:
        postgres.root.mkdir()
        if postgres.as_postgres:
            shutil.chown(root, user="postgres")
            shutil.chown(postgres.root, user="postgres")
        postgres.initdb()
        postgres.start()
        redis.start()
        yield postgres, redis
    finally:
        redis.kill()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)
