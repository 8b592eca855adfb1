"""The benchmark's phases, in the order they run, each timed into the Report.

setup (elections, pairs, sizes) -> the roll (generate, import) -> the main support list in CSV
(generate, the other pair's list first, intake) -> a separate list in XLSX (generate, intake)
-> the verification in a child process, the recap, and the baseline join on the same tables.
Each phase returns what the later ones and the checks need. Imports Django models: import this
module only after environment_prepare.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from django.core.management import call_command
from django.db import connection, transaction

from bench.report import Report, timed
from bench.verify import verify_in_child
from candidates.intake import support_upload_create, support_upload_run
from candidates.services import election_create, pair_create
from electorate.models import VoterRoll
from electorate.regions import regions_load
from electorate.roll_import import roll_import_create, roll_import_run
from seeds.dki import DKI_DPT_2024, DKI_UPLOAD_2024, MANGLED_SHARE_2024, defects_for, scale, spread
from seeds.population import RollSpec, roll_generate
from seeds.support import Manifest, support_generate
from verification.recap import recap_compute

ELECTION = "pilgub-dki-2024"
VOTING_DAY = dt.date(2024, 11, 27)
DPT = 8_252_897
PAIR = "Dharma Pongrekun - Kun Wardana"
OTHER_PAIR = "Pasangan Pembanding"


@dataclass
class Case:
    """What a run works on: its elections and pairs, and the sizes at this scale."""

    work: Path
    election: Any
    pair: Any
    other_pair: Any
    xlsx_pair: Any
    per_roll: dict[str, int]
    per_upload: dict[str, int]
    defects: dict[str, int]
    mangled: int
    other_rows: int
    xlsx_rows: int

    @property
    def roll_rows(self) -> int:
        return sum(self.per_roll.values())

    @property
    def upload_rows(self) -> int:
        return sum(self.per_upload.values())

    @property
    def supporters(self) -> int:
        """The main list's rows that intake keeps: what verification works on."""
        return self.upload_rows - self.mangled


class Roll(NamedTuple):
    spec: RollSpec
    job: Any  # the RollImport


class Intake(NamedTuple):
    manifest: Manifest
    upload: Any  # the SupportUpload


@dataclass
class Verified:
    result: dict  # from the child: seconds, run_id, status, counts
    peak_mb: int
    recap: dict
    recap_seconds: float
    join_seconds: float
    joined: int  # rows the baseline join matched
    join_write_seconds: float  # the join that also writes one row per supporter

    @property
    def verify_recap_seconds(self) -> float:
        return self.result["seconds"] + self.recap_seconds

    @property
    def ratio(self) -> float:
        """(verification + recap) against the honest limit: the join that writes."""
        base = self.join_write_seconds
        return self.verify_recap_seconds / base if base else 0.0


def setup(work: Path, run_scale: float, xlsx_rows: int) -> Case:
    """Migrate, load the regions, create the elections and pairs, and size the run."""
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
        name="DPT Pilgub DKI 2024 (sintetis)",
        region=election.region,
        kind=VoterRoll.Kind.DPT,
        voting_day=election.voting_day,
    )
    election.save(update_fields=["roll"])
    pair = pair_create(election=election, name=PAIR)
    other_pair = pair_create(election=election, name=OTHER_PAIR)
    # A separate election for the XLSX intake, so its supporters do not meet the main list's.
    xlsx_election = election_create(
        slug="bench-xlsx", region_code="31", level="governor", dpt=DPT, voting_day=VOTING_DAY
    )
    xlsx_pair = pair_create(election=xlsx_election, name="Pasangan XLSX")
    per_upload = scale(DKI_UPLOAD_2024, run_scale)
    upload_rows = sum(per_upload.values())
    defects = defects_for(upload_rows)
    return Case(
        work=work,
        election=election,
        pair=pair,
        other_pair=other_pair,
        xlsx_pair=xlsx_pair,
        per_roll=scale(DKI_DPT_2024, run_scale),
        per_upload=per_upload,
        defects=defects,
        mangled=max(3, int(upload_rows * MANGLED_SHARE_2024)),
        other_rows=max(2 * defects["DUPLICATE_EXTERNAL"], 10),
        xlsx_rows=max(100, round(xlsx_rows * min(1.0, run_scale))),
    )


def roll(report: Report, case: Case) -> Roll:
    """Generate the DPT CSV, then import it (storing the file and loading the voters)."""
    print("phases")
    roll_path = case.work / "dpt-dki-2024.csv"
    spec, seconds = timed(
        roll_generate, path=roll_path, per_kabkota=case.per_roll, voting_day=VOTING_DAY, seed=1
    )
    report.phase("roll generation", case.roll_rows, seconds)
    with roll_path.open("rb") as fh:
        (job, _created), s1 = timed(
            roll_import_create, roll=case.election.roll, file=fh, original_name=roll_path.name
        )
    job, s2 = timed(roll_import_run, import_id=job.pk)
    report.phase("roll import (DPT CSV)", case.roll_rows, s1 + s2)
    report.extra["roll_import_store_seconds"] = s1
    return Roll(spec, job)


