"""Recap of administrative verification: kelurahan -> kecamatan -> kab/kota -> province, per round
and cumulative, held against the threshold and the spread (docs/domain.md steps 1, 3, 4).

One GROUP BY over the results (which carry pair, round and kelurahan: no join), computed once
when a run ends and stored (verification.derived), then the tree is summed up in Python over
at most a few thousand groups.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from candidates.elections import election_threshold
from candidates.kinds import election_kind
from candidates.models import Election, Pair, Standing
from candidates.spread import spread_regions
from candidates.standing import standing_read
from electorate.areas import KABKOTA, KECAMATAN, code_ancestor
from electorate.models import Region
from staff.access import code_within
from verification.derived import recap_groups
from verification.rules import Outcome, Reason

OUTCOMES = tuple(Outcome.values)


def _empty() -> dict:
    return {"MS": 0, "BMS": 0, "TMS": 0, "total": 0}


def _add(target: dict, outcome: str, n: int) -> None:
    target[outcome] += n
    target["total"] += n


def _names(codes: set[str], region_code: str) -> dict[str, str]:
    names = dict(
        Region.objects.filter(code__startswith=region_code + ".").values_list("code", "name")
    )
    missing = [c for c in codes if c not in names]
    if missing:
        names.update(Region.objects.filter(code__in=missing).values_list("code", "name"))
    return names


def _tree_add(by_region: dict, codes: set[str], kel: str, outcome: str, n: int) -> None:
    """Count n supporters of a kelurahan in it, its kecamatan and its kab/kota."""
    kab, kec = code_ancestor(kel, KABKOTA), code_ancestor(kel, KECAMATAN)
    codes.update((kab, kec, kel))
    kab_entry = by_region.setdefault(kab, {**_empty(), "kecamatan": {}})
    kec_entry = kab_entry["kecamatan"].setdefault(kec, {**_empty(), "kelurahan": {}})
    kel_entry = kec_entry["kelurahan"].setdefault(kel, _empty())
    for target in (kab_entry, kec_entry, kel_entry):
        _add(target, outcome, n)


def _tree_name(by_region: dict, names: dict[str, str]) -> None:
    """Names on every node, children sorted by code."""
    for kab, kab_entry in by_region.items():
        kab_entry["name"] = names.get(kab, "")
        kab_entry["kecamatan"] = dict(sorted(kab_entry["kecamatan"].items()))
        for kec, kec_entry in kab_entry["kecamatan"].items():
            kec_entry["name"] = names.get(kec, "")
            kec_entry["kelurahan"] = dict(sorted(kec_entry["kelurahan"].items()))
            for kel, kel_entry in kec_entry["kelurahan"].items():
                kel_entry["name"] = names.get(kel, "")


def _units(election: Election, unit_ms: dict[str, int], area: str | None) -> list:
    """Every spread unit of the election's region (kab/kota of a province, kecamatan of a
    kab/kota) that lies in the area or holds it, with the MS that counts there (the
    standing's): what the spread chart draws."""
    units = spread_regions(election)
    return [
        {"code": code, "name": name, "MS": unit_ms.get(code, 0)}
        for code, name in units.order_by("code").values_list("code", "name")
        if not area or code_within(code, area) or code_within(area, code)
    ]


def _point(round: int | None) -> str:
    """The standing a recap is held against: now, or as the round's verification left it."""
    return Standing.NOW if round is None else f"vermin:{round}"


def recap_compute(*, pair: Pair, round: int | None = None, area: str | None = None) -> dict:
    """Counts of the round (round=None: cumulative over all rounds, each person once: a record
    resubmitted in a later round is replaced by the later one), held against threshold and spread.

    The figures held against the threshold (meets_threshold, spread, shortfall, status and
    "standing") are the pair's standing (candidates.standing): now, or with a round, as that
    round's administrative verification left it (carried field MS + administrative MS since).

    With an `area` (a region code), every count is of the supporters living in it, and the
    pair's standing (threshold met, shortfall, status) is left out (None): it is a figure of
    the whole list, not of a part of it.
    """
    election: Election = pair.election
    threshold = election_threshold(election)
    kind = election_kind(election)

    scope = _empty()
    scope_reasons = {r.name: 0 for r in Reason}
    cumulative = _empty()
    by_round: dict[str, dict] = {}
    by_region: dict[str, dict] = {}
    codes: set[str] = set()
    verified_rounds: set[int] = set()
    # The GROUP BY over the results, stored when the latest run ended (verification.derived).
    groups = recap_groups(pair=pair)
    # The reason names once: iterating the enum in the loop cost a third of the page's time
    # (21,000 enum lookups for a province's groups; make bench-load, cProfile).
    reason_names = [r.name for r in Reason]
    for kel, rnd, outcome, superseded, n, *sums in groups:
        if area and not code_within(kel, area):
            continue
        verified_rounds.add(rnd)
        entry = by_round.setdefault(
            str(rnd), {**_empty(), "reasons": dict.fromkeys(reason_names, 0)}
        )
        _add(entry, outcome, n)
        for name, value in zip(reason_names, sums, strict=True):
            entry["reasons"][name] += int(value or 0)
        upto = round is None or rnd <= round
        counted_once = upto and not superseded
        if counted_once:
            _add(cumulative, outcome, n)
        in_scope = counted_once if round is None else rnd == round
        if not in_scope:
            continue
        _add(scope, outcome, n)
        for name, value in zip(reason_names, sums, strict=True):
            scope_reasons[name] += int(value or 0)
        _tree_add(by_region, codes, kel, outcome, n)

    _tree_name(by_region, _names(codes, election.region_id))

    # Held against the threshold: the pair's standing (fieldwork.standing, stored in
    # candidates), not this administrative count: after a factual verification the MS that
    # counts are its results plus the administrative MS of the rounds since.
    standing = standing_read(pair=pair, point=_point(round))
    if standing is None and round is not None:
        standing = standing_read(pair=pair)
    whole = not area
    held = standing if whole and standing is not None else None
    unit_ms = dict((standing or {}).get("spread", {}).get("by_unit", {}))
    spread = (held or {}).get("spread", {})
    return {
        "pair": pair.pk,
        "election": election.slug,
        "round": round,
        "area": area or "",
        **scope,
        "reasons": scope_reasons,
        "cumulative": cumulative,
        "verified_rounds": sorted(verified_rounds),
        "threshold": threshold.threshold,
        "threshold_percent": threshold.percent,
        "meets_threshold": held["meets_threshold"] if held else None,
        "spread": {
            "required": threshold.spread_required,
            "achieved": spread.get("achieved"),
            "units": threshold.spread_units,
            "unit_level": kind.spread_key,
            "meets": spread.get("meets"),
            "shortfall": spread.get("shortfall"),
            "by_unit": _units(election, unit_ms, area),
        },
        "shortfall": held["shortfall"] if held else None,
        "rule_set": election.rule_set,
        "repair_required": held["repair_required"] if held else None,
        "status": held["status"] if held else ("belum_diverifikasi" if whole else None),
        "status_label": (
            held["status_label"] if held else (str(_("Belum diverifikasi")) if whole else None)
        ),
        # The standing itself (whole list only): MS that counts, carried and since.
        "standing": held,
        "by_region": dict(sorted(by_region.items())),
        "by_round": dict(sorted(by_round.items())),
    }
