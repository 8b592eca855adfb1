"""Minimum support and spread from UU 10/2016 Art. 41, as a pure function of level and DPT."""

from __future__ import annotations

import math
from dataclasses import dataclass

# (DPT upper bound inclusive, percent); the last band has no upper bound.
GOVERNOR_BANDS = ((2_000_000, 10.0), (6_000_000, 8.5), (12_000_000, 7.5), (None, 6.5))
REGENT_MAYOR_BANDS = ((250_000, 10.0), (500_000, 8.5), (1_000_000, 7.5), (None, 6.5))


@dataclass(frozen=True)
class Threshold:
    percent: float
    threshold: int  # minimum MS supports, rounded up
    spread_units: int  # kab/kota of the province, or kecamatan of the kab/kota
    spread_required: int  # strictly more than half of them


def threshold_compute(*, level: str, dpt: int, spread_units: int) -> Threshold:
    bands = GOVERNOR_BANDS if level == "governor" else REGENT_MAYOR_BANDS
    percent = next(p for bound, p in bands if bound is None or dpt <= bound)
    # Integer arithmetic: 8,252,897 x 7.5% must round up to 618,968 with no float drift.
    tenths = round(percent * 10)
    threshold = -(-dpt * tenths // 1000)
    return Threshold(
        percent=percent,
        threshold=threshold,
        spread_units=spread_units,
        spread_required=math.floor(spread_units / 2) + 1,
    )
