"""Minimum support and spread from UU 10/2016 Art. 41, as a pure function of level and DPT
(the bands are the kind's: candidates.kinds)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from candidates.kinds import election_kind


@dataclass(frozen=True)
class Threshold:
    percent: float
    threshold: int  # minimum MS supports, rounded up
    spread_units: int  # kab/kota of the province, or kecamatan of the kab/kota
    spread_required: int  # strictly more than half of them


def threshold_compute(*, level: str, dpt: int, spread_units: int) -> Threshold:
    percent = election_kind(level).percent(dpt)
    # Integer arithmetic: 8,252,897 x 7.5% must round up to 618,968 with no float drift.
    tenths = round(percent * 10)
    threshold = -(-dpt * tenths // 1000)
    return Threshold(
        percent=percent,
        threshold=threshold,
        spread_units=spread_units,
        spread_required=math.floor(spread_units / 2) + 1,
    )
