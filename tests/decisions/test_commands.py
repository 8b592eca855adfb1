"""The command line of the decision (decisions/management/commands/): `recap` prints where the
pair stands, `decide` records the decision and prints the figures it rests on."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from candidates.models import Election
from decisions.services import renunciation_record
from fieldwork.models import Finding, Task
from tests.fieldwork.field import AFTER, close_all, enter, ms, started
from tests.verification.case import KEL, KEL_BARAT, KEL_UTARA

pytestmark = pytest.mark.django_db

KEL_SELATAN = "31.74.01.1001"  # Tebet Timur, Jakarta Selatan
JUNE_3 = dt.date(2024, 6, 3)


@pytest.fixture
def closed(case):
    """Governor election, DPT 40 (threshold 4, spread 4); pair A: 2 MS in Jakarta Pusat and
    1 each in Utara, Barat and Selatan; verfak 1: one in Pusat denies (signed), one in Utara
    is not met and never brought in, the rest confirm; then closed."""
    Election.objects.filter(pk=case.election.pk).update(dpt_count=40)
    case.election.refresh_from_db()
    ms(case, 2, kelurahan=KEL)
    for kelurahan in (KEL_UTARA, KEL_BARAT, KEL_SELATAN):
        ms(case, 1, kelurahan=kelurahan)
    stage = started(case.pair("A"))
    tasks = list(Task.objects.filter(stage=stage).order_by("pk"))
    enter(tasks[0], Finding.TOLAK_TTD, JUNE_3)
    for t in tasks[1:]:
        enter(t, Finding.TIDAK_DITEMUI if t.kelurahan_code == KEL_UTARA else "SESUAI", JUNE_3)
    close_all(stage, as_of=AFTER)
    return case.pair("A")


def _run(capsys, name: str, pair) -> dict:
    call_command(name, "--pair", str(pair.pk), "--json")
    return json.loads(capsys.readouterr().out)


def test_recap_prints_the_stage_the_latest_verfak_and_the_final_ms(closed, capsys):
    data = _run(capsys, "recap", closed)
    assert data["stage"] == {"name": "verfak", "number": 1, "round": 0, "status": "closed"}
    verfak = data["verfak"]
    assert (verfak["MS"], verfak["TMS"], verfak["pending"]) == (3, 2, 0)
    assert verfak["by_outcome"] == {
        "BELUM": 0,
        "SESUAI": 3,
        "TOLAK_TTD": 1,
        "TOLAK": 0,
        "TIDAK_DITEMUI": 1,
        "MENINGGAL": 0,
        "PINDAH": 0,
    }
    final = data["final"]
    assert (final["MS"], final["threshold"], final["shortfall"]) == (3, 4, 1)
    assert final["spread"]["reached"] == ["31.71", "31.73", "31.74"]
    admin = data["administrative"]
    assert (admin["MS"], admin["BMS"], admin["TMS"]) == (5, 0, 0)  # the administrative recap
    assert data["MS"] == 3  # the top level is the standing: the field's MS


def test_decide_prints_the_figures_and_the_decision(closed, capsys):
    # Short after verfak 1, the pair is owed repair 1: it renounced it in writing.
    renunciation_record(pair=closed, round=1, letter="Nomor 1/2024, 1 Juli 2024")
    data = _run(capsys, "decide", closed)
    assert set(data) == {"MS", "threshold", "meets_threshold", "spread", "decision"}
    assert (data["MS"], data["threshold"], data["meets_threshold"]) == (3, 4, False)
    assert (data["spread"]["achieved"], data["spread"]["required"]) == (3, 4)
    assert data["decision"] == "tidak_memenuhi_syarat"


def test_decide_refused_says_why(case, capsys):
    ms(case, 1)
    started(case.pair("A"))
    with pytest.raises(CommandError, match="Verifikasi faktual 1 masih berlangsung"):
        call_command("decide", "--pair", str(case.pair("A").pk), "--json")
