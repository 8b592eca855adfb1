"""Where a pair stands after its latest stage, as `recap --json` and the decision page tell
it: the standing (fieldwork.standing, stored in candidates.Standing: read, never counted
again here) at the top, the administrative recap and each factual verification beside it.
"""

from __future__ import annotations

from candidates.models import Pair, Standing
from candidates.standing import standing_points
from fieldwork.counts import area_counts
from fieldwork.models import Stage
from fieldwork.standing import standing_now
from verification.recap import recap_compute


def _stage_summary(stage: Stage, frozen: dict | None) -> dict:
    counts = (
        stage.closures.filter(region_code=stage.pair.election.region_id, reopened_at__isnull=True)
        .values_list("counts", flat=True)
        .first()
    ) or area_counts(stage, stage.pair.election.region_id)
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
        # The standing as this stage's close left it (None while it is open).
        "standing_MS": frozen["MS"] if frozen else None,
    }


def standing_report(*, pair: Pair) -> dict:
    """`recap --json`: the standing's figures at the top level ("MS" is the MS that counts),
    "administrative" the administrative recap (its own MS/BMS/TMS), "verfak_stages" each
    factual verification, "final" the standing again (for readers of the older shape)."""
    points = standing_points(pair=pair)  # "now" among them: read once
    standing = points.get(Standing.NOW) or standing_now(pair=pair)
    stages = list(
        Stage.objects.filter(pair=pair).select_related("pair__election").order_by("number")
    )
    summaries = [_stage_summary(s, points.get(f"verfak:{s.number}")) for s in stages]
    return {
        "pair": pair.pk,
        "election": pair.election.slug,
        **standing,
        "administrative": recap_compute(pair=pair),
        "verfak": summaries[-1] if summaries else None,
        "verfak_stages": summaries,
        "final": standing,
        # The KPU's decision, once recorded: when and how (None before).
        "decision": (
            {"result": pair.decision_result, "decided_at": pair.decided_at.isoformat()}
            if pair.decided_at
            else None
        ),
    }
