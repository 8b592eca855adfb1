"""Cost that grows in a straight line: python -m bench.scale [--sizes 1,2,4,8,16]

For each size (millions of voters), in one database of its own (`pilkada_scale` on the server
DATABASE_URL names, dropped and made anew): a West Java governor election whose synthetic roll
holds that many voters, spread over the province's 27 kab/kota by their number of
kelurahan/desa (West Java's real DPT is 35.9M: 16M is a real province's order), and one pair's
support list of 10% of it with the 2024 mix of defects. Three phases are timed, each as
`make bench` times it: roll import (the file kept + COPY), support-list intake (the file kept +
parse + COPY), verification (a child process, peak memory read). Then seconds per million rows
per phase and size, a plot (docs/bench-scale.png) and whether seconds per million stay within
1.3x from the smallest size to the largest (the largest over the smallest of every size's
figure, per phase). The verification's MS/BMS/TMS are checked against what was planted, so
that a fast figure is a right one.

Each size starts from empty data tables (the previous size's voters and supporters truncated,
its files deleted): the curve is the work growing with its own size. --accumulate keeps them,
so that the largest size runs beside 1+2+4+8 M voters of earlier rolls, as in a database that
serves many elections. Disk: the 16M size needs about 12 GB at its peak (CSV, its kept copy,
the table and its indexes); files are deleted as soon as they are stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.environment import ROOT, environment_cleanup, environment_prepare
from bench.report import timed

PROVINCE = "32"  # Jawa Barat
VOTING_DAY = dt.date(2024, 11, 27)
SUPPORT_SHARE = 0.10
GOAL_SPREAD = 1.3
PHASES = ("roll import", "support intake", "verification")
DEFAULT_PNG = ROOT / "docs" / "bench-scale.png"
DEFAULT_JSON = ROOT / "bench" / "last-scale.json"


@dataclass
class Point:
    size_m: float
    phase: str
    rows: int
    seconds: float

    @property
    def per_million(self) -> float:
        return self.seconds / (self.rows / 1e6) if self.rows else 0.0


def _kabkota_weights() -> dict[str, int]:
    """The province's kab/kota, weighted by how many kelurahan/desa each has."""
    from collections import Counter

    from electorate.models import Region

    codes = Region.objects.filter(
        level=Region.Level.KELURAHAN, code__startswith=PROVINCE + "."
    ).values_list("code", flat=True)
    return dict(sorted(Counter(code[:5] for code in codes).items()))


def setup() -> dict[str, int]:
    from django.core.management import call_command

    from electorate.regions import regions_load

    _, seconds = timed(call_command, "migrate", verbosity=0)
    started = time.perf_counter()
    for province in ("31", PROVINCE, "36"):  # Jakarta and Banten: NIKs issued elsewhere
        regions_load(province=province)
    print(f"setup: migrate {seconds:.1f} s, regions {time.perf_counter() - started:.1f} s")
    return _kabkota_weights()


def data_clear(media: Path) -> None:
    """The previous size's voters, supporters (and, by cascade, results) and files: gone."""
    from django.db import connection

    from candidates.models import Supporter
    from electorate.models import Voter

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Voter._meta.db_table}, {Supporter._meta.db_table} CASCADE")
    shutil.rmtree(media, ignore_errors=True)


