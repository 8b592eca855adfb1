"""Recap of administrative verification: kelurahan -> kecamatan -> kab/kota -> province, per round
and cumulative, held against the threshold and the spread (DOMAIN.md steps 1, 3, 4).

One GROUP BY over the results (which carry pair, round and kelurahan: no join), then the tree is
summed up in Python over at most a few thousand groups.
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from candidates.models import Election, Pair, Round
from candidates.services import election_threshold
from electorate.models import Region
from verification.models import VerificationResult
from verification.rules import REPAIR_MULTIPLIER, Outcome, Reason, reason_counts_sql

OUTCOMES = tuple(Outcome.values)


def _empty() -> dict:
    return {"MS": 0, "BMS": 0, "TMS": 0, "total": 0}


def _add(target: dict, outcome: str, n: int) -> None:
    target[outcome] += n
    target["total"] += n


def _groups(pair_id: int) -> list[tuple]:
    sums = reason_counts_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT kelurahan_code, round, outcome, superseded, COUNT(*), {sums}
            FROM {VerificationResult._meta.db_table} WHERE pair_id = %s
            GROUP BY kelurahan_code, round, outcome, superseded
            """,
            [pair_id],
        )
        return cursor.fetchall()


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
    kab, kec = ".".join(kel.split(".")[:2]), ".".join(kel.split(".")[:3])
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


def _status(*, verified: bool, meets: bool, latest_round: int) -> tuple[str, str]:
    if not verified:
        return "belum_diverifikasi", _("Belum diverifikasi")
    if meets:
        return "memenuhi_syarat", _("Memenuhi syarat jumlah dan sebaran dukungan")
    if latest_round < Round.REPAIR_2:
        return "perlu_perbaikan", _("Wajib menyerahkan perbaikan dukungan")
    return "tidak_memenuhi_syarat", _("Tidak memenuhi syarat jumlah atau sebaran dukungan")


def recap_compute(*, pair: Pair, round: int | None = None) -> dict:
    """Counts of the round (round=None: cumulative over all rounds, each person once: a record
    resubmitted in a later round is replaced by the later one), held against threshold and spread.

    MS counted against the threshold is always cumulative up to the round: repair supporters add
    to the MS of the earlier rounds.
    """
    election: Election = pair.election
    threshold = election_threshold(election)
    unit_depth = 2 if election.level == Election.Level.GOVERNOR else 3
    region_prefix = election.region_id + "."

    scope = _empty()
    scope_reasons = {r.name: 0 for r in Reason}
    cumulative = _empty()
    by_round: dict[str, dict] = {}
    by_region: dict[str, dict] = {}
    unit_ms: dict[str, int] = {}
    codes: set[str] = set()
    verified_rounds: set[int] = set()
    groups = _groups(pair.pk)
    for kel, rnd, outcome, superseded, n, *sums in groups:
        verified_rounds.add(rnd)
        entry = by_round.setdefault(str(rnd), {**_empty(), "reasons": {r.name: 0 for r in Reason}})
        _add(entry, outcome, n)
        for r, value in zip(Reason, sums, strict=True):
            entry["reasons"][r.name] += int(value or 0)
        upto = round is None or rnd <= round
        counted_once = upto and not superseded
        if counted_once:
            _add(cumulative, outcome, n)
            if outcome == Outcome.MS and kel.startswith(region_prefix):
                unit = ".".join(kel.split(".")[:unit_depth])
                unit_ms[unit] = unit_ms.get(unit, 0) + n
        in_scope = counted_once if round is None else rnd == round
        if not in_scope:
            continue
        _add(scope, outcome, n)
        for r, value in zip(Reason, sums, strict=True):
            scope_reasons[r.name] += int(value or 0)
        _tree_add(by_region, codes, kel, outcome, n)

    _tree_name(by_region, _names(codes, election.region_id))

    ms = cumulative["MS"]
    achieved = sum(1 for n in unit_ms.values() if n > 0)
    meets_threshold = ms >= threshold.threshold
    meets_spread = achieved >= threshold.spread_required
    shortfall = max(0, threshold.threshold - ms)
    multiplier = REPAIR_MULTIPLIER.get(election.rule_set, 1)
    latest = max(verified_rounds) if verified_rounds else Round.INITIAL
    status, label = _status(
        verified=bool(verified_rounds),
        meets=meets_threshold and meets_spread,
        latest_round=latest if round is None else round,
    )
    return {
        "pair": pair.pk,
        "election": election.slug,
        "round": round,
        **scope,
        "reasons": scope_reasons,
        "cumulative": cumulative,
        "threshold": threshold.threshold,
        "threshold_percent": threshold.percent,
        "meets_threshold": meets_threshold,
        "spread": {
            "required": threshold.spread_required,
            "achieved": achieved,
            "units": threshold.spread_units,
            "unit_level": "kabkota" if unit_depth == 2 else "kecamatan",
            "meets": meets_spread,
            "shortfall": max(0, threshold.spread_required - achieved),
        },
        "shortfall": shortfall,
        "rule_set": election.rule_set,
        "repair_required": shortfall * multiplier,
        "status": status,
        "status_label": str(label),
        "by_region": dict(sorted(by_region.items())),
        "by_round": dict(sorted(by_round.items())),
    }
