"""The citizens' check with and without a streaming replica, under a verification run:
python -m bench.check --replica [--scale 0.05] (issue 22 item 3).

Starts a throwaway PostgreSQL 15 primary (bench.pgcluster: a free local port, a temporary
directory, Debian's default shared_buffers of 128 MB and fsync on; the machine's own PostgreSQL
is not touched), builds the DKI benchmark database in it at --scale (python -m bench.run
--keep), then makes a hot standby of it by pg_basebackup -R. Two rounds of the same load follow,
each with one verification of the list's pair running again and again on the primary (a spawned
process, as bench.run runs it) for the whole round:

1. "primary": gunicorn without DATABASE_REPLICA_URL, every read on the primary;
2. "replica": gunicorn with DATABASE_REPLICA_URL pointing at the standby, the check's reads
   there (config/dbrouter.py), the verification's writes on the primary.

Each round: the check's counters cleared, the answers checked against the lookup in this
process, 5 s of warm-up, then wrk for --duration s. Prints per round lookups/s, p50/p95/p99 and
the verification runs that ended during it with their seconds, and the standby's replay lag
sampled every 100 ms in the second round; figures go to bench/last-check-replica.json. Both
clusters are stopped and removed at the end. On one machine the standby shares the primary's
cores and disk: what it takes off the primary is the lookups' buffer reads and connections,
not CPU.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import statistics
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from bench import check
from bench.environment import BENCH_DIR, django_setup
from bench.pgcluster import Clusters, tools_present
from bench.server import process_stop


def _verify_loop(pair_id: int, stop, conn) -> None:
    """Runs in a spawned process: verify the pair again and again until told to stop; sends
    back the seconds of each run that ended."""
    django_setup()
    from bench.verify import verification_run
    from candidates.models import Pair

    pair = Pair.objects.select_related("election").get(pk=pair_id)
    seconds = []
    while not stop.is_set():
        started = time.perf_counter()
        run = verification_run(pair)
        if run.status != "done":
            conn.send({"error": f"run {run.pk} ended {run.status}", "seconds": seconds})
            return
        seconds.append(time.perf_counter() - started)
    conn.send({"error": "", "seconds": seconds})


class VerificationLoop:
    def __init__(self, pair_id: int):
        ctx = multiprocessing.get_context("spawn")
        self.stop = ctx.Event()
        self.parent, child = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_verify_loop, args=(pair_id, self.stop, child))
        self.process.start()
        child.close()

    def finish(self) -> dict:
        self.stop.set()
        try:
            result = self.parent.recv()
        except EOFError:
            result = {"error": "the verification process died", "seconds": []}
        self.process.join()
        return result


class LagSampler(threading.Thread):
    """The standby's replay lag (ms) every 100 ms, read on the primary."""

    def __init__(self, primary_url: str):
        super().__init__(daemon=True)
        self.url, self.samples, self.halt = primary_url, [], threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.halt.is_set():
                row = conn.execute(
                    "SELECT COALESCE(EXTRACT(EPOCH FROM replay_lag), 0) FROM pg_stat_replication"
                ).fetchone()
                if row:
                    self.samples.append(float(row[0]) * 1000)
                time.sleep(0.1)


def _round(args, url: str, replica_url: str | None, bodies, samples, pair_id: int) -> dict:
    check._counters_clear(args.cache_url)
    server = check._gunicorn(args, url, replica_url)
    loop = None
    try:
        right, checked = check._answers_check(args, samples)
        check._wrk(args, bodies, 5)
        time.sleep(2)
        loop = VerificationLoop(pair_id)
        time.sleep(3)  # the first run is under way
        load = check._wrk(args, bodies, args.duration)
    finally:
        verified = loop.finish() if loop else {"error": "not started", "seconds": []}
        process_stop(server)
    return {
        "reads_on": "replica" if replica_url else "primary",
        **check.http_figures(load),
        "answers_right": [right, checked],
        "verification_runs": len(verified["seconds"]),
        "verification_seconds": [round(s, 2) for s in verified["seconds"]],
        "verification_error": verified["error"],
    }


