"""Jakarta-scale benchmark: python -m bench.run [--scale 1.0] [--keep] [--xlsx-rows 100000]

Runs with DATABASE_URL pointing at PostgreSQL, in a database of its own (`pilkada_bench` on the
same server, dropped and created afresh; kept after the run with --keep). It generates the DKI
2024 case (8,252,897 voters spread over the kab/kota as in DOMAIN.md, 840,640 supporters spread
like the real upload with planted defects of every reason), imports, verifies and recaps it,
timing every phase. The baseline, measured in the same run on the same tables, is one plain SQL
join of the supporters against the roll. The verification runs in a child process so that its
peak memory can be read. Correctness checks: every planted defect found, count for count per
reason, and intake rejecting exactly the Excel-mangled rows; a failed check exits non-zero.
Figures go to stdout (with a table to paste into the README) and to bench/last-run.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import resource
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
ELECTION = "pilgub-dki-2024"
VOTING_DAY = dt.date(2024, 11, 27)
DPT = 8_252_897
PAIR = "Dharma Pongrekun - Kun Wardana"
OTHER_PAIR = "Pasangan Pembanding"
GOALS = {
    "roll_import_rows_per_s": 150_000,
    "support_csv_rows_per_s": 50_000,
    "verify_recap_over_join": 3.0,
    "verify_supporters_per_s": 100_000,
    "verify_peak_rss_mb": 1024,
}


# --- setup: a database of our own -------------------------------------------------------------


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


# --- the verification, in a child process ----------------------------------------------------


def _verify_child(pair_id: int, conn) -> None:
    """Runs in a spawned process: start and run the verification, send back time and counts."""
    django_setup()
    from candidates.models import Pair
    from verification.engine import admin_verification_run, admin_verification_start

    pair = Pair.objects.select_related("election").get(pk=pair_id)
    started = time.perf_counter()
    run = admin_verification_start(pair=pair, enqueue=False)
    run = admin_verification_run(run_id=run.pk)
    seconds = time.perf_counter() - started
    conn.send({"seconds": seconds, "run_id": run.pk, "status": run.status, "counts": run.counts})
    conn.close()


def verify_in_child(pair_id: int) -> tuple[dict, int]:
    """(result, peak RSS of the child in MB)."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_verify_child, args=(pair_id, child))
    proc.start()
    child.close()
    try:
        result = parent.recv()
    except EOFError:
        result = {"seconds": 0.0, "status": "crashed", "counts": {}}
    proc.join()
    if proc.exitcode != 0:
        result["status"] = f"exit {proc.exitcode}"
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB on Linux
    return result, peak_kb // 1024


