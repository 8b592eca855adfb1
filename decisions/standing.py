"""Where a pair stands after its latest stage: the administrative recap, the field results of
each factual verification, and the final MS held against the threshold and the spread.

The final MS counts each supporter once: the field result where the supporter was handed to a
factual verification, else (a round verified administratively but not yet in the field) the
administrative MS. That figure sets the repair a pair owes after each stage, and decides.
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from candidates.models import Election, Pair, Round
from candidates.services import election_threshold
from fieldwork.counts import area_counts
from fieldwork.models import Result, Stage, Task
from verification.models import VerificationResult, VerificationRun
from verification.recap import recap_compute
from verification.rules import REPAIR_MULTIPLIER

TASK = Task._meta.db_table
RESULT = VerificationResult._meta.db_table


def _ms_by_kelurahan(pair: Pair) -> tuple[dict[str, int], int]:
    """({kelurahan: final MS}, how many of them are administrative MS still due in the field)."""
    params = {"pair": pair.pk, "ms": Result.MS, "no": False}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kelurahan_code, COUNT(*) FROM {TASK} WHERE pair_id = %(pair)s "
            "AND result = %(ms)s GROUP BY kelurahan_code",
            params,
        )
        field = cursor.fetchall()
        cursor.execute(
            f"""
            SELECT r.kelurahan_code, COUNT(*) FROM {RESULT} r
            WHERE r.pair_id = %(pair)s AND r.outcome = 'MS' AND r.superseded = %(no)s
              AND NOT EXISTS (SELECT 1 FROM {TASK} t WHERE t.supporter_id = r.supporter_id)
            GROUP BY r.kelurahan_code
            """,
            params,
        )
        admin_only = cursor.fetchall()
    per: dict[str, int] = {}
    for code, n in (*field, *admin_only):
        per[code] = per.get(code, 0) + n
    return per, sum(n for _c, n in admin_only)


def final_ms_by_kelurahan(*, pair: Pair) -> dict[str, int]:
    """The final MS per kelurahan (what standing_compute's "final" sums): the minutes of the
    decision list it per area (documents.figures)."""
    return _ms_by_kelurahan(pair)[0]


def _stage_summary(stage: Stage) -> dict:
    counts = area_counts(stage, stage.pair.election.region_id)
    return {
        "number": stage.number,
        "round": stage.round,
        "status": stage.status,
        "opens": stage.opens.isoformat(),
        "closes": stage.closes.isoformat(),
        "MS": counts["MS"],
        "TMS": counts["TMS"],
        "pending": counts["PENDING"],
        "total": counts["total"],
        "by_outcome": {k or "BELUM": v for k, v in counts["by_finding"].items()},
    }


def _current_stage(pair: Pair, stages: list[Stage]) -> dict:
    run = (
        VerificationRun.objects.filter(pair=pair, status=VerificationRun.Status.DONE)
        .order_by("-round")
        .first()
    )
    latest = stages[-1] if stages else None
    if latest is not None and (run is None or latest.round >= run.round):
        return {
            "name": "verfak",
            "number": latest.number,
            "round": latest.round,
            "status": latest.status,
        }
    if run is not None:
        return {"name": "vermin", "round": run.round, "status": "done"}
    return {"name": "submission", "round": 0, "status": "open"}


def standing_compute(*, pair: Pair) -> dict:
    """The recap of `recap --json`: the administrative recap's keys, plus "stage", "verfak"
    (the latest factual verification), "verfak_stages" and "final"."""
    election: Election = pair.election
    recap = recap_compute(pair=pair)
    stages = list(
        Stage.objects.filter(pair=pair).select_related("pair__election").order_by("number")
    )
    summaries = [_stage_summary(s) for s in stages]
    per, due_in_field = _ms_by_kelurahan(pair)
    stage = _current_stage(pair, stages)
    return {
        **recap,
        "stage": stage,
        "verfak": summaries[-1] if summaries else None,
        "verfak_stages": summaries,
        "final": _held(election, per, due_in_field=due_in_field, stage=stage),
    }


def _held(election: Election, per: dict[str, int], *, due_in_field: int, stage: dict) -> dict:
    threshold = election_threshold(election)
    depth = 2 if election.level == Election.Level.GOVERNOR else 3
    prefix = election.region_id + "."
    units: dict[str, int] = {}
    for code, n in per.items():
        if code.startswith(prefix) and n:
            unit = ".".join(code.split(".")[:depth])
            units[unit] = units.get(unit, 0) + n
    ms = sum(n for code, n in per.items() if code.startswith(prefix))
    achieved = len(units)
    shortfall = max(0, threshold.threshold - ms)
    meets = ms >= threshold.threshold and achieved >= threshold.spread_required
    return {
        "MS": ms,
        "MS_due_in_field": due_in_field,
        "threshold": threshold.threshold,
        "meets_threshold": ms >= threshold.threshold,
        "spread": {
            "required": threshold.spread_required,
            "achieved": achieved,
            "units": threshold.spread_units,
            "unit_level": "kabkota" if depth == 2 else "kecamatan",
            "meets": achieved >= threshold.spread_required,
            "shortfall": max(0, threshold.spread_required - achieved),
            "reached": sorted(units),
        },
        "shortfall": shortfall,
        "repair_required": shortfall * REPAIR_MULTIPLIER.get(election.rule_set, 1),
        "meets": meets,
        "status_label": _status_label(meets, stage),
    }


def _status_label(meets: bool, stage: dict) -> str:
    if meets:
        return str(_("Memenuhi syarat jumlah dan sebaran dukungan"))
    if stage["round"] < Round.REPAIR_2:
        return str(_("Wajib menyerahkan perbaikan dukungan"))
    return str(_("Tidak memenuhi syarat jumlah atau sebaran dukungan"))
