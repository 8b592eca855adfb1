from __future__ import annotations

import json

import pytest
from django.core.management import call_command

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


def test_create_election_command_prints_threshold_json(jakarta, capsys):
    call_command(
        "create_election",
        "--slug",
        "pilgub-dki-2024",
        "--region",
        "31",
        "--level",
        "governor",
        "--dpt",
        "8252897",
        "--voting-day",
        "2024-11-27",
        "--json",
    )
    out = json.loads(capsys.readouterr().out)
    assert out["threshold"] == 618_968
    assert (out["spread_required"], out["spread_units"]) == (4, 6)


def test_mayor_election_spreads_over_kecamatan(jakarta, capsys):
    call_command(
        "create_election",
        "--slug",
        "pilwalkot-jakpus",
        "--region",
        "31.71",
        "--level",
        "mayor",
        "--dpt",
        "830352",
        "--voting-day",
        "2024-11-27",
        "--json",
    )
    out = json.loads(capsys.readouterr().out)
    assert (out["threshold"], out["spread_units"], out["spread_required"]) == (62_277, 8, 5)


def test_governor_election_on_a_kabkota_is_refused(jakarta):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="tidak cocok"):
        call_command(
            "create_election",
            "--slug",
            "x",
            "--region",
            "31.71",
            "--level",
            "governor",
            "--dpt",
            "1000",
            "--voting-day",
            "2024-11-27",
        )


def test_create_pair_command_prints_its_id(jakarta, capsys):
    from candidates.models import Pair

    call_command(
        "create_election",
        "--slug",
        "pilgub-dki-2024",
        "--region",
        "31",
        "--level",
        "governor",
        "--dpt",
        "8252897",
        "--voting-day",
        "2024-11-27",
    )
    capsys.readouterr()
    call_command("create_pair", "--election", "pilgub-dki-2024", "--name", "A - B", "--json")
    out = json.loads(capsys.readouterr().out)
    assert Pair.objects.get(pk=out["id"]).name == "A - B"
