"""Reading where a pair stands (models.Standing), for every layer.

The figures are computed by one function, fieldwork.standing.standing_refresh, whenever what
they count changes (a run ends, a factual verification closes or reopens, a correction or a
confirmed objection in a closed stage), and written down in models.Standing. Pages, the API,
the commands, the minutes and the public check read them here: the same figure everywhere.

The figures of a point (a dict):
    "point":        "now", "vermin:<round>" or "verfak:<number>"
    "stage":        {"name": "submission"|"vermin"|"verfak", "round", "number"?, "status"}
    "MS":           supports counted against the threshold: the MS carried from the closed
                    factual verifications plus the administrative MS of the rounds verified
                    since (PKPU 8/2024 Art. 77(2))
    "carried", "since": those two parts; of `since`, "MS_due_in_field" not yet handed to a
                    factual verification and "MS_in_open_stage" in one still open
    "threshold", "meets_threshold", "shortfall", "repair_required", "meets"
    "spread":       {"required", "achieved", "units", "unit_level", "meets", "shortfall",
                     "reached": [codes], "missing": [codes]}
    "status", "status_label"
    "by_kelurahan": {kelurahan code: MS}, where the recap places each supporter
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.formats import date_format

from candidates.models import Pair, Standing


def standing_read(*, pair: Pair, point: str = Standing.NOW) -> dict | None:
    """The stored figures of the point, or None if the pair never reached it."""
    figures = (
        Standing.objects.filter(pair=pair, point=point).values_list("figures", flat=True).first()
    )
    return figures


# What a list of every election needs of a standing (portal.national): the JSON's small keys
# only, read in the database, not the per-kelurahan and per-unit maps a governor's standing holds.
STANDING_SUMMARY = {
    "stage": "figures__stage",
    "MS": "figures__MS",
    "threshold": "figures__threshold",
    "meets_threshold": "figures__meets_threshold",
    "shortfall": "figures__shortfall",
    "spread_required": "figures__spread__required",
    "spread_achieved": "figures__spread__achieved",
    "spread_meets": "figures__spread__meets",
    "meets": "figures__meets",
    "status": "figures__status",
    "status_label": "figures__status_label",
}


def standings_read(*, pair_ids: Iterable[int], point: str = Standing.NOW) -> dict[int, dict]:
    """The stored figures of many pairs at once, in one query: {pair id: STANDING_SUMMARY's keys}
    of the same row standing_read reads (pairs that never reached the point are absent)."""
    rows = Standing.objects.filter(pair_id__in=pair_ids, point=point).values(
        "pair_id", **{key: models.F(path) for key, path in STANDING_SUMMARY.items()}
    )
    return {row.pop("pair_id"): row for row in rows}


def standing_points(*, pair: Pair) -> dict[str, dict]:
    """Every stored point of the pair: {point: figures}."""
    return dict(Standing.objects.filter(pair=pair).values_list("point", "figures"))


def pair_decided(pair: Pair) -> bool:
    """The KPU has recorded its decision on the pair: it submits nothing more."""
    return pair.decided_at is not None


def pair_undecided_check(pair: Pair) -> None:
    """Refuse any further step for a decided pair (uploads, runs, stages): once the KPU has
    decided, the pair submits nothing more (docs/domain.md, the decision)."""
    if pair.decided_at is None:
        return
    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django.utils.translation import gettext as _

    results = {
        "memenuhi_syarat": _("memenuhi syarat dukungan"),
        "tidak_memenuhi_syarat": _("tidak memenuhi syarat dukungan"),
    }
    raise ValidationError(
        _(
            "Keputusan KPU untuk %(pair)s sudah ditetapkan pada %(date)s (%(result)s): "
            "tidak ada lagi unggahan, verifikasi, atau tahap baru untuk pasangan ini."
        )
        % {
            "pair": pair.name,
            "date": date_format(timezone.localtime(pair.decided_at), "SHORT_DATE_FORMAT"),
            "result": results.get(pair.decision_result, pair.decision_result),
        }
    )
