"""The processes a benchmark starts beside itself: gunicorn serving the project, and how any of
them (gunicorn, a Celery worker, locust) is stopped. Used by pages.py, check.py, load_run.py."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from bench.environment import ROOT


def bin_path(name: str) -> str:
    """A console script of this virtualenv (gunicorn, locust), else whatever PATH has."""
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def process_stop(process: subprocess.Popen | None, grace: float = 30) -> None:
    """SIGTERM to the process itself (gunicorn, a Celery worker: a warm shutdown that lets the
    task at hand finish, not one that kills its pool child mid-run), then the whole group."""
    if process is None or process.poll() is not None:
        return
    try:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def gunicorn_start(
    *,
    env: dict,
    port: int,
    workers: int,
    threads: int,
    log: Path,
    probe: str = "/masuk/",
    extra: Sequence[str] = (),
    wait: float = 60,
) -> subprocess.Popen:
    """`gunicorn config.wsgi` (gthread) on 127.0.0.1:`port`, its output appended to `log`;
    returned once `probe` answers, else stopped and the log's tail raised."""
    cmd = [
        bin_path("gunicorn"), "config.wsgi", "-w", str(workers), "-k", "gthread",
        "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning", *extra,
    ]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=5)
            return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # still starting
            time.sleep(0.3)
    process_stop(process)
    raise SystemExit(
        f"bench: gunicorn did not answer within {wait:.0f} s:\n{log.read_text()[-3000:]}"
    )
