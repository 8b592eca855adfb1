"""The pages at DKI scale, as each role opens them, and the export of the whole list.

A phase of `make bench` (after the verification and its checks), or on its own on a kept
benchmark database: `python -m bench.pages [--database pilkada_bench] [--loads 20]`.

1. What the verification task does once a run is DONE: the red flags derived and stored
   (verification.derived.run_derive), timed.
2. The team's export of its whole list (840,640 rows at scale 1.0) as the background job the
   results page starts (verification.services.export_start + the task, run here in-process),
   timed, and the file checked: decrypted, a valid workbook with exactly the rows the job
   counted.
3. A factual verification stage for the pair (fieldwork.stages.stage_start), so that the
   worklist of the biggest kelurahan can be opened.
4. Through HTTP: gunicorn (2 gthread workers, DB connections kept) on the benchmark database;
   every worker warmed first (each role's home page, 4 times per worker: a worker's first
   requests open its database connection and fill its caches, once in its life, which a
   page's p95 of 20 loads would otherwise take for the page measured first); then each page
   loaded once cold, then `loads` times, one request at a time, by a user of the role
   that opens it (a session made for them). Median and p95 against the goal (300 ms). For a page
   that misses it, the page's SQL is captured in-process (Django's test client) and the slowest
   statement EXPLAIN ANALYZEd: where the time goes.

Imports Django: import only after environment_prepare / django_setup.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench.environment import BENCH_DIR, ROOT, bench_database_url, django_setup
from bench.report import Report, timed
from bench.server import gunicorn_start, process_stop

GOAL_MS = 300
PAIR = "Dharma Pongrekun - Kun Wardana"
PORT = 8766
WORKERS, THREADS = 2, 4


@dataclass
class Page:
    name: str
    user: str
    url: str


def users_make(pair) -> dict:
    """One account per role that opens the pages: the team, KPU Provinsi (runs the election),
    Bawaslu Provinsi, the PPS of the biggest kelurahan and the PPK of its kecamatan (those
    two once a stage exists: see pages_list)."""
    from django.contrib.auth import get_user_model

    from candidates.models import TeamMembership
    from electorate.models import Role, StaffAssignment

    User = get_user_model()
    users = {}
    for username, role, region in (
        ("bench_tim", Role.TIM, pair.election.region_id),
        ("bench_kpu", Role.KPU_PROVINSI, pair.election.region_id),
        ("bench_bawaslu", Role.BAWASLU, pair.election.region_id),
    ):
        user, _ = User.objects.get_or_create(username=username)
        StaffAssignment.objects.update_or_create(
            user=user, defaults={"role": role, "region_id": region}
        )
        users[username] = user
    TeamMembership.objects.get_or_create(user=users["bench_tim"], defaults={"pair": pair})
    return users


def field_users_make(kelurahan: str) -> dict:
    from django.contrib.auth import get_user_model

    from electorate.areas import KECAMATAN, code_ancestor
    from electorate.models import Role, StaffAssignment

    User = get_user_model()
    users = {}
    for username, role, region in (
        ("bench_pps", Role.PPS, kelurahan),
        ("bench_ppk", Role.PPK, code_ancestor(kelurahan, KECAMATAN)),
    ):
        user, _ = User.objects.get_or_create(username=username)
        StaffAssignment.objects.update_or_create(
            user=user, defaults={"role": role, "region_id": region}
        )
        users[username] = user
    return users


def derive_phase(report: Report, pair) -> None:
    """What the task does after a DONE run: the red flags, computed and stored once."""
    from verification.derived import run_derive
    from verification.selectors import latest_run

    run = latest_run(pair=pair)
    supporters = run.counts.get("total", 0)
    _, seconds = timed(run_derive, run=run)
    report.phase("red flags (once, when the run ends)", supporters, seconds)


def export_phase(report: Report, pair, user) -> dict:
    """The team's export of its whole list, as the background job; its file checked."""
    from django.db import transaction

    from verification.exports import export_open, export_rows, export_run
    from verification.models import Export
    from verification.services import export_start

    with transaction.atomic():  # the task is enqueued on commit: run it here instead
        export = export_start(user=user, pair=pair, round=None, outcome="", enqueue=False)
    export, seconds = timed(export_run, export_id=export.pk)
    report.phase("export XLSX (background job)", export.rows_written, seconds)
    expected = export_rows(export).count()
    rows, check_seconds = timed(_xlsx_rows, export_open(export))
    report.check(
        "export holds every row the results page shows the team",
        export.status == Export.Status.READY and rows == expected == export.rows_written,
        f"status {export.status}, {rows:,} rows in the file, {expected:,} on the page "
        f"(file {export.size / 1e6:.0f} MB, read back in {check_seconds:.1f} s)",
    )
    return {
        "rows": export.rows_written,
        "seconds": round(seconds, 2),
        "rows_per_s": round(export.rows_written / seconds) if seconds else 0,
        "bytes": export.size,
    }