# --- phases -----------------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.phases: list[dict] = []
        self.checks: list[dict] = []
        self.goals: list[dict] = []
        self.extra: dict = {}

    def phase(self, name: str, rows: int, seconds: float, unit: str = "baris") -> None:
        rate = rows / seconds if seconds > 0 else 0.0
        self.phases.append({"phase": name, "rows": rows, "seconds": seconds, "rows_per_s": rate})
        print(f"  {name:<34} {rows:>10,} {unit:<10} {seconds:8.2f} s {rate:>12,.0f}/s", flush=True)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append({"check": name, "ok": bool(ok), "detail": detail})
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}" + (f": {detail}" if detail else ""))
        return ok

    def goal(self, name: str, value: float, target: float, *, at_most: bool = False) -> None:
        met = value <= target if at_most else value >= target
        self.goals.append({"goal": name, "value": value, "target": target, "met": met})
        sign = "<=" if at_most else ">="
        print(f"  [{'met' if met else 'MISSED'}] {name}: {value:,.2f} (goal {sign} {target:,})")

    @property
    def ok(self) -> bool:
        return all(c["ok"] for c in self.checks)


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def run(args: argparse.Namespace) -> int:
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

    from django.core.management import call_command
    from django.db import connection

    from candidates.intake import support_upload_create, support_upload_run
    from candidates.services import election_create, pair_create
    from electorate.models import VoterRoll
    from electorate.regions import regions_load
    from electorate.roll_import import roll_import_create, roll_import_run
    from seeds.generator import (
        DKI_DPT_2024,
        DKI_UPLOAD_2024,
        MANGLED_SHARE_2024,
        REASONS,
        defects_for,
        roll_generate,
        scale,
        support_generate,
    )
    from verification.recap import recap_compute

    report = Report()
    report.extra.update(
        scale=args.scale,
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        machine=f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}",
    )
    print(f"bench: database {args.database}, files in {work}, scale {args.scale}")

    print("setup")
    _, seconds = timed(call_command, "migrate", verbosity=0)
    print(f"  migrate {seconds:.1f} s")
    started = time.perf_counter()
    for province in ("31", "32", "36"):
        regions_load(province=province)
    print(f"  regions 31, 32, 36 {time.perf_counter() - started:.1f} s")
    election = election_create(
        slug=ELECTION, region_code="31", level="governor", dpt=DPT, voting_day=VOTING_DAY
    )
    election.roll = VoterRoll.objects.create(
        name="DPT Pilgub DKI 2024 (sintetis)", region=election.region, kind=VoterRoll.Kind.DPT
    )
    election.save(update_fields=["roll"])
    pair = pair_create(election=election, name=PAIR)
    other_pair = pair_create(election=election, name=OTHER_PAIR)
    # A separate election for the XLSX intake, so its supporters do not meet the main list's.
    xlsx_election = election_create(
        slug="bench-xlsx", region_code="31", level="governor", dpt=DPT, voting_day=VOTING_DAY
    )
    xlsx_pair = pair_create(election=xlsx_election, name="Pasangan XLSX")

    per_roll = scale(DKI_DPT_2024, args.scale)
    per_upload = scale(DKI_UPLOAD_2024, args.scale)
    roll_rows, upload_rows = sum(per_roll.values()), sum(per_upload.values())
    defects = defects_for(upload_rows)
    mangled = max(3, int(upload_rows * MANGLED_SHARE_2024))
    other_rows = max(2 * defects["DUPLICATE_EXTERNAL"], 10)

    print("phases")
    roll_path = work / "dpt-dki-2024.csv"
    spec, seconds = timed(
        roll_generate, path=roll_path, per_kabkota=per_roll, voting_day=VOTING_DAY, seed=1
    )
    report.phase("roll generation", roll_rows, seconds)

    with roll_path.open("rb") as fh:
        (job, _created), s1 = timed(
            roll_import_create, roll=election.roll, file=fh, original_name=roll_path.name
        )
    job, s2 = timed(roll_import_run, import_id=job.pk)
    report.phase("roll import (DPT CSV)", roll_rows, s1 + s2)
    report.extra["roll_import_store_seconds"] = s1

    support_path = work / "dukungan-b1kwk.csv"
    other_path = work / "dukungan-pembanding.csv"
    manifest, seconds = timed(
        support_generate,
        path=support_path,
        roll=spec,
        per_kabkota=per_upload,
        defects=defects,
        election_region="31",
        voting_day=VOTING_DAY,
        seed=2,
        other_pair_path=other_path,
        other_pair_count=other_rows,
        mangled=mangled,
    )
    report.phase("support list generation (CSV)", upload_rows + other_rows, seconds)

    # The other pair uploads first: its list is what makes DUPLICATE_EXTERNAL.
    with other_path.open("rb") as fh:
        other_upload, _ = support_upload_create(
            pair=other_pair, file=fh, original_name=other_path.name
        )
    other_upload = support_upload_run(upload_id=other_upload.pk)

    with support_path.open("rb") as fh:
        (upload, _created), s1 = timed(
            support_upload_create, pair=pair, file=fh, original_name=support_path.name
        )
    upload, s2 = timed(support_upload_run, upload_id=upload.pk)
    report.phase("support intake CSV", upload_rows, s1 + s2)

    xlsx_path = work / "dukungan-b1kwk.xlsx"
    xlsx_rows = max(100, round(args.xlsx_rows * min(1.0, args.scale)))
    xlsx_manifest, seconds = timed(
        support_generate,
        path=xlsx_path,
        roll=spec,
        per_kabkota=_spread_rows(per_upload, xlsx_rows),
        defects={k: v for k, v in defects_for(xlsx_rows).items() if k != "DUPLICATE_EXTERNAL"},
        election_region="31",
        voting_day=VOTING_DAY,
        seed=3,
        fmt="xlsx",
        mangled=max(3, int(xlsx_rows * MANGLED_SHARE_2024)),
    )
    report.phase("support list generation (XLSX)", xlsx_rows, seconds)
    with xlsx_path.open("rb") as fh:
        (xlsx_upload, _), s1 = timed(
            support_upload_create, pair=xlsx_pair, file=fh, original_name=xlsx_path.name
        )
    xlsx_upload, s2 = timed(support_upload_run, upload_id=xlsx_upload.pk)
    report.phase("support intake XLSX", xlsx_rows, s1 + s2)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()  # the child opens its own; nothing of ours is held during the run

    verified, peak_mb = verify_in_child(pair.pk)
    report.phase("verification (child process)", upload_rows - mangled, verified["seconds"])
    recap, recap_seconds = timed(recap_compute, pair=pair)
    report.phase("recap", upload_rows - mangled, recap_seconds)
    join_seconds, joined = baseline_join(pair.pk, election.roll_id)
    report.phase("baseline: plain SQL join", upload_rows - mangled, join_seconds)
    ratio = (verified["seconds"] + recap_seconds) / join_seconds if join_seconds else 0.0
    report.extra.update(
        verify_peak_rss_mb=peak_mb,
        verify_recap_over_join=ratio,
        baseline_join_matches=joined,
        manifest=manifest.to_dict(),
        xlsx_manifest=xlsx_manifest.to_dict(),
        recap={k: recap.get(k) for k in ("MS", "BMS", "TMS", "reasons", "threshold", "spread")},
    )
    print(f"  verification peak RSS {peak_mb} MB; (verification + recap) / join = {ratio:.2f}")

    print("checks")
    report.check(
        "roll import took every row",
        job.status == "done" and job.accepted == roll_rows and job.rejected == 0,
        f"status {job.status}, accepted {job.accepted:,}/{roll_rows:,}, rejected {job.rejected}",
    )
    for name, up, man in (
        ("CSV intake", upload, manifest),
        ("XLSX intake", xlsx_upload, xlsx_manifest),
    ):
        report.check(
            f"{name} rejected exactly the Excel-mangled rows",
            up.status == "done" and up.rejected == man.rejected and up.accepted == man.accepted,
            f"status {up.status}, accepted {up.accepted:,} (expected {man.accepted:,}), "
            f"rejected {up.rejected:,} (expected {man.rejected:,})",
        )
    report.check("verification finished", verified["status"] == "done", verified["status"])
    for reason in REASONS:
        got, want = recap["reasons"].get(reason), manifest.reasons[reason]
        report.check(f"reason {reason}", got == want, f"found {got:,}, planted {want:,}")
    for outcome in ("MS", "BMS", "TMS"):
        got, want = recap.get(outcome), manifest.outcomes[outcome]
        report.check(f"outcome {outcome}", got == want, f"found {got:,}, expected {want:,}")
    other_check(report, other_pair, manifest)

    print("goals (this 2-core machine)")
    rate = {p["phase"]: p["rows_per_s"] for p in report.phases}
    report.goal(
        "roll import rows/s", rate["roll import (DPT CSV)"], GOALS["roll_import_rows_per_s"]
    )
    report.goal(
        "support intake CSV rows/s", rate["support intake CSV"], GOALS["support_csv_rows_per_s"]
    )
    verify_recap_rate = (upload_rows - mangled) / (verified["seconds"] + recap_seconds or 1)
    report.goal(
        "verification+recap supporters/s", verify_recap_rate, GOALS["verify_supporters_per_s"]
    )
    report.goal("(verification+recap)/join", ratio, GOALS["verify_recap_over_join"], at_most=True)
    report.goal("verification peak RSS MB", peak_mb, GOALS["verify_peak_rss_mb"], at_most=True)

    print()
    print(markdown_table(report, peak_mb, ratio, manifest.reasons, recap))
    report.extra["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out = {
        "ok": report.ok,
        **report.extra,
        "phases": report.phases,
        "checks": report.checks,
        "goals": report.goals,
    }
    target = Path(args.json) if args.json else BENCH_DIR / "last-run.json"
    target.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"\nbench: {'PASS' if report.ok else 'FAIL'}; figures in {target}")

    connection.close()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
        database_drop(bench_url, args.database)
    return 0 if report.ok else 1


