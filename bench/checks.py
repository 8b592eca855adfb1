"""The benchmark's correctness checks: figures count only if the work was right.

Every planted defect found, count for count per reason and outcome; intake rejecting exactly the
Excel-mangled rows; the roll taken whole; the other pair seeing exactly the NIKs it shares with
the main list. A failed check makes the run exit non-zero. Imports Django models (through
seeds): import this module only after environment_prepare.
"""

from __future__ import annotations

from bench.phases import Case, Intake, Roll, Verified
from bench.report import Report
from bench.verify import verification_run
from seeds.defects import REASONS
from seeds.support import Manifest
from verification.recap import recap_compute


def checks_run(
    report: Report, case: Case, roll: Roll, main: Intake, xlsx: Intake, verified: Verified
) -> None:
    print("checks")
    job = roll.job
    report.check(
        "roll import took every row",
        job.status == "done" and job.accepted == case.roll_rows and job.rejected == 0,
        f"status {job.status}, accepted {job.accepted:,}/{case.roll_rows:,}, "
        f"rejected {job.rejected}",
    )
    _intake_checks(report, main, xlsx)
    status = verified.result["status"]
    report.check("verification finished", status == "done", status)
    _found_checks(report, verified.recap, main.manifest)
    _other_pair_check(report, case.other_pair, main.manifest)


def _intake_checks(report: Report, main: Intake, xlsx: Intake) -> None:
    for name, (man, up) in (("CSV intake", main), ("XLSX intake", xlsx)):
        report.check(
            f"{name} rejected exactly the Excel-mangled rows",
            up.status == "done" and up.rejected == man.rejected and up.accepted == man.accepted,
            f"status {up.status}, accepted {up.accepted:,} (expected {man.accepted:,}), "
            f"rejected {up.rejected:,} (expected {man.rejected:,})",
        )


def _found_checks(report: Report, recap: dict, manifest: Manifest) -> None:
    """Every reason and outcome the recap counts, against what was planted."""
    for reason in REASONS:
        got, want = recap["reasons"].get(reason), manifest.reasons[reason]
        report.check(f"reason {reason}", got == want, f"found {got:,}, planted {want:,}")
    for outcome in ("MS", "BMS", "TMS"):
        got, want = recap.get(outcome), manifest.outcomes[outcome]
        report.check(f"outcome {outcome}", got == want, f"found {got:,}, expected {want:,}")


def _other_pair_check(report: Report, other_pair, manifest: Manifest) -> None:
    """The other pair's list: verified after the main one, it must see exactly the shared NIKs."""
    if not manifest.other_pair:
        return
    verification_run(other_pair)
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
