"""The DKI Jakarta 2024 case in figures (docs/domain.md), and the helpers that scale it down.

The benchmark, `make demo` and the tests all start from these numbers: the DPT per kab/kota, the
one independent pair's upload per kab/kota, and a mix of defects shaped like the 2024 outcome.
`scale` and `defects_for` shrink them to a demo or test size with the proportions kept; `spread`
is the exact, stable proportional split they share with the support list planner.
"""

from __future__ import annotations

import datetime as dt

DKI_DPT_2024 = {
    "31.01": 22_036,
    "31.71": 830_352,
    "31.72": 1_345_136,
    "31.73": 1_905_352,
    "31.74": 1_766_049,
    "31.75": 2_383_972,
}
# The one independent pair's upload (Dharma Pongrekun - Kun Wardana), 840,640 rows in all.
DKI_UPLOAD_2024 = {
    "31.01": 6_196,
    "31.71": 516_825,
    "31.72": 67_503,
    "31.73": 139_888,
    "31.74": 60_206,
    "31.75": 50_022,
}
DKI_VOTING_DAY_2024 = dt.date(2024, 11, 27)

# A mix of defects by share of the upload, shaped like the 2024 outcome (most rows BMS, a third
# TMS, few MS); the bench scales it to the row count.
DEFECT_SHARES_2024 = {
    "NIK_INVALID": 0.005,
    "NOT_IN_ROLL": 0.25,
    "OUTSIDE_REGION": 0.01,
    "UNDERAGE": 0.005,
    "DUPLICATE_INTERNAL": 0.05,
    "DUPLICATE_EXTERNAL": 0.01,
    "DATA_MISMATCH": 0.40,
    "RESTRICTED_OCCUPATION": 0.15,
}
MANGLED_SHARE_2024 = 0.001
# Where supporters who live outside DKI come from: Kota Bekasi and Kota Tangerang.
OUTSIDE_PREFERRED = ("32.75.", "36.71.")


def scale(mapping: dict[str, int], factor: float) -> dict[str, int]:
    """Scale counts for a small demo, keeping the total proportional (largest remainder)."""
    return spread(round(sum(mapping.values()) * factor), mapping)


def defects_for(total: int, shares: dict[str, float] | None = None) -> dict[str, int]:
    """Rows per reason code for a list of `total` rows (the 2024 mix unless `shares` is given)."""
    shares = DEFECT_SHARES_2024 if shares is None else shares
    return {reason: int(total * share) for reason, share in shares.items()}


def spread(total: int, weights: dict[str, int | float]) -> dict[str, int]:
    """Split `total` over the keys in proportion to the weights; exact sum, stable order."""
    whole = sum(weights.values())
    if total == 0 or whole == 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    rest = total - sum(out.values())
    for k in sorted(weights, key=lambda k: (out[k] - exact[k], k))[:rest]:
        out[k] += 1
    return out