def size_run(size_m: float, weights: dict[str, int], work: Path) -> tuple[list[Point], dict]:
    """One size: election, roll (generate, import), list (generate, intake), verification."""
    from django.db import connection

    from bench.verify import verify_in_child
    from candidates.intake import support_upload_create, support_upload_run
    from candidates.services import election_create, pair_create
    from electorate.models import VoterRoll
    from electorate.roll_import import roll_import_create, roll_import_run
    from seeds.dki import MANGLED_SHARE_2024, defects_for, spread
    from seeds.population import roll_generate
    from seeds.support import support_generate

    voters = round(size_m * 1_000_000)
    label = f"{size_m:g}M"
    election = election_create(
        slug=f"scale-{label.lower()}-{int(time.time())}", region_code=PROVINCE,
        level="governor", dpt=voters, voting_day=VOTING_DAY,
    )  # fmt: skip
    election.roll = VoterRoll.objects.create(
        name=f"DPT sintetis {label}",
        region=election.region,
        kind=VoterRoll.Kind.DPT,
        voting_day=election.voting_day,
    )
    election.save(update_fields=["roll"])
    pair = pair_create(election=election, name=f"Pasangan {label}")
    per_roll = spread(voters, weights)

    roll_path = work / f"dpt-{label}.csv"
    spec, gen_roll = timed(
        roll_generate, path=roll_path, per_kabkota=per_roll, voting_day=VOTING_DAY, seed=1
    )
    with roll_path.open("rb") as fh:
        (job, _), s1 = timed(
            roll_import_create, roll=election.roll, file=fh, original_name=roll_path.name
        )
    roll_path.unlink()  # kept (encrypted) by the import: the CSV is no longer needed
    job, s2 = timed(roll_import_run, import_id=job.pk)

    rows = round(voters * SUPPORT_SHARE)
    list_path = work / f"dukungan-{label}.csv"
    defects = {k: v for k, v in defects_for(rows).items() if k != "DUPLICATE_EXTERNAL"}
    manifest, gen_list = timed(
        support_generate, path=list_path, roll=spec, per_kabkota=spread(rows, per_roll),
        defects=defects, election_region=PROVINCE, voting_day=VOTING_DAY, seed=2,
        mangled=max(3, int(rows * MANGLED_SHARE_2024)),
    )  # fmt: skip
    with list_path.open("rb") as fh:
        (upload, _), s3 = timed(
            support_upload_create, pair=pair, file=fh, original_name=list_path.name
        )
    list_path.unlink()
    upload, s4 = timed(support_upload_run, upload_id=upload.pk)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as `make bench` does before its verification
    connection.close()  # the child opens its own
    result, peak_mb = verify_in_child(pair.pk)

    points = [
        Point(size_m, "roll import", voters, s1 + s2),
        Point(size_m, "support intake", manifest.rows, s3 + s4),
        Point(size_m, "verification", manifest.accepted, result["seconds"]),
    ]
    counts = result.get("counts", {})
    checks = {
        "roll import took every row": job.status == "done" and job.accepted == voters,
        "intake kept exactly the rows it should": upload.accepted == manifest.accepted,
        "verification found what was planted": result.get("status") == "done"
        and all(counts.get(k) == manifest.outcomes[k] for k in ("MS", "BMS", "TMS")),
    }
    info = {
        "size_m": size_m,
        "generation_seconds": {"roll": round(gen_roll, 2), "list": round(gen_list, 2)},
        "verification_peak_rss_mb": peak_mb,
        "checks": checks,
        "outcomes": {k: counts.get(k) for k in ("MS", "BMS", "TMS")},
        "planted": manifest.outcomes,
    }
    for p in points:
        print(
            f"  {label:>6} {p.phase:<15} {p.rows:>12,} rows {p.seconds:9.2f} s "
            f"{p.per_million:8.2f} s per million", flush=True
        )  # fmt: skip
    print(f"  {label:>6} verification peak RSS {peak_mb} MB; generation (untimed) roll "
          f"{gen_roll:.1f} s, list {gen_list:.1f} s")  # fmt: skip
    for name, ok in checks.items():
        print(f"  {label:>6} [{'PASS' if ok else 'FAIL'}] {name}")
    return points, info


def spreads(points: list[Point]) -> dict[str, dict]:
    """Per phase: seconds per million at the smallest and the largest size, and the largest
    over the smallest figure of any size (the goal: at most 1.3)."""
    out = {}
    for phase in PHASES:
        mine = sorted((p for p in points if p.phase == phase), key=lambda p: p.size_m)
        figures = [p.per_million for p in mine]
        if not figures or min(figures) <= 0:
            continue
        spread = max(figures) / min(figures)
        fixed, slope = _fit([p.rows / 1e6 for p in mine], [p.seconds for p in mine])
        out[phase] = {
            "smallest": round(figures[0], 3),
            "largest": round(figures[-1], 3),
            "largest_over_smallest": round(figures[-1] / figures[0], 3),
            "max_over_min": round(spread, 3),
            "met": spread <= GOAL_SPREAD,
            "fit_fixed_seconds": round(fixed, 3),
            "fit_seconds_per_million": round(slope, 3),
        }
    return out


