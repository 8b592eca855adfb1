"""The count-and-spread check of a list as submitted, before any verification.

The initial round (DOMAIN.md step 2: penelitian jumlah minimal dukungan dan persebaran): when
the team hands in its list (form B.1-KWK rows) with its own summary per area (form B.2-KWK,
`summary_submit`), the KPU compares the two per spread unit and holds the list, as submitted,
against the threshold and the spread. Short: the list is returned to the team, with the
figures, to be completed within the submission window (`dikembalikan`, deadline = the window's
last day). Still short when the window has closed: the pair does not go on to verification
(`tidak_lanjut`; written on the pair as its decision, and the minutes of the check record it).

A repair round (DOMAIN.md step 4, PKPU 8/2024 Art. 77(2)): the round must hold at least the
repair the pair owes (the shortfall; twice under the 2015-2020 rules: the standing's
`repair_required`) and reach at least as many of the missing spread units as the spread is
short of. Checked at each upload of the round (the team sees it with the upload's result) and
for the round as a whole; short, the rule set decides (REPAIR_SHORT): 2024 records it and the
round goes on (`dicatat`: the minutes of the round's verification state it), 2015-2020
refuses the round's verification until it holds the minimum (`dikembalikan`), and once its
window has closed short the pair does not go on (`tidak_lanjut`).

What is counted (decided here; DOMAIN.md leaves it open), the same for both:
- the rows loaded from the round's files: rows refused at intake (a broken NIK, a date that is
  no date) are not in the list, so they do not count;
- each NIK once, where it is first listed (upload, row), by the kelurahan typed on the row:
  no roll is consulted at this step (that is the verification's work);
- a row whose kelurahan lies outside the election's region is counted apart (`outside`) and
  toward nothing: the B.2-KWK lists the region's units only.
The B.2-KWK's figures are compared, not counted: every unit whose declared figure differs from
the list's is named (team, KPU and minutes see the difference); the list's own count decides.

Every check is a row (models.SubmissionCheck); the latest of a (pair, round) is in force, and
the same figures again make no new row. `submission_gate` is what the verification asks
before it starts (verification.services.verification_start).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.check_text import check_message
from candidates.models import (
    Pair,
    Round,
    SubmissionCheck,
    SubmissionWindow,
    SupportSummary,
    SupportUpload,
)
from candidates.spread import election_units, list_counts
from candidates.standing import standing_read
from candidates.summary import summary_latest
from candidates.thresholds import threshold_compute

log = logging.getLogger(__name__)
Status = SubmissionCheck.Status

# What a repair round short of the repair it owes does, per rule set (Election.RuleSet).
FLAG = "flag"  # recorded and stated in the minutes; the round is verified all the same
REFUSE = "refuse"  # not verified until it holds the minimum; short at the window's close: out
REPAIR_SHORT = {"2024": FLAG, "2015": REFUSE}

# Decision written on the pair when it does not go on to verification (Pair.decision_result):
# the value decisions.models.Decision.Result uses for a pair that does not meet the support.
NOT_MET = "tidak_memenuhi_syarat"

# --- the checks --------------------------------------------------------------------------------


def check_latest(*, pair: Pair, round: int = Round.INITIAL) -> SubmissionCheck | None:
    return SubmissionCheck.objects.filter(pair=pair, round=round).order_by("-pk").first()


def _window(pair: Pair, round: int) -> SubmissionWindow | None:
    return SubmissionWindow.objects.filter(election_id=pair.election_id, round=round).first()


def _in_flight(pair: Pair, round: int) -> bool:
    return SupportUpload.objects.filter(
        pair=pair,
        round=round,
        status__in=[SupportUpload.Status.PENDING, SupportUpload.Status.RUNNING],
    ).exists()


def _as_of_check(as_of: dt.date | None) -> dt.date:
    today = timezone.localdate()
    if as_of is None:
        return today
    if as_of > today:
        raise ValidationError(
            _("Penelitian tidak dapat dicatat untuk tanggal yang belum tiba (%(day)s).")
            % {"day": date_format(as_of, "SHORT_DATE_FORMAT")}
        )
    return as_of


def submission_check_run(
    *,
    pair: Pair,
    round: int = Round.INITIAL,
    as_of: dt.date | None = None,
    summary: SupportSummary | None = None,
    upload: SupportUpload | None = None,
    by: Any = None,
    loading_ok: bool = False,
) -> SubmissionCheck | None:
    """Check the round's list as it stands on `as_of` (default today) and record the result:
    the initial round against the threshold and spread, a repair round against the repair it
    owes (None when the pair has no standing yet to owe one). The same result as the check in
    force makes no new row; a pair that does not proceed stays so. Refused (ValidationError)
    while a file of the round is still being loaded (unless `loading_ok`: an upload's own
    result, told at once, counts what is loaded so far), or once the pair is decided."""
    as_of = _as_of_check(as_of)
    with transaction.atomic():
        pair = Pair.objects.select_for_update().select_related("election").get(pk=pair.pk)
        latest = check_latest(pair=pair, round=round)
        if latest is not None and latest.status == Status.TIDAK_LANJUT:
            return latest
        if pair.decided_at is not None:
            raise ValidationError(
                _("Keputusan atas pasangan ini sudah ditetapkan: tidak ada penelitian lagi.")
            )
        if not loading_ok and _in_flight(pair, round):
            raise ValidationError(
                _(
                    "Masih ada berkas daftar dukungan tahap ini yang sedang diproses: tunggu "
                    "sampai selesai, lalu lakukan penelitian."
                )
            )
        window = _window(pair, round)
        figures: dict | None
        if round == Round.INITIAL:
            summary = summary or summary_latest(pair=pair, round=round)
            figures = _initial_figures(pair, summary)
        else:
            figures = _repair_figures(pair, round, latest, upload)
        if figures is None:
            return None
        closed = window is not None and as_of > window.closes
        status = _status(figures, round=round, closed=closed, rule_set=pair.election.rule_set)
        deadline = window.closes if window is not None and status == Status.DIKEMBALIKAN else None
        figures.update(
            as_of=as_of.isoformat(),
            window=(
                {"opens": window.opens.isoformat(), "closes": window.closes.isoformat()}
                if window
                else None
            ),
            status=status,
            deadline=deadline.isoformat() if deadline else None,
        )
        if latest is not None and _same(latest, figures, summary, upload):
            return latest
        check = SubmissionCheck.objects.create(
            pair=pair,
            round=round,
            status=status,
            figures=figures,
            as_of=as_of,
            deadline=deadline,
            summary=summary if round == Round.INITIAL else None,
            upload=upload,
            checked_by=by if getattr(by, "pk", None) else None,
        )
        audit_record(
            "submission.checked",
            actor=by,
            area=pair.election.region_id,
            target=check,
            data={"pair": pair.pk, "round": round, "status": status,
                  "counted": figures["counted"], "as_of": as_of.isoformat()},
        )  # fmt: skip
        if status == Status.TIDAK_LANJUT:
            _not_proceeding(pair, check, by)
    return check


def _same(latest: SubmissionCheck, figures: dict, summary, upload) -> bool:
    """The check in force already says this (the day it speaks for aside)."""
    ignore = {"as_of"}
    before = {k: v for k, v in latest.figures.items() if k not in ignore}
    after = {k: v for k, v in figures.items() if k not in ignore}
    return (
        before == after
        and latest.summary_id == getattr(summary, "pk", None)
        and latest.upload_id == getattr(upload, "pk", None)
    )


def _status(figures: dict, *, round: int, closed: bool, rule_set: str) -> str:
    if figures["meets"]:
        return Status.MEMENUHI
    if round != Round.INITIAL and REPAIR_SHORT.get(rule_set, FLAG) == FLAG:
        return Status.DICATAT
    return Status.TIDAK_LANJUT if closed else Status.DIKEMBALIKAN


def _not_proceeding(pair: Pair, check: SubmissionCheck, by: Any) -> None:
    """Still short when the window closed: the pair does not go on to verification. Written
    on the pair (Pair.decided_at), where every layer reads that it is decided."""
    now = timezone.now()
    Pair.objects.filter(pk=pair.pk, decided_at__isnull=True).update(
        decided_at=now, decision_result=NOT_MET
    )
    pair.decided_at, pair.decision_result = now, NOT_MET
    audit_record(
        "submission.not_proceeding",
        actor=by,
        area=pair.election.region_id,
        target=pair,
        data={"check": check.pk, "round": check.round, "result": NOT_MET},
    )


def _initial_figures(pair: Pair, summary: SupportSummary | None) -> dict:
    election = pair.election
    units = election_units(election)
    threshold = threshold_compute(
        level=election.level, dpt=election.dpt_count, spread_units=len(units.names)
    )
    listed = list_counts(pair=pair, round=Round.INITIAL, units=units)
    counted = listed.counted()
    reached = listed.reached()
    declared = summary.declared if summary is not None else None
    rows = []
    for code, name in units.names.items():
        n = listed.persons.get(code, 0)
        said = declared.get(code, 0) if declared is not None else None
        rows.append(
            {
                "code": code,
                "name": name,
                "declared": said,
                "listed": n,
                "difference": None if said is None else n - said,
            }
        )
    spread_shortfall = max(0, threshold.spread_required - len(reached))
    rejected = SupportUpload.objects.filter(
        pair=pair, round=Round.INITIAL, status=SupportUpload.Status.DONE
    ).aggregate(n=Sum("rejected"))["n"]
    return {
        "round": Round.INITIAL,
        "threshold": threshold.threshold,
        "percent": threshold.percent,
        "unit_level": units.level,
        "rows": listed.total_rows(),
        "persons": listed.total_persons(),
        "duplicates": listed.total_rows() - listed.total_persons(),
        "outside": listed.outside(),
        "rejected": int(rejected or 0),
        "counted": counted,
        "shortfall": max(0, threshold.threshold - counted),
        "meets_threshold": counted >= threshold.threshold,
        "spread": {
            "units": len(units.names),
            "required": threshold.spread_required,
            "achieved": len(reached),
            "shortfall": spread_shortfall,
            "reached": reached,
            "missing": [code for code in units.names if code not in reached],
            "meets": spread_shortfall == 0,
        },
        "meets": counted >= threshold.threshold and spread_shortfall == 0,
        "units": rows,
        "summary": (
            {
                "id": summary.pk,
                "file": summary.original_name,
                "sha256": summary.sha256,
                "rejected": summary.rejected,
            }
            if summary is not None
            else None
        ),
        "declared_total": sum(declared.values()) if declared is not None else None,
        "differences": [r["code"] for r in rows if r["difference"]],
    }


def _requirement(pair: Pair, round: int, latest: SubmissionCheck | None) -> dict | None:
    """What the round owes: the standing's repair and missing spread while the round is not
    yet counted in it; once it is (the round verified), what the round's checks recorded."""
    standing = standing_read(pair=pair)
    stage = (standing or {}).get("stage") or {}
    counted_in = stage.get("name") in ("vermin", "verfak") and (stage.get("round") or 0) >= round
    if latest is not None and (standing is None or counted_in):
        return latest.figures["owed"]
    if standing is None or counted_in:
        return None
    spread = standing.get("spread") or {}
    return {
        "repair_required": int(standing.get("repair_required") or 0),
        "shortfall": int(standing.get("shortfall") or 0),
        "spread_shortfall": int(spread.get("shortfall") or 0),
        "missing": list(spread.get("missing") or []),
        "point": standing.get("point", "now"),
    }


