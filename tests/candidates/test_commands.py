"""The command line of candidates (candidates/management/commands/): create_election,
create_pair, import_support, import_voter_roll."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from candidates.models import Election, Pair, SupportUpload
from electorate.models import Voter
from tests.factories import ElectionFactory, csv_bytes, good_row, roll_csv


def command_json(name: str, *args: str) -> dict:
    """Run a command with --json and read what it printed."""
    out = io.StringIO()
    call_command(name, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def import_support(*args: str) -> dict:
    return command_json("import_support", *args)


def import_voter_roll(*args: str) -> dict:
    return command_json("import_voter_roll", *args)


# --- create_election, create_pair -------------------------------------------------------------


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

    with pytest.raises(CommandError, match="adalah kota: pemilihannya Wali Kota"):
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


# --- import_support ---------------------------------------------------------------------------


def test_command_prints_counts_and_errors_as_json(pair, tmp_path):
    path = tmp_path / "dukungan.csv"
    path.write_bytes(csv_bytes([good_row(), good_row(NIK="3.17101E+15")]))

    result = import_support("--pair", str(pair.pk), str(path), "--round", "1")

    assert result["accepted"] == 1
    assert result["rejected"] == 1
    assert result["errors"][0]["row"] == 3
    assert result["errors"][0]["column"] == "NIK"
    assert result["duplicate_file"] is False
    assert SupportUpload.objects.get(pk=result["upload_id"]).round == 1
    assert import_support("--pair", str(pair.pk), str(path))["duplicate_file"] is True


def test_command_refuses_unknown_pair_and_missing_file(pair, tmp_path):
    path = tmp_path / "dukungan.csv"
    path.write_bytes(csv_bytes([good_row()]))
    with pytest.raises(CommandError, match="tidak ditemukan"):
        import_support("--pair", "999999", str(path))
    with pytest.raises(CommandError, match="tidak ditemukan"):
        import_support("--pair", str(pair.pk), str(tmp_path / "tidak-ada.csv"))


# --- import_voter_roll ------------------------------------------------------------------------


def test_command_creates_the_election_roll_and_prints_json(jakarta, tmp_path):
    election = ElectionFactory(roll=None)
    path = tmp_path / "dpt.csv"
    path.write_bytes(roll_csv([good_row(), good_row(JENIS_KELAMIN="?")]))

    result = import_voter_roll("--election", election.slug, str(path))

    election = Election.objects.get(pk=election.pk)
    assert election.roll is not None
    assert result["accepted"] == 1
    assert result["rejected"] == 1
    assert result["errors"][0]["row"] == 3
    assert result["duplicate_file"] is False
    assert import_voter_roll("--election", election.slug, str(path))["duplicate_file"] is True
    assert Voter.objects.filter(roll=election.roll).count() == 1


def test_command_refuses_a_missing_file_or_unknown_election(jakarta, tmp_path):
    election = ElectionFactory()
    with pytest.raises(CommandError, match="tidak ditemukan"):
        import_voter_roll("--election", election.slug, str(tmp_path / "tidak-ada.csv"))
    path = tmp_path / "dpt.csv"
    path.write_bytes(roll_csv([good_row()]))
    with pytest.raises(CommandError, match="tidak ditemukan"):
        import_voter_roll("--election", "tidak-ada", str(path))
