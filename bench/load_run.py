"""Field officers posting at once: python -m bench.load_run [--voters 1000000] [--duration 60]

`make bench-load`. On this machine, against PostgreSQL (`pilkada_load`, a database of its own,
built afresh unless --reuse) and Redis (`--broker`, a Redis database of its own):

1. the database (bench/load_build.py): a DKI governor election, a pair in its factual
   verification with a worklist in every kelurahan, a second pair to verify, the accounts;
2. gunicorn (`-w 2 -k gthread --threads 8` for 2 cores: a process per core, threads to
   overlap the waits on PostgreSQL) on a free port, sessions and the cache as in production
   (PostgreSQL, Redis), DEBUG off;
3. a Celery worker (`-Q verification -c 1`, VERIFICATION_CORES from --verification-cores)
   kept busy: the second pair's verification is started again each time it ends, so a
   verification runs through the whole test;
4. locust, headless, bounded in time (bench/load.py): 200 PPS officers and 20 KPU/Bawaslu
   readers sign in through /masuk/, spawned at --spawn-rate users/s; once all are in and
   --settle seconds have passed the statistics start from zero and run for --duration s;
5. during that window, where the time goes (bench/load_profile.py: pg_stat_activity, CPU
   per process group; with --profile also py-spy on the web workers, which slows them);
6. requests/s and p50/p95/p99 per endpoint, errors, the goals (p95 of the form post under
   300 ms, no error), and figures to bench/last-load.json.

Every process started here is stopped here, by its own id.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.environment import (
    ROOT,
    bench_database_url,
    database_drop,
    django_setup,
    environment_prepare,
)
from bench.server import bin_path, gunicorn_start, process_stop

GOAL_P95_MS = 300
ENTRY = "POST /api/verfak/tasks/[id]/records/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def web_start(env: dict, port: int, args, log: Path) -> subprocess.Popen:
    log.write_text("")  # its tracebacks are counted afterwards: this run's only
    return gunicorn_start(
        env=env, port=port, workers=args.web_workers, threads=args.threads, log=log,
        # Connections idle between an officer's requests (2-8 s) stay open, as nginx keeps
        # a phone's (keepalive_timeout 75 s): at gunicorn's default of 2 s the server closed
        # them while the client was reusing them ("connection reset by peer", not the app).
        extra=["--timeout", "120", "--keep-alive", "75"],
    )  # fmt: skip


def worker_start(env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "verification",
             "-c", "1", "-n", "bench-load@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-l", "info"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline:
        if " ready." in log.read_text(errors="replace"):
            return process
        if process.poll() is not None:
            break
        time.sleep(0.3)
    process_stop(process)
    raise SystemExit(f"bench: the worker did not start:\n{log.read_text()[-3000:]}")


class VerificationLoop(threading.Thread):
    """Keeps one verification running in the worker: another starts when one ends."""

    def __init__(self, pair):
        super().__init__(daemon=True)
        self.pair = pair
        self.stop = threading.Event()
        self.done: list[float] = []
        self.error = ""

    def run(self) -> None:
        from django.db import connection

        from verification.engine import run_create
        from verification.models import VerificationRun
        from verification.tasks import verification_task

        try:
            while not self.stop.is_set():
                run = run_create(pair=self.pair)
                started = time.perf_counter()
                verification_task.apply_async(args=[run.pk])
                while not self.stop.is_set():
                    run.refresh_from_db(fields=["status"])
                    if run.status in (VerificationRun.Status.DONE, VerificationRun.Status.FAILED):
                        break
                    time.sleep(0.25)
                if run.status == VerificationRun.Status.DONE:
                    self.done.append(time.perf_counter() - started)
                elif run.status == VerificationRun.Status.FAILED:
                    self.error = f"run {run.pk} failed"
                    return
        finally:
            connection.close()


def locust_start(args, port: int, users_file: Path, work: Path, mark: Path) -> subprocess.Popen:
    users = args.pps + args.readers
    ramp = math.ceil(users / args.spawn_rate)
    # An upper bound only: locust stops itself --duration s after every user has signed in
    # (bench/load.py); sign-in may lag the spawning on a busy machine, hence the margin.
    total = 3 * ramp + args.settle + args.duration + 120
    env = {
        **os.environ,
        "LOAD_USERS": str(users_file),
        "LOAD_SETTLE": str(args.settle),
        "LOAD_DURATION": str(args.duration),
        "LOAD_MARK": str(mark),
        "LOAD_PPS_USERS": str(args.pps),
        "LOAD_READERS": str(args.readers),
        "LOAD_PPS_WAIT": args.pps_wait,
        "LOAD_READER_WAIT": args.reader_wait,
    }
    cmd = [
        bin_path("locust"), "-f", str(ROOT / "bench" / "load.py"), "--headless",
        "-u", str(users), "-r", str(args.spawn_rate), "-t", f"{total}s",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(work / "locust"),
        "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING",
    ]  # fmt: skip
    print(
        f"  locust: {users} users at {args.spawn_rate}/s (~{ramp} s to spawn), all signed in "
        f"+ {args.settle} s, then {args.duration} s measured; at most {total} s in all",
        flush=True,
    )
    log = (work / "locust.log").open("w")
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _ms(text: str) -> float:
    return float(text) if text and text != "N/A" else 0.0


def stats_read(work: Path) -> list[dict]:
    """Per endpoint that was requested in the window, and all together."""
    rows = []
    with (work / "locust_stats.csv").open() as fh:
        for r in csv.DictReader(fh):
            if int(r["Request Count"]) == 0:
                continue  # e.g. the sign-in pages: every sign-in happened before the window
            rows.append({
                "endpoint": r["Name"] if r["Type"] else "all",
                "requests": int(r["Request Count"]),
                "failures": int(r["Failure Count"]),
                "rps": float(r["Requests/s"]),
                "p50": _ms(r["50%"]),
                "p95": _ms(r["95%"]),
                "p99": _ms(r["99%"]),
                "max": _ms(r["Max Response Time"]),
            })  # fmt: skip
    return rows


def failures_read(work: Path) -> list[str]:
    path = work / "locust_failures.csv"
    if not path.exists():
        return []
    with path.open() as fh:
        return [f"{r['Occurrences']}x {r['Method']} {r['Name']}: {r['Error'][:160]}"
                for r in csv.DictReader(fh)]  # fmt: skip


def table(rows: list[dict], args) -> str:
    beside = "no verification running"
    if not args.no_verification:
        cap = args.verification_cores
        beside = "a verification running" + (f" (VERIFICATION_CORES={cap})" if cap else "")
    lines = [
        f"Measured window: {args.duration} s, every user signed in, {beside}; officers "
        f"{args.pps_wait} s between requests.",
        "",
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['endpoint']} | {r['requests']:,} | {r['rps']:.1f} | {r['p50']:.0f} | "
            f"{r['p95']:.0f} | {r['p99']:.0f} | {r['max']:.0f} | {r['failures']} |"
        )
    return "\n".join(lines)


def prepare(args) -> tuple[str, Path]:
    """The database (built, or reused) and the work directory; Django set up on them."""
    work = Path(args.workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    base = os.environ.get("DATABASE_URL", "")
    if args.reuse and base:
        url = bench_database_url(base, args.database)
        os.environ.update(DATABASE_URL=url, MEDIA_ROOT=str(work / "media"))
        os.environ.pop("CELERY_BROKER_URL", None)
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        django_setup()
        from bench.load_build import database_ready

        if database_ready():
            print(f"bench.load: reusing database {args.database}")
            return url, work
        raise SystemExit(f"bench: {args.database} holds no load-test stage: run without --reuse")
    env = environment_prepare(args)
    from bench.load_build import database_build

    print(f"bench.load: database {env.database}, building it ({args.voters:,} voters)")
    database_build(work=env.work, voters=args.voters, verify_share=args.verify_share)
    return env.url, env.work


def run(args: argparse.Namespace) -> int:  # noqa: PLR0915 (the steps, in order)
    url, work = prepare(args)
    from bench.load_build import users_make, verify_pair
    from bench.load_profile import CpuMeter, PgSampler, descendants, pyspy_start
    from config.celery import app

    data = users_make(pps=args.pps, readers=args.readers)
    users_file = work / "load-users.json"
    users_file.write_text(json.dumps(data))
    for stale in [*work.glob("pyspy-*.txt"), *work.glob("locust_*.csv"), work / "window"]:
        stale.unlink(missing_ok=True)
    app.conf.update(broker_url=args.broker, task_always_eager=False)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("verification")
    server_env = {
        **os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": args.broker,
        "CELERY_TASK_ALWAYS_EAGER": "0", "DB_CONN_MAX_AGE": "600", "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING", "MEDIA_ROOT": str(work / "media"), "PGAPPNAME": "pilkada-web",
    }  # fmt: skip
    port = free_port()
    server = worker = locust = None
    loop = None
    sampler = PgSampler(url, args.database)
    try:
        server = web_start(server_env, port, args, work / "gunicorn.log")
        web_pids = descendants(server.pid)
        print(f"  gunicorn on 127.0.0.1:{port}: {args.web_workers} workers x {args.threads} "
              f"threads (pids {web_pids})", flush=True)  # fmt: skip
        if not args.no_verification:
            worker_env = {**server_env, "LOG_LEVEL": "INFO", "PGAPPNAME": "pilkada-verification",
                          "VERIFICATION_CORES": str(args.verification_cores)}  # fmt: skip
            worker = worker_start(worker_env, work / "worker.log")
            loop = VerificationLoop(verify_pair())
            loop.start()
        sampler.start()
        mark = work / "window"
        locust = locust_start(args, port, users_file, work, mark)
        groups = {"gunicorn": server.pid, "locust": locust.pid}
        if worker is not None:
            groups["celery worker"] = worker.pid
        meter = CpuMeter(groups)
        while not mark.exists() and locust.poll() is None:
            time.sleep(0.2)
        if locust.poll() is None:
            print("  measuring", flush=True)
            meter.begin()
            sampler.measuring.set()
            spies = pyspy_start(web_pids, args.duration - 3, work) if args.profile else []
            with contextlib.suppress(subprocess.TimeoutExpired):
                locust.wait(timeout=args.duration - 1)
            meter.end()  # before locust exits: its CPU is read from /proc
            sampler.measuring.clear()
            locust.wait(timeout=120)
            for spy in spies:
                spy.wait(timeout=60)
        else:
            meter = None
    finally:
        if loop is not None:
            loop.stop.set()
            loop.join(timeout=30)
        sampler.stop.set()
        process_stop(locust)
        process_stop(worker, grace=120)
        process_stop(server)
    code = report(args, work, loop, sampler, meter)
    if not args.keep:
        from django.db import connection

        connection.close()
        shutil.rmtree(work / "media", ignore_errors=True)
        database_drop(url, args.database)
    return code


def report(args, work: Path, loop, sampler, meter) -> int:
    from bench.load_profile import pyspy_print, pyspy_summary

    if not (work / "locust_stats.csv").exists():
        print((work / "locust.log").read_text()[-3000:])
        raise SystemExit("bench: locust wrote no statistics")
    rows = stats_read(work)
    failures = failures_read(work)
    print()
    print(table(rows, args))
    entry = next((r for r in rows if r["endpoint"] == ENTRY), None)
    errors = sum(r["failures"] for r in rows if r["endpoint"] == "all")
    ramp = json.loads((work / "window").read_text()) if (work / "window").exists() else {}
    errors += ramp.get("errors", 0)  # failed requests while signing in, before the window
    server_errors = (work / "gunicorn.log").read_text(errors="replace").count("Traceback")
    p95_met = entry is not None and entry["requests"] > 0 and entry["p95"] < GOAL_P95_MS
    clean = errors == 0 and server_errors == 0
    runs = loop.done if loop else []
    print()
    if loop is not None:
        print(f"  verification runs ended during the test (sign-ins included): {len(runs)} "
              f"(each {min(runs, default=0):.1f}-{max(runs, default=0):.1f} s)"
              + (f"; {loop.error}" if loop.error else ""))  # fmt: skip
    print(f"  [{'met' if p95_met else 'MISSED'}] p95 of the form post < {GOAL_P95_MS} ms: "
          f"{entry['p95'] if entry else 0:.0f} ms")  # fmt: skip
    print(f"  [{'met' if clean else 'MISSED'}] no error: {errors} failed requests "
          f"({ramp.get('errors', 0)} of them while signing in: {ramp.get('refused', 0)} "
          f"sign-ins refused of {ramp.get('signed_in', 0)}), {server_errors} server "
          f"tracebacks")  # fmt: skip
    for line in [*ramp.get("what", []), *failures][:10]:
        print(f"    {line}")
    profile = pyspy_summary(work)
    print()
    print("Where the time goes (py-spy on the web workers; pg_stat_activity; /proc):")
    pyspy_print(profile)
    sampler.print()
    if meter is not None:
        meter.print()
    figures = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} CPU",
        "users": {"pps": args.pps, "readers": args.readers},
        "waits": {"pps": args.pps_wait, "readers": args.reader_wait},
        "duration": args.duration,
        "verification_cores": None if args.no_verification else args.verification_cores,
        "gunicorn": {"workers": args.web_workers, "threads": args.threads},
        "endpoints": rows,
        "failures": failures,
        "sign_in": ramp,
        "verification_runs_seconds": [round(s, 2) for s in runs],
        "goals": {"entry_p95_under_300ms": p95_met, "no_error": clean},
        "profile": {
            "pyspy": profile,
            "pg_wait": sampler.report(),
            "cores": meter.result if meter else {},
        },
    }
    Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if clean else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load_run", description=__doc__.split("\n")[0]
    )
    add = parser.add_argument
    add("--voters", type=int, default=1_000_000, help="the roll (DKI's spread)")
    add("--verify-share", type=float, default=0.10, help="the verified pair's list / roll")
    add("--pps", type=int, default=200, help="PPS officers (one kelurahan each)")
    add("--readers", type=int, default=20, help="KPU and Bawaslu readers")
    add("--duration", type=int, default=60, help="seconds measured")
    add("--spawn-rate", type=float, default=4, help="users started per second")
    add("--settle", type=int, default=10, help="seconds after the last user before measuring")
    add("--pps-wait", default="2,8", help="min,max seconds between an officer's requests")
    add("--reader-wait", default="3,10", help="min,max seconds between a reader's requests")
    add("--web-workers", type=int, default=2)
    add("--threads", type=int, default=8)
    add("--no-verification", action="store_true", help="no verification during the test")
    add("--verification-cores", type=int, default=0,
        help="VERIFICATION_CORES of the verification worker (0: no cap; 1: the field days' "
             "setting, deploy/README.md)")  # fmt: skip
    add("--profile", action="store_true",
        help="py-spy on the web workers during the window: where a request's time goes; it "
             "takes CPU from them (post p95 390 -> 670 ms measured), so the figures of a "
             "profiled run are not the goal's")  # fmt: skip
    add("--broker", default="redis://127.0.0.1:6379/12")
    add("--database", default="pilkada_load")
    add("--reuse", action="store_true", help="reuse the database an earlier run built")
    add("--keep", action="store_true", help="keep the database for --reuse")
    add("--workdir", default=str(ROOT / "var" / "bench-load"))
    add("--json", default=str(ROOT / "bench" / "last-load.json"))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
