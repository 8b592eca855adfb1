"""Where the time goes during the load test's measured window, three ways, none of which
touches the shared PostgreSQL server's configuration (pg_stat_statements would need
shared_preload_libraries and a restart of a server others are using):

- with --profile, py-spy on every gunicorn worker (sampling, --nonblocking: the workers are
  never paused, but unwinding 16 threads 50 times a second takes CPU from them: the post's
  p95 went from 390 to 670 ms; --idle: a thread waiting on PostgreSQL or Redis counts too).
  Only samples of a thread inside a request (Django's WSGI handler on its stack) count: each
  is put in the first category its stack shows, per endpoint. A request's wall time, split.
- pg_stat_activity sampled every 0.2 s for the test's database: what its active sessions wait
  on (CPU when nothing; for a lock, on which table), the web's and the verification's apart
  (PGAPPNAME=pilkada-web / pilkada-verification in their environments).
- CPU seconds per process group (/proc): gunicorn, the Celery worker, locust, the rest of the
  machine (PostgreSQL, and whatever else runs on it).
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

# First match wins: a sample under psycopg is SQL, whatever called it.
CATEGORIES = (
    ("SQL (psycopg: PostgreSQL working or waiting)", ("psycopg/", "psycopg_binary")),
    ("password hashing (sign-in)", ("hashers.py",)),
    ("Redis (cache, rate limits)", ("redis/",)),
    ("templates (rendering)", ("django/template/",)),
    ("ORM (building queries, making objects)", ("django/db/models/",)),
    ("DRF (parsing, validating, serialising)", ("rest_framework/",)),
    ("sessions, auth, CSRF, other middleware", ("django/contrib/", "django/middleware/", "csp/")),
    ("our code (fieldwork, verification, ...)", ("/fieldwork/", "/verification/",
                                                 "/candidates/", "/electorate/", "/audit/")),
)  # fmt: skip
ENDPOINTS = (
    ("POST entry (API)", "fieldwork/api.py"),
    ("worklist", "views.py:worklist"),
    ("recap", "views.py:recap_page"),
    ("verfak page", "views.py:pair_page"),
    ("sign-in", "auth/views.py"),
)
FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?):\d+\)$")
CLK = os.sysconf("SC_CLK_TCK")


def _frames(stack: str) -> list[tuple[str, str]]:
    out = []
    for frame in stack.split(";"):
        m = FRAME.match(frame.strip())
        if m:
            out.append((m["func"], m["file"]))
    return out


def _endpoint(frames: list[tuple[str, str]]) -> str:
    for name, marker in ENDPOINTS:
        if ":" in marker:
            file, func = marker.split(":")
            if any(f.endswith(file) and fn == func for fn, f in frames):
                return name
        elif any(f.endswith(marker) for _fn, f in frames):
            return name
    return "middleware, before or after a view"


def _category(frames: list[tuple[str, str]]) -> str:
    files = [f for _fn, f in frames]
    for name, markers in CATEGORIES:
        if any(m in f for f in files for m in markers):
            return name
    return "Django and Python, the rest"


def pyspy_start(pids: list[int], seconds: float, work: Path) -> list[subprocess.Popen]:
    binary = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if binary is None:
        print("  (py-spy not installed: no profile of the web workers)")
        return []
    procs = []
    for pid in pids:
        procs.append(
            subprocess.Popen(
                [
                    binary,
                    "record",
                    "--pid",
                    str(pid),
                    "--idle",
                    "--nonblocking",
                    "--rate",
                    "50",
                    "--duration",
                    str(max(1, int(seconds))),
                    "--format",
                    "raw",
                    "--output",
                    str(work / f"pyspy-{pid}.txt"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        )
    return procs


def pyspy_summary(work: Path) -> dict[str, dict[str, int]]:
    """{endpoint: {category: samples}} over every worker's file."""
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for path in work.glob("pyspy-*.txt"):
        for line in path.read_text(errors="replace").splitlines():
            stack, _sep, count = line.rpartition(" ")
            if not count.isdigit() or "handlers/wsgi.py" not in stack:
                continue  # a thread waiting for a request, or gunicorn's own loop
            frames = _frames(stack)
            table[_endpoint(frames)][_category(frames)] += int(count)
    return {k: dict(v) for k, v in table.items()}


