"""`make demo` (portal/management/commands/demo_setup.py) at a tenth of its usual size: it
speaks Indonesian on the console, log lines included, and its election carries the note that
its data is scaled while its threshold is the real one."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

import pytest
from django.core.management import call_command

from candidates.models import Election
from objections.lookup import supports_find

pytestmark = pytest.mark.django_db(transaction=True)

ENGLISH = re.compile(r"\b(rows|loaded|done|verification run|support upload|roll import)\b", re.I)


def test_the_demo_console_speaks_indonesian_and_the_election_says_it_is_scaled(
    settings, tmp_path, caplog
):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    with caplog.at_level(logging.INFO):
        call_command("demo_setup", scale=0.002, stdout=out)
    console = out.getvalue() + "\n".join(r.getMessage() for r in caplog.records)
    assert "Memuat wilayah DKI Jakarta" in console
    assert "Verifikasi administrasi kedua pasangan..." in console
    assert re.search(r"verifikasi administrasi #\d+ selesai: [\d.]+ pendukung, MS", console)
    assert re.search(r"unggahan dukungan #\d+: [\d.]+ baris dimuat dalam \d+,\d detik", console)
    assert not ENGLISH.search(console), ENGLISH.search(console)
    # A NIK to try the public check with (README), which the check finds.
    nik, name, birth = re.search(
        r"NIK (\d{16})  nama (.+?)  tanggal lahir (\d\d-\d\d-\d{4})", console
    ).groups()
    found = supports_find(
        nik=nik, birth_date=dt.datetime.strptime(birth, "%d-%m-%Y").date(), name=name
    )
    assert [s.pair for s in found] == ["Andi Wijaya - Rina Kusuma"]
    election = Election.objects.get(slug="pilgub-dki-2024")
    assert election.scale_note.startswith(
        "Data demo: DPT dan daftar dukungan sintetis sebesar 0,2% dari skala DKI Jakarta 2024"
    )
    assert "(618.968)" in election.scale_note


def test_the_demo_holds_the_minutes_of_every_stage_and_a_decision(settings, tmp_path):
    """The first pair is in the middle of its factual verification (Cideng); the second has
    been through it to the decision, so the Berita Acara of each stage can be opened."""
    from decisions.models import Decision
    from documents.models import Minutes
    from fieldwork.models import Stage

    settings.VAR_DIR = tmp_path
    call_command("demo_setup", scale=0.002, stdout=io.StringIO())
    first, second = Election.objects.get(slug="pilgub-dki-2024").pairs.order_by("pk")
    assert Stage.objects.get(pair=first).status == Stage.Status.OPEN
    assert Stage.objects.get(pair=second).status == Stage.Status.CLOSED
    decision = Decision.objects.get(pair=second)
    assert decision.result == Decision.Result.TIDAK_MEMENUHI  # 0.2% of the data, the real bar
    issued = set(Minutes.objects.values_list("pair_id", "stage", "round"))
    assert issued == {
        (first.pk, "vermin", 0),
        (second.pk, "vermin", 0),
        (second.pk, "verfak", 1),
        (second.pk, "decision", 0),
    }
    # Run again, it keeps what is there: no second decision, no minutes issued twice.
    call_command("demo_setup", scale=0.002, stdout=io.StringIO())
    assert Minutes.objects.count() == 4 and Decision.objects.count() == 1