def _spread_rows(per_upload: dict[str, int], rows: int) -> dict[str, int]:
    from seeds.generator import _spread

    return _spread(rows, per_upload)


def baseline_join(pair_id: int, roll_id: int) -> tuple[float, int]:
    """One plain SQL join of the pair's supporters against the roll: best of three runs."""
    from django.db import connection

    sql = (
        "SELECT count(*) FROM candidates_supporter s "
        "JOIN electorate_voter v ON v.roll_id = %s AND v.nik_hash = s.nik_hash "
        "WHERE s.pair_id = %s"
    )
    best, count = float("inf"), 0
    with connection.cursor() as cursor:
        for _ in range(3):
            started = time.perf_counter()
            cursor.execute(sql, [roll_id, pair_id])
            count = cursor.fetchone()[0]
            best = min(best, time.perf_counter() - started)
    return best, count


def other_check(report: Report, other_pair, manifest) -> None:
    """The other pair's list: verified after the main one, it must see exactly the shared NIKs."""
    if not manifest.other_pair:
        return
    from verification.engine import admin_verification_run, admin_verification_start
    from verification.recap import recap_compute

    run = admin_verification_start(pair=other_pair, enqueue=False)
    admin_verification_run(run_id=run.pk)
    recap = recap_compute(pair=other_pair)
    expected = manifest.other_pair
    got = {o: recap.get(o) for o in ("MS", "BMS", "TMS")}
    report.check(
        "other pair: external duplicates and outcomes",
        got == expected["outcomes"]
        and recap["reasons"].get("DUPLICATE_EXTERNAL") == expected["reasons"]["DUPLICATE_EXTERNAL"],
        f"found {got} / DUPLICATE_EXTERNAL {recap['reasons'].get('DUPLICATE_EXTERNAL')}, "
        f"expected {expected['outcomes']} / {expected['reasons']['DUPLICATE_EXTERNAL']}",
    )