def _fit(x: list[float], y: list[float]) -> tuple[float, float]:
    """Least squares seconds = fixed + slope * millions: a size-independent cost (starting a
    run, a process) shows as `fixed` and inflates the small sizes' figure, which is not a
    curve bending upward; growth faster than linear shows as the large sizes above the line."""
    n = len(x)
    if n < 2:
        return 0.0, (y[0] / x[0] if n and x[0] else 0.0)
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    slope = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / sxx if sxx else 0.0
    return my - slope * mx, slope


def table(points: list[Point]) -> str:
    sizes = sorted({p.size_m for p in points})
    head = "| phase | " + " | ".join(f"{s:g}M voters" for s in sizes) + " | max / min |"
    lines = [
        "Seconds per million rows (roll import: voters; intake and verification: the 10% list):",
        "",
        head,
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    spread_of = spreads(points)
    for phase in PHASES:
        cells = []
        for s in sizes:
            p = next((p for p in points if p.phase == phase and p.size_m == s), None)
            cells.append(f"{p.per_million:.2f}" if p else "")
        ratio = spread_of.get(phase, {}).get("max_over_min", 0.0)
        cells.append(f"{ratio:.2f}")
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(points: list[Point], path: Path, machine: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted({p.size_m for p in points})
    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=110)
    for phase in PHASES:
        mine = sorted((p for p in points if p.phase == phase), key=lambda p: p.size_m)
        (line,) = ax.plot(
            [p.size_m for p in mine], [p.per_million for p in mine], marker="o", label=phase
        )
        if mine:
            lo = min(p.per_million for p in mine)
            ax.fill_between(sizes, lo, lo * GOAL_SPREAD, color=line.get_color(), alpha=0.1)
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [f"{s:g}M" for s in sizes])
    ax.set_xlabel("voters in the roll (support list: 10%)")
    ax.set_ylabel("seconds per million rows")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Cost per million rows by size (shaded: within {GOAL_SPREAD}x); {machine}")
    ax.title.set_fontsize(9)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    sizes = sorted(float(s) for s in args.sizes.split(","))
    env = environment_prepare(args)
    import platform

    machine = f"{platform.machine()}, {os.cpu_count()} CPU"
    print(f"bench.scale: database {env.database}, files in {env.work}, sizes {sizes} M")
    weights = setup()
    media = Path(os.environ["MEDIA_ROOT"])
    points: list[Point] = []
    infos = []
    for i, size in enumerate(sizes):
        if i and not args.accumulate:
            data_clear(media)
        mine, info = size_run(size, weights, env.work)
        points += mine
        infos.append(info)
    print()
    print(table(points))
    result = spreads(points)
    print()
    for phase, s in result.items():
        print(f"  [{'met' if s['met'] else 'MISSED'}] {phase}: seconds per million within "
              f"{GOAL_SPREAD}x from {sizes[0]:g}M to {sizes[-1]:g}M: {s['max_over_min']:.2f}x "
              f"({s['smallest']:.2f} -> {s['largest']:.2f}); fit: {s['fit_fixed_seconds']:.2f} s "
              f"fixed + {s['fit_seconds_per_million']:.2f} s per million")  # fmt: skip
    ok = all(all(i["checks"].values()) for i in infos)
    png = Path(args.png)
    plot(points, png, machine)
    print(f"  plot: {png}")
    figures = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "sizes_m": sizes,
        "accumulate": args.accumulate,
        "points": [asdict(p) | {"per_million": round(p.per_million, 3)} for p in points],
        "spreads": result,
        "sizes": infos,
        "checks_ok": ok,
    }
    Path(args.json).write_text(json.dumps(figures, indent=2, default=str) + "\n")
    environment_cleanup(env, keep=args.keep)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes",
        default="1,2,4,8,16",
        help="millions of voters, e.g. 0.25,0.5,1 (at least 0.04: 27 kab/kota share the list)",
    )
    parser.add_argument(
        "--accumulate",
        action="store_true",
        help="keep each size's data: the later sizes run beside the earlier",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--database", default="pilkada_scale")
    parser.add_argument("--workdir", help="generated files (default var/bench-scale)")
    parser.add_argument("--png", default=str(DEFAULT_PNG))
    parser.add_argument("--json", default=str(DEFAULT_JSON))
    args = parser.parse_args(argv)
    args.workdir = args.workdir or str(ROOT / "var" / "bench-scale")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