def _repair_figures(
    pair: Pair, round: int, latest: SubmissionCheck | None, upload: SupportUpload | None
) -> dict | None:
    owed = _requirement(pair, round, latest)
    if owed is None:
        return None
    units = election_units(pair.election)
    listed = list_counts(pair=pair, round=round, units=units)
    missing = owed["missing"]
    covered = [code for code in listed.reached() if code in missing]
    counted = listed.counted()
    shortfall = max(0, owed["repair_required"] - counted)
    spread_left = max(0, owed["spread_shortfall"] - len(covered))
    part = None
    if upload is not None:
        own = list_counts(pair=pair, round=round, units=units, upload_id=upload.pk)
        part = {
            "id": upload.pk,
            "file": upload.original_name,
            "rows": own.total_rows(),
            "counted": own.counted(),
            "covered": [code for code in own.reached() if code in missing],
        }
    return {
        "round": round,
        "policy": REPAIR_SHORT.get(pair.election.rule_set, FLAG),
        "owed": owed,
        "unit_level": units.level,
        "unit_names": {code: units.names.get(code, code) for code in missing},
        "rows": listed.total_rows(),
        "persons": listed.total_persons(),
        "duplicates": listed.total_rows() - listed.total_persons(),
        "outside": listed.outside(),
        "counted": counted,
        "covered": covered,
        "shortfall": shortfall,
        "spread_left": spread_left,
        "meets_count": shortfall == 0,
        "meets_spread": spread_left == 0,
        "meets": shortfall == 0 and spread_left == 0,
        "upload": part,
    }