def markdown_table(
    report: Report, peak_mb: int, ratio: float, planted: dict[str, int], recap: dict
) -> str:
    lines = [
        f"Benchmark ({report.extra['machine']}; scale {report.extra['scale']}, "
        f"{report.extra['started']}):",
        "",
        "| phase | rows | seconds | rows/s |",
        "|---|---:|---:|---:|",
    ]
    for p in report.phases:
        lines.append(
            f"| {p['phase']} | {p['rows']:,} | {p['seconds']:.2f} | {p['rows_per_s']:,.0f} |"
        )
    passed = sum(c["ok"] for c in report.checks)
    lines += [
        "",
        f"(verification + recap) / plain join: **{ratio:.2f}** (goal <= 3); "
        f"verification peak RSS: **{peak_mb} MB** (goal <= 1024); "
        f"correctness checks: {passed}/{len(report.checks)} passed.",
        "",
        "| reason / outcome | planted | found |",
        "|---|---:|---:|",
    ]
    for reason, n in planted.items():
        lines.append(f"| {reason} | {n:,} | {recap['reasons'].get(reason, 0):,} |")
    for outcome in ("MS", "BMS", "TMS"):
        expected = report.extra["manifest"]["outcomes"][outcome]
        lines.append(f"| {outcome} | {expected:,} | {recap.get(outcome, 0):,} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = DKI 2024 (8.25M / 840,640)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the XLSX list")
    parser.add_argument("--database", default="pilkada_bench", help="database name to (re)create")
    parser.add_argument("--workdir", help="where the generated files go (default var/bench)")
    parser.add_argument("--json", help="where the figures go (default bench/last-run.json)")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