def pyspy_print(summary: dict[str, dict[str, int]]) -> None:
    if not summary:
        print("  py-spy: not run (--profile runs it)")
        return
    print("  Where a request's time goes (py-spy samples of the web threads inside a request):")
    for endpoint, cats in sorted(summary.items(), key=lambda kv: -sum(kv[1].values())):
        total = sum(cats.values())
        parts = ", ".join(
            f"{name} {100 * n / total:.0f}%"
            for name, n in sorted(cats.items(), key=lambda kv: -kv[1])
            if n / total >= 0.03
        )
        print(f"    {endpoint} ({total:,} samples): {parts}")


# What each active session of the database waits on; for a lock, on which table (a row lock
# shows as the table of the row, or as the transaction holding it).
SAMPLE = """
SELECT coalesce(a.wait_event_type || ':' || a.wait_event, 'CPU'), a.application_name,
       (SELECT string_agg(DISTINCT coalesce(l.relation::regclass::text, l.locktype), ',')
          FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted)
  FROM pg_stat_activity a
 WHERE a.datname = %s AND a.state = 'active' AND a.pid <> pg_backend_pid()
"""


class PgSampler(threading.Thread):
    """Active sessions of one database, every 0.2 s: (kind, wait) -> samples."""

    def __init__(self, url: str, database: str):
        super().__init__(daemon=True)
        self.url, self.database = url, database
        self.counts: collections.Counter = collections.Counter()
        self.samples = 0
        self.stop = threading.Event()
        self.measuring = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                if self.measuring.is_set():
                    rows = conn.execute(SAMPLE, [self.database]).fetchall()
                    self.samples += 1
                    for wait, app, on in rows:
                        kind = app.removeprefix("pilkada-") or "other"
                        self.counts[(kind, f"{wait} on {on}" if on else wait)] += 1
                time.sleep(0.2)

    def report(self) -> dict:
        out: dict[str, dict[str, float]] = collections.defaultdict(dict)
        for (kind, wait), n in self.counts.most_common():
            out[kind][wait] = round(n / max(1, self.samples), 2)
        return dict(out)

    def print(self) -> None:
        print("  PostgreSQL (pg_stat_activity every 0.2 s): active sessions on average, by wait:")
        for kind, waits in self.report().items():
            parts = ", ".join(f"{w} {n:.2f}" for w, n in list(waits.items())[:8])
            print(f"    {kind}: {parts}")


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / CLK


def _machine() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLK


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        out += [int(c) for c in children]
        todo += [int(c) for c in children]
    return out


class CpuMeter:
    """CPU seconds of process groups (a group: a root pid and its descendants) over a window."""

    def __init__(self, groups: dict[str, int]):
        self.groups = groups
        self.start: dict[str, float] = {}
        self.busy0 = 0.0
        self.t0 = 0.0
        self.result: dict[str, float] = {}

    def _sample(self) -> dict[str, float]:
        return {
            name: sum(_cpu_of(p) for p in [root, *descendants(root)])
            for name, root in self.groups.items()
        }

    def begin(self) -> None:
        self.start, self.busy0, self.t0 = self._sample(), _machine(), time.perf_counter()

    def end(self) -> None:
        now, busy, seconds = self._sample(), _machine(), time.perf_counter() - self.t0
        cores = os.cpu_count() or 1
        used = {k: now[k] - self.start.get(k, 0.0) for k in now}
        used["rest of the machine (PostgreSQL, other work)"] = max(
            0.0, busy - self.busy0 - sum(used.values())
        )
        self.result = {k: round(v / seconds, 2) for k, v in used.items()}
        self.result["idle"] = round(cores - (busy - self.busy0) / seconds, 2)

    def print(self) -> None:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in self.result.items())
        print(f"  Cores in use on average over the window ({os.cpu_count()} in all): {parts}")
