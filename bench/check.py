"""The citizens' check under load: python -m bench.check [--duration 30] [--connections 96]

On the DKI benchmark database (`pilkada_bench`, made by `python -m bench.run --keep` when it
is missing: 8.25M voters, 840,640 supporters; `--scale 0.05 --database <name>` builds and uses
a smaller one, 5% of DKI, in minutes instead of the better part of an hour), through the real
HTTP stack: gunicorn (gthread workers) + PostgreSQL, the limits and caps on with their counts
in Redis (objections.limits: one Lua script a request), the response floor on. wrk (Debian's
package) POSTs real NIKs with their names: a quarter listed with their birth date, a quarter
with a wrong birth date, a quarter with a wrong name, a quarter not listed (other serials of
the listed people's prefixes), each from a random client address behind one trusted proxy.
The check's counters in that Redis database are cleared first, so every run starts from fresh
caps. Beside it, in the same run: the bare indexed lookup (one SELECT by nik_hash on one
connection), the lookup without HTTP (objections.lookup), and the gate (limits and caps, one
Redis round trip) + the lookup without HTTP.

Prints lookups/s and p50/p95/p99 with the goals (>= 500/s, p95 < 100 ms), and how many answers
the caps withheld; figures go to bench/last-check.json. Exits non-zero if an answer was wrong
(a sample is checked against the lookup in this process) or the server failed requests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.environment import BENCH_DIR, ROOT, bench_database_url, django_setup
from bench.server import gunicorn_start, process_stop

GOAL_RATE = 500
GOAL_P95_MS = 100
LUA = BENCH_DIR / "check.lua"
PAIR = "Dharma Pongrekun - Kun Wardana"


def _database_ready(url: str, name: str) -> bool:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT to_regclass('candidates_pair') IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM candidates_pair WHERE name = %s)",
            [PAIR],
        ).fetchone()
        return bool(found and found[0])


def _prepare(args) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        raise SystemExit("bench-check: set DATABASE_URL to the PostgreSQL server")
    url = bench_database_url(base, args.database)
    if not _database_ready(url, args.database):
        print(
            f"bench-check: {args.database} missing: building it "
            f"(python -m bench.run --keep --scale {args.scale})"
        )
        build = [sys.executable, "-m", "bench.run", "--keep", "--database", args.database,
                 "--json", str(args.work / "build.json"), "--workdir", str(args.work / "build"),
                 "--scale", str(args.scale)]  # fmt: skip
        if args.scale != 1.0:
            build.append("--no-pages")  # the pages' figures are bench.run's, at full scale
        subprocess.run(build, check=True, cwd=ROOT)
    os.environ["DATABASE_URL"] = url
    os.environ["CACHE_URL"] = (
        args.cache_url
    )  # the gate in this process counts where the server does
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


Person = tuple[str, dt.date, str]  # NIK, birth date, name


def _samples(n: int) -> dict[str, list[Person]]:
    """Real NIKs of the DKI list with their names (decrypted here: the bench is the one place
    allowed to) and the birth date each NIK encodes (what its holder types), and NIKs of the same
    shape that no list holds."""
    from candidates.models import Pair, Supporter
    from keys import keyring
    from keys.nik import nik_decode, nik_decrypt, supporter_context

    pair = Pair.objects.get(name=PAIR)
    rows = Supporter.objects.filter(pair=pair).order_by("?")
    people = []
    for upload, row, cipher, name in rows.values_list(
        "upload_id", "row_number", "nik_cipher", "name"
    )[: 4 * n]:
        nik = nik_decrypt(bytes(cipher), context=supporter_context(upload, row))
        birth = nik_decode(nik).birth_date
        if birth is not None:  # the planted NIK_INVALID rows encode no date
            people.append((nik, birth, name))
    hasher = keyring.hasher(fresh=True)
    rng = random.Random(7)
    unlisted: list[Person] = []
    while len(unlisted) < n:
        nik, birth, name = people[rng.randrange(len(people))]
        candidate = nik[:12] + f"{rng.randrange(10_000):04d}"
        if not Supporter.objects.filter(nik_hash=hasher.hash(candidate)).exists():
            unlisted.append((candidate, birth, name))
    others = [name for _nik, _b, name in people]
    rng.shuffle(others)
    return {
        "listed": people[:n],
        "wrong_date": [(nik, b + dt.timedelta(days=1), name) for nik, b, name in people[n : 2 * n]],
        "wrong_name": [
            (nik, b, other if other != name else "NAMA LAIN")
            for (nik, b, name), other in zip(people[2 * n : 3 * n], others, strict=False)
        ],
        "not_listed": unlisted,
    }


def _bare_lookup(url: str, samples: dict, count: int) -> dict:
    """One SELECT by nik_hash (the index) per NIK, one connection, one after another."""
    import psycopg

    from keys import keyring

    hasher = keyring.hasher(fresh=True)
    hashes = [hasher.hash(nik) for kind in samples.values() for nik, _b, _n in kind][:count]
    times = []
    with psycopg.connect(url, autocommit=True) as conn:
        for h in hashes[:200]:  # warm the cache as the server's run is warmed
            conn.execute(
                "SELECT id, pair_id, name FROM candidates_supporter WHERE nik_hash = %s", [h]
            ).fetchall()
        started = time.perf_counter()
        for h in hashes:
            t = time.perf_counter()
            conn.execute(
                "SELECT id, pair_id, name FROM candidates_supporter WHERE nik_hash = %s",
                [h],
            ).fetchall()
            times.append(time.perf_counter() - t)
        total = time.perf_counter() - started
    return _figures(times, total)


def _orm_lookup(samples: dict, count: int) -> dict:
    """objections.lookup.supports_find in this process: the same work as the endpoint's,
    without HTTP, the limiter and the floor."""
    from objections.lookup import supports_find

    people = [p for kind in samples.values() for p in kind]
    random.Random(3).shuffle(people)
    people = people[:count]
    times = []
    started = time.perf_counter()
    for nik, birth, name in people:
        t = time.perf_counter()
        supports_find(nik=nik, birth_date=birth, name=name)
        times.append(time.perf_counter() - t)
    return _figures(times, time.perf_counter() - started)


def _gated_lookup(samples: dict, count: int) -> dict:
    """The gate (limits and caps: one Lua script in the server's Redis) and then the lookup, in
    this process, each from another client address: the endpoint's work without HTTP and the
    floor."""
    from django.test import RequestFactory

    from objections.limits import check_gate
    from objections.lookup import supports_find

    factory = RequestFactory()
    people = [p for kind in samples.values() for p in kind]
    random.Random(4).shuffle(people)
    people = people[:count]
    times = []
    started = time.perf_counter()
    for i, (nik, birth, name) in enumerate(people):
        request = factory.post("/", REMOTE_ADDR=f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")
        t = time.perf_counter()
        gate = check_gate(request, nik=nik, channel="api")
        if gate.limit is None:
            supports_find(nik=nik, birth_date=birth, name=name)
        times.append(time.perf_counter() - t)
    return _figures(times, time.perf_counter() - started)


def _counters_clear(url: str) -> int:
    """The check's counts and caps in the bench's Redis database (keys "<prefix>:<v>:ck:*" and
    "...:rl:check:*"): a run starts from fresh caps. The keys deleted."""
    import redis

    client = redis.Redis.from_url(url)
    deleted = 0
    for pattern in ("*:ck:*", "*:rl:check:*"):
        batch = list(client.scan_iter(match=pattern, count=1000))
        for start in range(0, len(batch), 1000):
            deleted += client.delete(*batch[start : start + 1000])
    return deleted


def _withheld(url: str) -> tuple[int, int]:
    """(lookups counted, withheld by a cap) in the bench's Redis database, all hours."""
    import redis

    client = redis.Redis.from_url(url)
    totals = []
    for pattern in ("*:ck:counts:*", "*:ck:withheld:*"):
        totals.append(
            sum(int(v) for key in client.scan_iter(match=pattern) for v in client.hvals(key))
        )
    return totals[0], totals[1]


def _figures(times: list[float], total: float) -> dict:
    ordered = sorted(times)

    def pct(p: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {
        "lookups": len(times),
        "per_s": len(times) / total if total else 0.0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }


def _bodies(samples: dict, path: Path) -> None:
    lines = [
        json.dumps({"nik": nik, "birth_date": birth.isoformat(), "name": name})
        for kind in samples.values()
        for nik, birth, name in kind
    ]
    random.Random(5).shuffle(lines)
    path.write_text("\n".join(lines) + "\n")


def _server_env(args, url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        CACHE_URL=args.cache_url,  # the limiter's counters in Redis, as in production
        TRUSTED_PROXY_COUNT="1",
        DB_CONN_MAX_AGE="600",  # a connection per thread, kept: as the production stack runs
        DJANGO_DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    env.pop("CELERY_BROKER_URL", None)
    return env


def _gunicorn(args, url: str, replica_url: str | None = None) -> subprocess.Popen:
    """The server; with `replica_url`, its replica reads (the check's lookup) go there."""
    env = _server_env(args, url)
    if replica_url:
        env["DATABASE_REPLICA_URL"] = replica_url
    return gunicorn_start(
        env=env, port=args.port, workers=args.workers, threads=args.threads,
        log=ROOT / "var" / "bench-check-gunicorn.log", probe="/cek-dukungan/",
        extra=["--backlog", "2048"], wait=90,
    )  # fmt: skip


def _answers_check(args, samples: dict, per_kind: int = 100) -> tuple[int, int]:
    """(right, checked): the server's answers against supports_find in this process."""
    from objections.lookup import supports_find

    right = checked = 0
    for index, people in enumerate(samples.values()):
        for i, (nik, birth, name) in enumerate(people[:per_kind]):
            body = json.dumps({"nik": nik, "birth_date": birth.isoformat(), "name": name}).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{args.port}/api/cek-dukungan/",
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Forwarded-For": f"172.16.{index}.{i}",
                },
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                got = json.load(response)
            want = supports_find(nik=nik, birth_date=birth, name=name)
            right += got["listed"] == bool(want) and len(got["supports"]) == len(want)
            checked += 1
    return right, checked


def _wrk(args, bodies: Path, seconds: int) -> dict:
    cmd = [
        "wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{seconds}s",
        "--timeout", "10s", "-s", str(LUA), f"http://127.0.0.1:{args.port}", "--", str(bodies),
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(li for li in out.splitlines() if li.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def http_figures(load: dict) -> dict:
    """What wrk's script reported (check.lua), in lookups/s and ms."""
    seconds = load["duration_us"] / 1e6
    return {
        "requests": load["requests"],
        "per_s": load["ok"] / seconds,
        "p50_ms": load["p50_us"] / 1000,
        "p95_ms": load["p95_us"] / 1000,
        "p99_ms": load["p99_us"] / 1000,
        "max_ms": load["max_us"] / 1000,
        "ok": load["ok"],
        "limited_429": load["limited"],
        "other_status": load["other"],
        "socket_errors": load["socket_errors"],
        "seconds": seconds,
    }


def run(args) -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("bench-check: wrk is missing: apt-get install -y wrk")
    args.work.mkdir(parents=True, exist_ok=True)
    url = _prepare(args)
    from django.conf import settings

    print(f"bench-check: database {args.database}; sampling {args.sample:,} NIKs per kind")
    samples = _samples(args.sample)
    bodies = args.work / "bodies.jsonl"
    _bodies(samples, bodies)
    bare = _bare_lookup(url, samples, args.bare)
    orm = _orm_lookup(samples, args.orm)
    _counters_clear(args.cache_url)
    gated = _gated_lookup(samples, args.orm)
    _counters_clear(args.cache_url)  # the server's run starts from fresh caps
    server = _gunicorn(args, url)
    try:
        right, checked = _answers_check(args, samples)
        _wrk(args, bodies, 5)  # warm-up: connections, caches, the workers' imports
        time.sleep(2)  # the 1 s global window of the warm-up is over
        load = _wrk(args, bodies, args.duration)
    finally:
        process_stop(server)
    counted, withheld = _withheld(args.cache_url)
    http = http_figures(load)
    result = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.uname().machine}, {os.cpu_count()} CPU",
        "server": f"gunicorn -w {args.workers} -k gthread --threads {args.threads}",
        "wrk": f"-t {args.wrk_threads} -c {args.connections} -d {args.duration}s",
        "floor_ms": settings.CHECK_RESPONSE_FLOOR_MS,
        "rates": {
            "per_client": settings.CHECK_RATE_PER_CLIENT,
            "global": settings.CHECK_RATE_GLOBAL,
        },  # fmt: skip
        "caps": {
            "prefix_daily": settings.CHECK_PREFIX_DAILY,
            "nik_daily": settings.CHECK_NIK_DAILY,
            "lookups_counted": counted,  # warm-up and the answers' check included
            "withheld": withheld,
        },
        "database": args.database,
        "http": http,
        "gated_lookup": gated,
        "orm_lookup": orm,
        "bare_lookup": bare,
        "answers_right": [right, checked],
    }
    _report(result)
    (BENCH_DIR / "last-check.json").write_text(json.dumps(result, indent=2) + "\n")
    if not args.keep_files:
        shutil.rmtree(args.work, ignore_errors=True)  # the NIKs sampled for the load
    failed = right != checked or http["other_status"] or http["socket_errors"]
    return 1 if failed else 0


def _report(r: dict) -> None:
    h, g, o, b = r["http"], r["gated_lookup"], r["orm_lookup"], r["bare_lookup"]
    print()
    print(
        f"Cek dukungan ({r['database']}; {r['machine']}; {r['server']}; wrk {r['wrk']}; "
        f"floor {r['floor_ms']} ms; limits {r['rates']['per_client']} per client, "
        f"{r['rates']['global']} global, caps {r['caps']['prefix_daily']} NIKs a prefix and "
        f"{r['caps']['nik_daily']} lookups a NIK a day, in Redis; {r['started']}):"
    )
    print()
    print("| path | lookups | lookups/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| HTTP: gunicorn + limiter + floor + PostgreSQL | {h['ok']:,} | {h['per_s']:,.0f} | "
        f"{h['p50_ms']:.1f} | {h['p95_ms']:.1f} | {h['p99_ms']:.1f} |"
    )
    print(
        f"| gate (limits + caps, Redis) + lookup, no HTTP (1 process) | {g['lookups']:,} | "
        f"{g['per_s']:,.0f} | {g['p50_ms']:.2f} | {g['p95_ms']:.2f} | {g['p99_ms']:.2f} |"
    )
    print(
        f"| lookup through the ORM, no HTTP (1 process) | {o['lookups']:,} | {o['per_s']:,.0f} | "
        f"{o['p50_ms']:.2f} | {o['p95_ms']:.2f} | {o['p99_ms']:.2f} |"
    )
    print(
        f"| bare indexed SELECT by nik_hash (1 connection) | {b['lookups']:,} | "
        f"{b['per_s']:,.0f} | {b['p50_ms']:.2f} | {b['p95_ms']:.2f} | {b['p99_ms']:.2f} |"
    )
    print()
    print(
        f"429: {h['limited_429']:,}; other statuses: {h['other_status']}; socket errors: "
        f"{h['socket_errors']}; answers right: {r['answers_right'][0]}/{r['answers_right'][1]}; "
        f"withheld by a cap: {r['caps']['withheld']:,} of {r['caps']['lookups_counted']:,} counted"
    )
    rate_met = h["per_s"] >= GOAL_RATE
    p95_met = h["p95_ms"] < GOAL_P95_MS
    print(
        f"Goals: >= {GOAL_RATE} lookups/s {'met' if rate_met else 'MISSED'} "
        f"({h['per_s']:,.0f}); p95 < {GOAL_P95_MS} ms {'met' if p95_met else 'MISSED'} "
        f"({h['p95_ms']:.1f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.check", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", default="pilkada_bench")
    parser.add_argument(
        "--scale", type=float, default=1.0,
        help="when the database is missing, build it at this share of DKI (0.05: minutes)",
    )  # fmt: skip
    parser.add_argument("--duration", type=int, default=30, help="seconds of load")
    parser.add_argument("--connections", type=int, default=96)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=64, help="threads per worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--sample", type=int, default=20_000, help="NIKs per kind")
    parser.add_argument("--bare", type=int, default=20_000, help="bare lookups to time")
    parser.add_argument("--orm", type=int, default=5_000, help="ORM lookups to time")
    parser.add_argument(
        "--cache-url", default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument("--keep-files", action="store_true")
    parser.add_argument(
        "--replica", action="store_true",
        help="in a throwaway primary + standby: the check under a verification run, reads on "
        "the primary, then on the standby (bench/check_replica.py; --scale 0.05 is minutes)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.work = ROOT / "var" / "bench-check"
    if args.replica:
        from bench.check_replica import run as replica_run

        return replica_run(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
