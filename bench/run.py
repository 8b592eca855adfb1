"""Jakarta-scale benchmark: python -m bench.run [--scale 1.0] [--keep] [--xlsx-rows 100000]

Runs with DATABASE_URL pointing at PostgreSQL, in a database of its own (`pilkada_bench` on the
same server, dropped and created afresh; kept after the run with --keep). It generates the DKI
2024 case (8,252,897 voters spread over the kab/kota as in docs/domain.md, 840,640 supporters spread
like the real upload with planted defects of every reason), imports, verifies and recaps it,
timing every phase. The baseline, measured in the same run on the same tables, is one plain SQL
join of the supporters against the roll. The verification runs in a child process so that its
peak memory can be read. Correctness checks: every planted defect found, count for count per
reason, and intake rejecting exactly the Excel-mangled rows; a failed check exits non-zero.
Figures go to stdout (with a table to paste into docs/benchmarks.md) and to bench/last-run.json.

Here: the command line and the order of the phases. environment.py (the database and files of
our own), phases.py (the timed work), verify.py (the child process; the one place that names
the engine), checks.py (correctness), labels.py (the name and occupation rules on their labelled
sets), pages.py (the pages through gunicorn and the export of the whole list, after the checks),
report.py (figures, goals, table, JSON).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.environment import BENCH_DIR, environment_cleanup, environment_prepare
from bench.report import Report, goals_report, markdown_table, report_write


def run(args: argparse.Namespace) -> int:
    env = environment_prepare(args)
    from bench import phases  # imports Django models: only once Django is set up
    from bench.checks import checks_run

    report = Report.start(args.scale)
    print(f"bench: database {env.database}, files in {env.work}, scale {args.scale}")
    case = phases.setup(env.work, args.scale, args.xlsx_rows)
    roll = phases.roll(report, case)
    main = phases.intake_csv(report, case, roll.spec)
    xlsx = phases.intake_xlsx(report, case, roll.spec)
    verified = phases.verification(report, case)
    _figures_record(report, main, xlsx, verified)
    checks_run(report, case, roll, main, xlsx, verified)
    _labels_record(report)
    if not args.no_pages:
        from bench.pages import pages_phase

        pages_phase(report, case.pair, url=env.url, loads=args.page_loads)
    _conclude(report, case, main, verified, Path(args.json) if args.json else None)
    environment_cleanup(env, keep=args.keep)
    return 0 if report.ok else 1


def _figures_record(report: Report, main, xlsx, verified) -> None:
    """The verification's figures and both manifests, kept for the JSON file."""
    report.extra.update(
        verify_peak_rss_mb=verified.peak_mb,
        verify_recap_over_join_write=verified.ratio,
        baseline_join_write_seconds=round(verified.join_write_seconds, 3),
        baseline_join_matches=verified.joined,
        manifest=main.manifest.to_dict(),
        xlsx_manifest=xlsx.manifest.to_dict(),
        recap={
            k: verified.recap.get(k) for k in ("MS", "BMS", "TMS", "reasons", "threshold", "spread")
        },
    )
    print(
        f"  verification peak RSS {verified.peak_mb} MB; "
        f"(verification + recap) / (join + write) = {verified.ratio:.2f}"
    )


def _labels_record(report: Report) -> None:
    """The name comparison and the occupation match on their labelled sets (bench/labels.py)."""
    from bench.labels import labels_report

    print("labelled sets (names, occupations)")
    labels = labels_report()
    report.extra["labels"] = labels
    report.check("labelled names: no different given name accepted, >= 97% variants matched",
                 labels["names"]["met"])  # fmt: skip
    report.check("labelled occupations: every one right", labels["occupations"]["met"])


def _conclude(report: Report, case, main, verified, target: Path | None) -> None:
    """Goals, the markdown table for docs/benchmarks.md, and the JSON file."""
    goals_report(
        report,
        supporters=case.supporters,
        verify_recap_seconds=verified.verify_recap_seconds,
        ratio=verified.ratio,
        peak_mb=verified.peak_mb,
    )
    print()
    print(
        markdown_table(
            report, verified.peak_mb, verified.ratio, main.manifest.reasons, verified.recap
        )
    )
    if "pages" in report.extra:
        from bench.pages import pages_table

        print()
        print(pages_table(report.extra["pages"]["rows"], report.extra.get("export"),
                          report.extra["pages"]["loads"]))  # fmt: skip
    report_write(report, target or BENCH_DIR / "last-run.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = DKI 2024 (8.25M / 840,640)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the XLSX list")
    parser.add_argument("--database", default="pilkada_bench", help="database name to (re)create")
    parser.add_argument("--workdir", help="where the generated files go (default var/bench)")
    parser.add_argument("--json", help="where the figures go (default bench/last-run.json)")
    parser.add_argument("--page-loads", type=int, default=20, help="loads of each page timed")
    parser.add_argument("--no-pages", action="store_true", help="skip the pages and the export")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