def upload_check(upload: SupportUpload) -> SubmissionCheck | None:
    """The repair check made when this upload was loaded (the upload's result shows it)."""
    return SubmissionCheck.objects.filter(upload=upload).order_by("-pk").first()


# --- before a verification ---------------------------------------------------------------------


def submission_gate(
    *, pair: Pair, round: int, verified: bool, by: Any = None, check: bool = True
) -> SubmissionCheck | None:
    """Refuse (ValidationError, the figures in Indonesian) the verification of a round whose
    list, as submitted, is not admitted: the initial list short of the threshold or the spread
    (checked now if the check in force does not admit it), a repair round short of its minimum
    under a rule set that refuses, a pair that does not proceed. `verified`: the round already
    has results (a rerun, or verified before the check existed): not held back again.
    `check` False (the operator's in-process command): the check in force only, none made."""
    latest = check_latest(pair=pair, round=round)
    if latest is not None and latest.status == Status.TIDAK_LANJUT:
        raise ValidationError(check_message(latest))
    if verified:
        return latest
    if not check:
        if latest is not None and latest.status == Status.DIKEMBALIKAN:
            raise ValidationError(check_message(latest))
        return latest
    if round == Round.INITIAL:
        if not pair.election.submission_check:
            return latest
        if latest is not None and latest.status == Status.MEMENUHI:
            return latest
    made = submission_check_run(pair=pair, round=round, by=by)
    if made is not None and made.status in (Status.DIKEMBALIKAN, Status.TIDAK_LANJUT):
        raise ValidationError(check_message(made))
    return made


def upload_loaded(sender: Any = None, upload: SupportUpload | None = None, **kwargs: Any) -> None:
    """support_upload_done: a repair round's upload, once loaded, is checked against the
    repair the pair owes (the upload's part and the round as a whole), so that its result
    tells the team at once. Never fails the intake, which has already committed."""
    if upload is None or upload.round == Round.INITIAL:
        return
    try:
        submission_check_run(pair=upload.pair, round=upload.round, upload=upload, loading_ok=True)
    except ValidationError:
        pass  # decided pair: nothing more is checked
    except Exception:
        log.exception("repair check of upload %s failed", upload.pk)