def run(args) -> int:
    if not tools_present():
        raise SystemExit("bench-check --replica: PostgreSQL server binaries (initdb, ...) missing")
    args.work.mkdir(parents=True, exist_ok=True)
    with Clusters("pilkada-check-", shared_buffers="128MB", max_connections=300) as pg:
        primary = pg.primary_start()
        os.environ["DATABASE_URL"] = primary.url()
        print(f"bench-check --replica: primary on port {primary.port}, building {args.database}")
        url = check._prepare(args)
        started = time.perf_counter()
        standby = pg.standby_start()
        backup_s = time.perf_counter() - started
        standby_at = f"postgres@127.0.0.1:{standby.port}"
        replica_url = urlunsplit(urlsplit(url)._replace(netloc=standby_at))
        pg.caught_up(args.database)
        from candidates.models import Pair

        pair_id = Pair.objects.get(name=check.PAIR).pk
        samples = check._samples(args.sample)
        bodies = args.work / "bodies.jsonl"
        check._bodies(samples, bodies)
        from django.db import connections

        connections.close_all()
        rounds = [_round(args, url, None, bodies, samples, pair_id)]
        lag = LagSampler(primary.url(args.database))
        lag.start()
        rounds.append(_round(args, url, replica_url, bodies, samples, pair_id))
        lag.halt.set()
        lag.join()
        size = pg.primary.sql(f"SELECT pg_database_size('{args.database}')")[0][0]
    lags = sorted(lag.samples) or [0.0]
    result = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.uname().machine}, {os.cpu_count()} CPU",
        "scale": args.scale,
        "database_mb": round(size / 2**20),
        "base_backup_s": round(backup_s, 1),
        "server": f"gunicorn -w {args.workers} -k gthread --threads {args.threads}",
        "wrk": f"-t {args.wrk_threads} -c {args.connections} -d {args.duration}s",
        "rounds": rounds,
        "replay_lag_ms": {
            "samples": len(lag.samples),
            "median": statistics.median(lags),
            "p95": lags[min(len(lags) - 1, int(0.95 * len(lags)))],
            "max": lags[-1],
        },
    }
    _report(result)
    (BENCH_DIR / "last-check-replica.json").write_text(json.dumps(result, indent=2) + "\n")
    failed = any(
        r["answers_right"][0] != r["answers_right"][1]
        or r["other_status"]
        or r["socket_errors"]
        or r["verification_error"]
        for r in rounds
    )
    return 1 if failed else 0


def _report(r: dict) -> None:
    print()
    print(
        f"Cek dukungan under a verification run, with and without the replica ({r['machine']}; "
        f"DKI at scale {r['scale']}, {r['database_mb']:,} MB; {r['server']}; wrk {r['wrk']}; "
        f"primary and standby on this machine; base backup {r['base_backup_s']} s; "
        f"{r['started']}):"
    )
    print()
    print("| reads on | lookups | lookups/s | p50 ms | p95 ms | p99 ms | verification runs "
          "ended (median s) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for x in r["rounds"]:
        runs = x["verification_seconds"]
        median = f"{statistics.median(runs):.2f}" if runs else "-"
        print(
            f"| {x['reads_on']} | {x['ok']:,} | {x['per_s']:,.0f} | {x['p50_ms']:.1f} | "
            f"{x['p95_ms']:.1f} | {x['p99_ms']:.1f} | {x['verification_runs']} ({median}) |"
        )
    lag = r["replay_lag_ms"]
    print()
    print(
        f"Replay lag of the standby during the replica round: median {lag['median']:.1f} ms, "
        f"p95 {lag['p95']:.1f} ms, max {lag['max']:.1f} ms ({lag['samples']} samples)"
    )
    for x in r["rounds"]:
        error = f"; {x['verification_error']}" if x["verification_error"] else ""
        print(
            f"{x['reads_on']}: answers right {x['answers_right'][0]}/{x['answers_right'][1]}; "
            f"429: {x['limited_429']:,}; other statuses {x['other_status']}; socket errors "
            f"{x['socket_errors']}{error}"
        )
