"""The benchmark's figures: what each phase measured, the checks and goals, and how they are shown.

`Report` prints each line as it is recorded and keeps it for the end: a markdown table to paste
into docs/benchmarks.md, and the JSON file (bench/last-run.json unless --json says otherwise).
Nothing here touches Django, so that the figures stay separate from the work that produces them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

GOALS = {
    "roll_import_rows_per_s": 150_000,
    "support_csv_rows_per_s": 50_000,
    "verify_recap_over_join_write": 1.25,
    "verify_supporters_per_s": 100_000,
    "verify_peak_rss_mb": 1024,
}


class Report:
    def __init__(self) -> None:
        self.phases: list[dict] = []
        self.checks: list[dict] = []
        self.goals: list[dict] = []
        self.extra: dict = {}

    @classmethod
    def start(cls, scale: float) -> Report:
        """A report stamped with the scale, the start time and the machine."""
        report = cls()
        report.extra.update(
            scale=scale,
            started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            machine=(
                f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}"
            ),
        )
        return report

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


def goals_report(
    report: Report, *, supporters: int, verify_recap_seconds: float, ratio: float, peak_mb: int
) -> None:
    """The measured rates against GOALS (set for a 2-core machine)."""
    print("goals (this 2-core machine)")
    rate = {p["phase"]: p["rows_per_s"] for p in report.phases}
    report.goal(
        "roll import rows/s", rate["roll import (DPT CSV)"], GOALS["roll_import_rows_per_s"]
    )
    report.goal(
        "support intake CSV rows/s", rate["support intake CSV"], GOALS["support_csv_rows_per_s"]
    )
    verify_recap_rate = supporters / (verify_recap_seconds or 1)
    report.goal(
        "verification+recap supporters/s", verify_recap_rate, GOALS["verify_supporters_per_s"]
    )
    report.goal(
        "(verification+recap)/(join+write)",
        ratio,
        GOALS["verify_recap_over_join_write"],
        at_most=True,
    )
    report.goal("verification peak RSS MB", peak_mb, GOALS["verify_peak_rss_mb"], at_most=True)


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
        f"(verification + recap) / (join + write): **{ratio:.2f}** (goal <= 1.25); "
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


def report_write(report: Report, target: Path) -> None:
    """The figures as JSON, stamped with the finishing time."""
    report.extra["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out = {
        "ok": report.ok,
        **report.extra,
        "phases": report.phases,
        "checks": report.checks,
        "goals": report.goals,
    }
    target.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"\nbench: {'PASS' if report.ok else 'FAIL'}; figures in {target}")
