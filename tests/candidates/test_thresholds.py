"""Minimum support and spread (candidates/thresholds.py), a pure function of level and DPT.
Through the create_election command: tests/candidates/test_commands.py."""

from __future__ import annotations

import pytest

from candidates.thresholds import threshold_compute


def test_dki_2024_needs_618968_supports_in_4_of_6_kabkota():
    t = threshold_compute(level="governor", dpt=8_252_897, spread_units=6)
    assert (t.percent, t.threshold, t.spread_required) == (7.5, 618_968, 4)


@pytest.mark.parametrize(
    ("level", "dpt", "percent", "threshold"),
    [
        ("governor", 2_000_000, 10.0, 200_000),
        ("governor", 2_000_001, 8.5, 170_001),
        ("governor", 6_000_000, 8.5, 510_000),
        ("governor", 12_000_001, 6.5, 780_001),
        ("mayor", 250_000, 10.0, 25_000),
        ("mayor", 250_001, 8.5, 21_251),
        ("regent", 1_000_000, 7.5, 75_000),
        ("regent", 1_000_001, 6.5, 65_001),
        ("mayor", 830_352, 7.5, 62_277),
    ],
)
def test_band_edges_and_rounding_up(level, dpt, percent, threshold):
    t = threshold_compute(level=level, dpt=dpt, spread_units=8)
    assert (t.percent, t.threshold) == (percent, threshold)


@pytest.mark.parametrize(("units", "required"), [(6, 4), (5, 3), (8, 5), (1, 1), (44, 23)])
def test_spread_is_strictly_more_than_half(units, required):
    assert threshold_compute(level="regent", dpt=1, spread_units=units).spread_required == required