def _xlsx_rows(fh) -> int:
    """Data rows of the first sheet, counted on the XML stream (the file is far too big for
    openpyxl to load in a benchmark): `<row ` elements minus the header."""
    with fh, io.BytesIO() as buffer:
        shutil.copyfileobj(fh, buffer)
        with zipfile.ZipFile(buffer) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
            count, tail = 0, b""
            while block := sheet.read(1 << 20):
                data = tail + block
                count += data.count(b"<row ")
                tail = data[-4:]
    return count - 1


def stage_phase(report: Report, pair) -> str:
    """A factual verification stage of the pair; the kelurahan with the longest worklist."""
    from django.db import connection
    from django.db.models import Count

    from fieldwork.models import Stage, Task
    from fieldwork.stages import stage_start

    stage = Stage.objects.filter(pair=pair).first()
    if stage is None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the results just written: else its plan is nested loops
        stage, seconds = timed(stage_start, pair=pair)
        report.phase("factual verification stage start", stage.tasks_total, seconds)
    biggest = (
        Task.objects.filter(stage=stage)
        .values("kelurahan_code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return biggest["kelurahan_code"]


def pages_list(pair, kelurahan: str, stage_pk: int, export_pk: int | None) -> list[Page]:
    from django.urls import reverse

    from candidates.models import Supporter

    pk = pair.pk
    deep = max(1, Supporter.objects.filter(pair=pair).count() // 50 - 10)
    pages = [
        Page("home", "bench_kpu", reverse("home")),
        Page("pair detail", "bench_kpu", reverse("pair-detail", args=[pk])),
        Page("pair detail", "bench_tim", reverse("pair-detail", args=[pk])),
        Page("verification run", "bench_kpu", reverse("verification-run", args=[pk])),
        Page("recap", "bench_kpu", reverse("verification-recap", args=[pk])),
        Page("recap", "bench_bawaslu", reverse("verification-recap", args=[pk])),
        Page("recap", "bench_tim", reverse("verification-recap", args=[pk])),
        Page("results page 1", "bench_tim", reverse("verification-results", args=[pk])),
        Page(
            f"results page {deep:,}",
            "bench_tim",
            reverse("verification-results", args=[pk]) + f"?page={deep}",
        ),
        Page(
            "results TMS page 1",
            "bench_tim",
            reverse("verification-results", args=[pk]) + "?status=TMS",
        ),
        Page("results page 1", "bench_kpu", reverse("verification-results", args=[pk])),
        Page("results page 1", "bench_pps", reverse("verification-results", args=[pk])),
        Page("supporter list page 1", "bench_tim", reverse("supporter-list", args=[pk])),
        Page(
            f"supporter list page {deep:,}",
            "bench_tim",
            reverse("supporter-list", args=[pk]) + f"?page={deep}",
        ),
        Page("supporter list page 1", "bench_kpu", reverse("supporter-list", args=[pk])),
        Page("verfak pair page", "bench_kpu", reverse("verfak-pair", args=[pk])),
        Page("verfak pair page", "bench_tim", reverse("verfak-pair", args=[pk])),
        Page(
            "verfak worklist (biggest kelurahan)",
            "bench_pps",
            reverse("verfak-worklist", args=[stage_pk, kelurahan]),
        ),
        Page(
            "verfak worklist (biggest kelurahan)",
            "bench_ppk",
            reverse("verfak-worklist", args=[stage_pk, kelurahan]),
        ),
        Page("objections of the pair", "bench_kpu", reverse("objection-pair", args=[pk])),
        Page("decision", "bench_kpu", reverse("decision-pair", args=[pk])),
    ]
    if export_pk is not None:
        pages.append(
            Page("export page", "bench_tim", reverse("verification-export", args=[export_pk]))
        )
    return pages


def _vacuum() -> None:
    """What autovacuum does within a minute of a bulk load: the visibility map set (a deep page
    is then counted on the index alone) and fresh statistics. Timed pages start from there."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) candidates_supporter, verification_verificationresult")
    print(f"  vacuum (analyze) supporters and results {time.perf_counter() - started:.1f} s")


def _session_cookie(user) -> str:
    """A signed-in session for the user, as the login page would leave it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    backends = settings.AUTHENTICATION_BACKENDS
    model_backend = "django.contrib.auth.backends.ModelBackend"
    session[BACKEND_SESSION_KEY] = model_backend if model_backend in backends else backends[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _server_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, DB_CONN_MAX_AGE="600", DJANGO_DEBUG="0", LOG_LEVEL="WARNING")
    env.pop("CELERY_BROKER_URL", None)
    return env


def _gunicorn(url: str) -> subprocess.Popen:
    return gunicorn_start(
        env=_server_env(url), port=PORT, workers=WORKERS, threads=THREADS,
        log=ROOT / "var" / "bench-pages-gunicorn.log", extra=["--timeout", "120"], wait=30,
    )  # fmt: skip


def _get(url: str, cookie: str) -> tuple[int, float, int]:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{url}", headers={"Cookie": cookie})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return status, time.perf_counter() - started, len(body)


def pages_time(pages: list[Page], users: dict, url: str, loads: int) -> list[dict]:
    """Each page once cold, then `loads` times, one request at a time, through gunicorn."""
    cookies = {name: _session_cookie(user) for name, user in users.items()}
    server = _gunicorn(url)
    rows = []
    try:
        for cookie in cookies.values():
            for _ in range(4 * WORKERS):
                _get("/", cookie)
        for page in pages:
            status, first, size = _get(page.url, cookies[page.user])
            times = []
            for _ in range(loads):
                status, seconds, size = _get(page.url, cookies[page.user])
                times.append(seconds)
            ordered = sorted(times)
            row = {
                "page": page.name,
                "as": page.user.removeprefix("bench_"),
                "url": page.url,
                "status": status,
                "bytes": size,
                "first_ms": 1000 * first,
                "median_ms": 1000 * statistics.median(times),
                "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
            }
            row["met"] = status == 200 and row["p95_ms"] < GOAL_MS
            rows.append(row)
            print(
                f"  {page.name:<38} {row['as']:<9} {status} first {row['first_ms']:7.0f} ms  "
                f"median {row['median_ms']:6.0f} ms  p95 {row['p95_ms']:6.0f} ms", flush=True
            )  # fmt: skip
    finally:
        process_stop(server)
    return rows


def where_time_goes(page: dict, users: dict) -> dict:
    """The page's SQL captured in-process (test client); the slowest statement EXPLAIN
    ANALYZEd."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(users["bench_" + page["as"]])
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        client.get(page["url"])
        total = time.perf_counter() - started
    captured = [(float(q["time"]), q["sql"]) for q in queries.captured_queries]
    sql_seconds = sum(t for t, _ in captured)
    slowest_time, slowest = max(captured) if captured else (0.0, "")
    plan = []
    if slowest.lstrip().upper().startswith("SELECT"):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest)
            plan = [row[0] for row in cursor.fetchall()]
    return {
        "page": page["page"],
        "as": page["as"],
        "in_process_ms": round(1000 * total),
        "queries": len(captured),
        "sql_ms": round(1000 * sql_seconds),
        "slowest_ms": round(1000 * slowest_time),
        "slowest_sql": slowest[:2000],
        "plan": plan[:40],
    }


def pages_table(rows: list[dict], export: dict | None, loads: int) -> str:
    lines = [
        f"Pages through gunicorn (-w {WORKERS} -k gthread --threads {THREADS}, PostgreSQL), "
        f"one request at a time, {loads} loads after a cold one; goal: p95 < {GOAL_MS} ms:",
        "",
        "| page | as | cold ms | median ms | p95 ms | goal |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['page']} | {r['as']} | {r['first_ms']:,.0f} | {r['median_ms']:,.0f} | "
            f"{r['p95_ms']:,.0f} | {'met' if r['met'] else '**missed**'} |"
        )
    if export:
        lines += [
            "",
            f"Export of the whole list as a background job: **{export['rows']:,} rows in "
            f"{export['seconds']:.1f} s** ({export['rows_per_s']:,} rows/s, "
            f"{export['bytes'] / 1e6:.0f} MB XLSX, encrypted at rest).",
        ]
    return "\n".join(lines)


def pages_phase(report: Report, pair, *, url: str, loads: int = 20, export: bool = True) -> None:
    """Steps 1-4 of the module's docstring; figures into report.extra['pages']."""
    from fieldwork.models import Stage

    print("pages")
    users = users_make(pair)
    derive_phase(report, pair)
    exported = export_phase(report, pair, users["bench_tim"]) if export else None
    kelurahan = stage_phase(report, pair)
    users.update(field_users_make(kelurahan))
    stage = Stage.objects.filter(pair=pair).order_by("number").first()
    from verification.models import Export

    last_export = Export.objects.filter(requested_by=users["bench_tim"]).order_by("-pk").first()
    pages = pages_list(pair, kelurahan, stage.pk, last_export.pk if last_export else None)
    _vacuum()
    rows = pages_time(pages, users, url, loads)
    slow = [where_time_goes(r, users) for r in rows if not r["met"]]
    for s in slow:
        print(
            f"  where the time goes: {s['page']} as {s['as']}: {s['queries']} queries, "
            f"{s['sql_ms']} ms of SQL of {s['in_process_ms']} ms; slowest {s['slowest_ms']} ms:"
        )
        print("    " + s["slowest_sql"][:300])
        for line in s["plan"][:12]:
            print("    " + line)  # fmt: skip
    report.check(
        "every page answered 200",
        all(r["status"] == 200 for r in rows),
        ", ".join(f"{r['page']} ({r['as']}): {r['status']}" for r in rows if r["status"] != 200),
    )
    report.goal(f"pages with p95 < {GOAL_MS} ms", sum(r["met"] for r in rows), len(rows))
    report.extra["pages"] = {"loads": loads, "goal_ms": GOAL_MS, "rows": rows, "slow": slow}
    if exported:
        report.extra["export"] = exported
    print()
    print(pages_table(rows, exported, loads))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", default="pilkada_bench")
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--no-export", action="store_true", help="skip the export job")
    parser.add_argument("--json", help="where the figures go (default bench/last-pages.json)")
    args = parser.parse_args(argv)
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        raise SystemExit("bench.pages: set DATABASE_URL to the PostgreSQL server")
    url = bench_database_url(base, args.database)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-pages"))
    django_setup()
    from django.core.management import call_command

    from bench.report import report_write
    from candidates.models import Pair

    call_command("migrate", verbosity=0)
    report = Report.start(1.0)
    pair = Pair.objects.select_related("election").get(name=PAIR)
    pages_phase(report, pair, url=url, loads=args.loads, export=not args.no_export)
    report_write(report, Path(args.json) if args.json else BENCH_DIR / "last-pages.json")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
