"""The kinds of election, one table: what a kind of election means everywhere it matters.

Every module that asks "what does this election's kind imply" reads KINDS through
election_kind(): the region that holds it (candidates.services.election_validate), the bands of
the threshold (candidates.thresholds), the level its support is spread over (the count before
verification, the recap, the standing, the minutes), where its minutes are issued
(documents.figures.levels_allowed) and what a repair owes. Adding a kind is one entry here
(tests/candidates/test_kinds.py adds one in the test alone and runs it end to end).

UU 10/2016 Art. 41 (docs/domain.md step 1): a governor's support is a share of the province's
DPT by band, spread over more than half of its kab/kota; a regent's or a mayor's a share of the
kab/kota's DPT, spread over more than half of its kecamatan. The repair owes the shortfall
(PKPU 8/2024 Art. 77(2)); from 2015 to 2020 twice the shortfall (docs/domain.md step 4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from electorate.areas import KABKOTA, KECAMATAN, LEVEL_KEYS, PROVINCE

# (DPT upper bound inclusive, percent); the last band has no upper bound.
Band = tuple[int | None, float]

# What a repair owes, times the shortfall, per rule set (Election.RuleSet): 2024 the shortfall,
# 2015-2020 twice it. The same for every kind the law has today; a kind may give its own.
REPAIR_MULTIPLIER: Mapping[str, int] = {"2024": 1, "2015": 2}

GOVERNOR, REGENT, MAYOR = "governor", "regent", "mayor"


@dataclass(frozen=True)
class ElectionKind:
    level: str  # the value stored in Election.level
    label: str | Promise
    # The kind of region that holds it: "provinsi", "kabupaten" or "kota"
    # (candidates.services.region_kind).
    region_kind: str
    area_depth: int  # the depth of the election's region (electorate.areas)
    bands: tuple[Band, ...]
    spread_depth: int  # the depth of the units the support is spread over
    repair_multiplier: Mapping[str, int] = field(default_factory=lambda: dict(REPAIR_MULTIPLIER))

    @property
    def spread_key(self) -> str:
        """The units' level as the figures name it ("kabkota", "kecamatan")."""
        return LEVEL_KEYS[self.spread_depth]

    @property
    def spread_label(self) -> str | Promise:
        return SPREAD_LABELS[self.spread_depth]

    def percent(self, dpt: int) -> float:
        return next(p for bound, p in self.bands if bound is None or dpt <= bound)

    def repair_required(self, shortfall: int, rule_set: str) -> int:
        return shortfall * self.repair_multiplier.get(rule_set, 1)

    def minutes_depths(self) -> range:
        """Where minutes are issued: the election's region and every KPU below it that recaps
        its part (a governor election's kab/kota; the KPU stops at kab/kota)."""
        return range(self.area_depth, max(self.area_depth, KABKOTA) + 1)


SPREAD_LABELS: dict[int, str | Promise] = {
    KABKOTA: _("kabupaten/kota"),
    KECAMATAN: _("kecamatan"),
}

KINDS: dict[str, ElectionKind] = {
    kind.level: kind
    for kind in (
        ElectionKind(
            level=GOVERNOR,
            label=_("Gubernur dan Wakil Gubernur"),
            region_kind="provinsi",
            area_depth=PROVINCE,
            bands=((2_000_000, 10.0), (6_000_000, 8.5), (12_000_000, 7.5), (None, 6.5)),
            spread_depth=KABKOTA,
        ),
        ElectionKind(
            level=REGENT,
            label=_("Bupati dan Wakil Bupati"),
            region_kind="kabupaten",
            area_depth=KABKOTA,
            bands=((250_000, 10.0), (500_000, 8.5), (1_000_000, 7.5), (None, 6.5)),
            spread_depth=KECAMATAN,
        ),
        ElectionKind(
            level=MAYOR,
            label=_("Wali Kota dan Wakil Wali Kota"),
            region_kind="kota",
            area_depth=KABKOTA,
            bands=((250_000, 10.0), (500_000, 8.5), (1_000_000, 7.5), (None, 6.5)),
            spread_depth=KECAMATAN,
        ),
    )
}


def election_kind(election_or_level: Any) -> ElectionKind:
    """The kind of an election (or of a level value). KeyError for a level not in KINDS."""
    level = getattr(election_or_level, "level", election_or_level)
    return KINDS[str(level)]


def level_choices() -> list[tuple[str, Any]]:
    """Election.level's choices (a callable: a kind added to KINDS is a choice at once)."""
    return [(kind.level, kind.label) for kind in KINDS.values()]


def kinds_for_region(region_kind: str) -> list[ElectionKind]:
    """The kinds a region of this kind holds (a province a governor election, ...)."""
    return [kind for kind in KINDS.values() if kind.region_kind == region_kind]