def _upload(pair, path: Path) -> tuple[Any, float]:
    """Store and run one support upload: (the upload, seconds)."""
    with path.open("rb") as fh:
        (upload, _created), s1 = timed(
            support_upload_create, pair=pair, file=fh, original_name=path.name
        )
    upload, s2 = timed(support_upload_run, upload_id=upload.pk)
    return upload, s1 + s2


def intake_csv(report: Report, case: Case, spec: RollSpec) -> Intake:
    """The main list, with the other pair's list that shares some of its NIKs."""
    support_path = case.work / "dukungan-b1kwk.csv"
    other_path = case.work / "dukungan-pembanding.csv"
    manifest, seconds = timed(
        support_generate,
        path=support_path,
        roll=spec,
        per_kabkota=case.per_upload,
        defects=case.defects,
        election_region="31",
        voting_day=VOTING_DAY,
        seed=2,
        other_pair_path=other_path,
        other_pair_count=case.other_rows,
        mangled=case.mangled,
    )
    report.phase("support list generation (CSV)", case.upload_rows + case.other_rows, seconds)
    # The other pair uploads first (untimed): its list is what makes DUPLICATE_EXTERNAL.
    _upload(case.other_pair, other_path)
    upload, seconds = _upload(case.pair, support_path)
    report.phase("support intake CSV", case.upload_rows, seconds)
    return Intake(manifest, upload)


def intake_xlsx(report: Report, case: Case, spec: RollSpec) -> Intake:
    """A list of its own election in XLSX, Excel's date and number cells included."""
    xlsx_path = case.work / "dukungan-b1kwk.xlsx"
    rows = case.xlsx_rows
    manifest, seconds = timed(
        support_generate,
        path=xlsx_path,
        roll=spec,
        per_kabkota=spread(rows, case.per_upload),
        defects={k: v for k, v in defects_for(rows).items() if k != "DUPLICATE_EXTERNAL"},
        election_region="31",
        voting_day=VOTING_DAY,
        seed=3,
        fmt="xlsx",
        mangled=max(3, int(rows * MANGLED_SHARE_2024)),
    )
    report.phase("support list generation (XLSX)", rows, seconds)
    upload, seconds = _upload(case.xlsx_pair, xlsx_path)
    report.phase("support intake XLSX", rows, seconds)
    return Intake(manifest, upload)


def verification(report: Report, case: Case) -> Verified:
    """The verification (child process) and the recap, then the baseline on the same tables."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()  # the child opens its own; nothing of ours is held during the run
    result, peak_mb = verify_in_child(case.pair.pk)
    report.phase("verification (child process)", case.supporters, result["seconds"])
    recap, recap_seconds = timed(recap_compute, pair=case.pair)
    report.phase("recap", case.supporters, recap_seconds)
    join_seconds, joined = baseline_join(case.pair.pk, case.election.roll_id)
    report.phase("baseline: plain SQL join (count)", case.supporters, join_seconds)
    write_seconds = baseline_join_write(case.pair.pk, case.election.roll_id)
    report.phase("baseline: join + write one row each", case.supporters, write_seconds)
    return Verified(result, peak_mb, recap, recap_seconds, join_seconds, joined, write_seconds)


def baseline_join_write(pair_id: int, roll_id: int) -> float:
    """The honest limit of the verification's work: the supporters LEFT JOINed against the
    roll and one row per supporter INSERTed into a logged table shaped like the results (same
    primary key and index), in one statement, committed. Written two ways, best of three each:
    as the join returns the rows (in the roll's order: a random leaf of the primary key per
    row) and in supporter id order (a sort, then the key filled at its right edge, as the
    engine writes). The faster way is the limit."""
    from verification.models import VerificationResult

    results = VerificationResult._meta.db_table
    insert = (
        "INSERT INTO bench_join_write (supporter_id, run_id, pair_id, round, "
        "kelurahan_code, reasons, outcome, voter_id, superseded) "
        "SELECT s.id, 0, s.pair_id, s.round, COALESCE(v.kelurahan_code, s.kelurahan_id), "
        "CASE WHEN v.id IS NULL THEN 2 ELSE 0 END, "
        "CASE WHEN v.id IS NULL THEN 'TMS' ELSE 'MS' END, v.id, false "
        "FROM candidates_supporter s "
        "LEFT JOIN electorate_voter v ON v.roll_id = %s AND v.nik_hash = s.nik_hash "
        "WHERE s.pair_id = %s"
    )
    best = float("inf")
    for _ in range(3):
        for order in ("", " ORDER BY s.id"):
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_join_write")
                cursor.execute(
                    f"CREATE TABLE bench_join_write (LIKE {results} INCLUDING DEFAULTS "
                    "INCLUDING CONSTRAINTS INCLUDING INDEXES)"
                )
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute(insert + order, [roll_id, pair_id])
            best = min(best, time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_join_write")
    return best


def baseline_join(pair_id: int, roll_id: int) -> tuple[float, int]:
    """One plain SQL join of the pair's supporters against the roll: best of three runs."""
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
