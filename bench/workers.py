"""Two workers, two elections: python -m bench.workers [--voters 1000000] [--limits 2/0,1/0,1/1]

Two regency elections (Kabupaten Bogor and Kabupaten Bandung), each with a synthetic roll of
`--voters` voters (default 1M: at 300k a run is half a second, and what every task costs
around the run itself, red flags and the hand-over of the next message, is a third of the
figure) and one pair's support list of 10% of it (the 2024 mix of defects), built in
a database of its own (`pilkada_workers`, dropped and made anew) and verified once untimed (so
that every timed run replaces results, as a rerun does, on warm caches). Then, through real
Celery workers on Redis (`--broker`, a Redis database of its own: no other worker takes the
jobs), for each setting asked for (`--limits`: VERIFICATION_SESSIONS/VERIFICATION_CORES, 0 cores
for no cap):

  (a) one worker (`celery worker -Q verification -c 1`): both runs sent at once, done one after
      the other;
  (b) two such workers: both runs sent at once, one each, side by side.

Every worker is first warmed up with a run sent to a queue of its own (as a long-lived worker
is: imports done, connections open); the timed runs go to the shared `verification` queue.
Each is timed from the sending of both tasks to the end of both (a run's status DONE and its red
flags stored: the whole task), best of `--repeats`. Printed: every time, (b) / (a) per setting,
and the best (b) over the best (a), which is what an operator gets by choosing the settings:
the goal is at most 0.65. On a machine of 2 cores, a run with VERIFICATION_SESSIONS=2 already
keeps both busy for part of its work, so two at once contend; VERIFICATION_SESSIONS=1 leaves
each run one session, whose matching is still a parallel query; VERIFICATION_CORES=1 keeps each
run on one core, as an operator running one worker per core would. Figures go to
bench/last-workers.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.environment import ROOT, environment_cleanup, environment_prepare
from bench.report import timed

REGENCIES = ("32.01", "32.04")  # Kabupaten Bogor, Kabupaten Bandung
VOTING_DAY = dt.date(2024, 11, 27)
QUEUE = "verification"
GOAL = 0.65
WAIT = 1800  # seconds any one measurement may take


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path


def setup(voters: int, share: float, work: Path) -> list:
    """Two regency elections, their rolls imported and their lists taken in; the pairs."""
    from django.core.management import call_command

    from candidates.intake import support_upload_create, support_upload_run
    from candidates.services import election_create, pair_create
    from electorate.models import VoterRoll
    from electorate.regions import regions_load
    from electorate.roll_import import roll_import_create, roll_import_run
    from seeds.dki import MANGLED_SHARE_2024, defects_for
    from seeds.population import roll_generate
    from seeds.support import support_generate

    call_command("migrate", verbosity=0)
    for province in ("31", "32", "36"):
        regions_load(province=province)
    pairs = []
    rows = round(voters * share)
    for i, code in enumerate(REGENCIES):
        started = time.perf_counter()
        election = election_create(
            slug=f"bench-workers-{code}", region_code=code, level="regent", dpt=voters,
            voting_day=VOTING_DAY,
        )  # fmt: skip
        election.roll = VoterRoll.objects.create(
            name=f"DPT sintetis {code}",
            region=election.region,
            kind=VoterRoll.Kind.DPT,
            voting_day=election.voting_day,
        )
        election.save(update_fields=["roll"])
        pair = pair_create(election=election, name=f"Pasangan {code}")
        roll_path, list_path = work / f"dpt-{code}.csv", work / f"dukungan-{code}.csv"
        spec = roll_generate(
            path=roll_path, per_kabkota={code: voters}, voting_day=VOTING_DAY, seed=10 + i
        )
        with roll_path.open("rb") as fh:
            job, _ = roll_import_create(roll=election.roll, file=fh, original_name=roll_path.name)
        roll_import_run(import_id=job.pk)
        defects = {k: v for k, v in defects_for(rows).items() if k != "DUPLICATE_EXTERNAL"}
        support_generate(
            path=list_path, roll=spec, per_kabkota={code: rows}, defects=defects,
            election_region=code, voting_day=VOTING_DAY, seed=20 + i,
            mangled=max(3, int(rows * MANGLED_SHARE_2024)),
        )  # fmt: skip
        with list_path.open("rb") as fh:
            upload, _ = support_upload_create(pair=pair, file=fh, original_name=list_path.name)
        support_upload_run(upload_id=upload.pk)
        roll_path.unlink()
        list_path.unlink()
        pairs.append(pair)
        print(f"  {election.region.name}: {voters:,} voters, {rows:,} supporters "
              f"({time.perf_counter() - started:.1f} s)", flush=True)  # fmt: skip
    return pairs


def warm_up(pairs: list) -> None:
    """One untimed verification of each pair in this process: results exist (every timed run
    replaces them) and the tables are analysed and in the cache."""
    from django.db import connection

    from bench.verify import verification_run

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for pair in pairs:
        run, seconds = timed(verification_run, pair)
        print(f"  warm-up: {pair.name} in this process {seconds:.2f} s ({run.status})")


def worker_start(name: str, env: dict, work: Path) -> Worker:
    """`celery worker -Q verification -c 1`, plus a queue of its own for its warm-up run."""
    log = work / f"worker-{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q",
             f"{QUEUE},warm-{name}", "-c", "1", "-n", f"{name}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-l", "info"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return Worker(name, process, log)


def workers_ready(workers: list[Worker]) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        for w in workers:
            if w.process.poll() is not None:
                raise SystemExit(f"bench: worker {w.name} exited:\n{w.log.read_text()[-3000:]}")
        if all(" ready." in w.log.read_text(errors="replace") for w in workers):
            return
        time.sleep(0.2)
    raise SystemExit("bench: the workers were not ready within 120 s")


def workers_stop(workers: list[Worker]) -> None:
    for w in workers:
        if w.process.poll() is None:
            os.kill(w.process.pid, signal.SIGTERM)  # warm shutdown: the worker, not its pool
    for w in workers:
        try:
            w.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(w.process.pid, signal.SIGKILL)
            w.process.wait(timeout=30)


def _finished(run_ids: list[int]) -> tuple[bool, str]:
    """Both tasks over: run DONE (or FAILED) and, when DONE, its red flags stored."""
    from verification.derived import PARTS
    from verification.models import RunDerived, VerificationRun

    runs = list(VerificationRun.objects.filter(pk__in=run_ids).values_list("pk", "status"))
    if any(status == VerificationRun.Status.FAILED for _pk, status in runs):
        return True, "failed"
    if not all(status == VerificationRun.Status.DONE for _pk, status in runs):
        return False, ""
    derived = RunDerived.objects.filter(run_id__in=run_ids).values(*PARTS)
    done = len(derived) == len(run_ids) and all(
        all(v is not None for v in row.values()) for row in derived
    )
    return done, "done" if done else ""


def runs_wait(run_ids: list[int], workers: list[Worker]) -> None:
    started = time.perf_counter()
    status = ""
    while time.perf_counter() - started < WAIT:
        over, status = _finished(run_ids)
        if over:
            break
        time.sleep(0.05)
    if status != "done":
        tails = "\n".join(w.log.read_text(errors="replace")[-2000:] for w in workers)
        raise SystemExit(f"bench: the runs ended {status or 'not in time'}\n{tails}")


def measure(pairs: list, count: int, env: dict, work: Path, label: str) -> float:
    """Start `count` workers and warm each up with a run of its own (a long-lived worker has
    imported and connected long before a run comes); then send one run per pair at once, to
    the shared queue, and time until both tasks are over."""
    from config.celery import app
    from verification.engine import run_create
    from verification.tasks import verification_task

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
    label = f"{label}-{count}w-{time.monotonic_ns() % 10**6}"  # a log file per measurement
    workers = [worker_start(f"bench{i + 1}-{label}", env, work) for i in range(count)]
    try:
        workers_ready(workers)
        for i, w in enumerate(workers):
            run = run_create(pair=pairs[i % len(pairs)])
            verification_task.apply_async(args=[run.pk], queue=f"warm-{w.name}")
            runs_wait([run.pk], workers)  # one at a time: runs of one pair are serialised
        runs = [run_create(pair=pair) for pair in pairs]
        started = time.perf_counter()
        for run in runs:
            verification_task.apply_async(args=[run.pk])  # routed to "verification"
        runs_wait([r.pk for r in runs], workers)
        seconds = time.perf_counter() - started
    finally:
        workers_stop(workers)
    return seconds


def run(args: argparse.Namespace) -> int:
    env = environment_prepare(args)
    from config.celery import app

    app.conf.update(broker_url=args.broker, task_always_eager=False)
    limits = [_limit(text) for text in args.limits.split(",")]
    print(f"bench.workers: database {env.database}, broker {args.broker}, "
          f"{args.voters:,} voters x 2, VERIFICATION_SESSIONS/VERIFICATION_CORES "
          f"{args.limits}")  # fmt: skip
    pairs = setup(args.voters, args.share, env.work)
    warm_up(pairs)
    worker_env = {
        **os.environ,
        "DATABASE_URL": env.url,
        "CELERY_BROKER_URL": args.broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "INFO",
    }
    results: dict[str, dict[str, float]] = {}
    labels: dict[str, str] = {}  # "2/0" -> the settings written out, for the printed lines
    for sessions, cores in limits:
        key = f"{sessions}/{cores}"
        labels[key] = f"VERIFICATION_SESSIONS={sessions}, VERIFICATION_CORES={cores or 'no cap'}"
        wenv = {**worker_env, "VERIFICATION_SESSIONS": str(sessions),
                "VERIFICATION_CORES": str(cores)}  # fmt: skip
        tag = f"s{sessions}c{cores}"
        one = min(measure(pairs, 1, wenv, env.work, tag) for _ in range(args.repeats))
        two = min(measure(pairs, 2, wenv, env.work, tag) for _ in range(args.repeats))
        results[key] = {"one_worker_seconds": round(one, 3), "two_workers_seconds": round(two, 3)}
        print(
            f"  {labels[key]}: (a) one worker, one after the other {one:.2f} s; "
            f"(b) two workers at once {two:.2f} s; (b)/(a) {two / one:.2f}",
            flush=True,
        )
    best_one = min(results.items(), key=lambda kv: kv[1]["one_worker_seconds"])
    best_two = min(results.items(), key=lambda kv: kv[1]["two_workers_seconds"])
    ratio = best_two[1]["two_workers_seconds"] / best_one[1]["one_worker_seconds"]
    met = ratio <= GOAL
    print()
    print("| VERIFICATION_SESSIONS / VERIFICATION_CORES | (a) one worker, both runs one after "
          "the other | (b) two workers, both at once | (b) / (a) |")  # fmt: skip
    print("|---|---:|---:|---:|")
    for key, r in results.items():
        a, b = r["one_worker_seconds"], r["two_workers_seconds"]
        print(f"| {key} | {a:.2f} s | {b:.2f} s | {b / a:.2f} |")
    print()
    print(f"  [{'met' if met else 'MISSED'}] best two at once ({labels[best_two[0]]}) over "
          f"best one after the other ({labels[best_one[0]]}): {ratio:.2f} "
          f"(goal <= {GOAL})")  # fmt: skip
    figures = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} CPU",
        "voters_each": args.voters,
        "supporters_each": round(args.voters * args.share),
        "repeats": args.repeats,
        "by_sessions_cores": results,
        "best_one_worker": best_one[0],
        "best_two_workers": best_two[0],
        "ratio": round(ratio, 3),
        "goal": GOAL,
        "met": met,
    }
    Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    environment_cleanup(env, keep=args.keep)
    return 0


def _limit(text: str) -> tuple[int, int]:
    sessions, _, cores = text.partition("/")
    return int(sessions), int(cores or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.workers", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--voters", type=int, default=1_000_000, help="voters of each regency")
    parser.add_argument("--share", type=float, default=0.10, help="support list / roll")
    parser.add_argument(
        "--limits", default="2/0,1/0,1/1",
        help="settings to try, each VERIFICATION_SESSIONS/VERIFICATION_CORES (0: no cap)",
    )  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3, help="best of this many, each way")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--database", default="pilkada_workers")
    parser.add_argument("--workdir", help="files and worker logs (default var/bench-workers)")
    parser.add_argument("--json", default=str(ROOT / "bench" / "last-workers.json"))
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    args = parser.parse_args(argv)
    args.workdir = args.workdir or str(ROOT / "var" / "bench-workers")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
