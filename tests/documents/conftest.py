"""Fixtures of the minutes' tests: the engine's case (tests/verification/conftest.py) taken
through every stage a Berita Acara records, and pdftotext to read a PDF back."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from decisions.services import decision_blockers, decision_record, renunciation_record
from electorate.models import Role
from fieldwork.models import Finding, Task
from fieldwork.stages import stage_start
from tests.factories import make_nik
from tests.fieldwork.field import AFTER, KEL2, OPENS, close_all, enter, staff
from tests.verification.case import KEL, KEL_BARAT, KEL_OUTSIDE, KEL_UTARA, verify
from tests.verification.conftest import case, election, outside_region  # noqa: F401

KEL_SELATAN = "31.74.01.1001"


@pytest.fixture(autouse=True)
def _own_rate_counters(settings):
    """Each test counts its requests from zero (the verification page is rate-limited)."""
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture
def vermin(case):  # noqa: F811 (the case fixture, imported above)
    """Pair A of the DKI governor election, its initial list verified: MS in Gambir and Cideng
    (Jakarta Pusat), Penjaringan (Jakarta Utara), Jakarta Barat and Jakarta Selatan; TMS not
    on the roll and outside DKI; BMS a civil servant and a name that differs from the roll."""
    people = []
    for kelurahan, n in ((KEL, 4), (KEL2, 3), (KEL_UTARA, 2), (KEL_BARAT, 2), (KEL_SELATAN, 1)):
        people += [case.supporter(make_nik(), kelurahan_id=kelurahan) for _ in range(n)]
    case.supporter(make_nik(), in_roll=False)  # NOT_IN_ROLL: TMS
    case.supporter(make_nik(), in_roll=False, kelurahan_id=KEL_UTARA)  # NOT_IN_ROLL: TMS
    case.supporter(make_nik(), occupation="PNS")  # RESTRICTED_OCCUPATION: BMS
    case.supporter(make_nik(), kelurahan_id=KEL_OUTSIDE, in_roll=False)  # outside DKI: TMS
    pair = case.pair("A")
    verify(pair)
    return SimpleNamespace(case=case, pair=pair, ms=people)


@pytest.fixture
def verfak(vermin):
    """...then its factual verification 1, every finding recorded, closed at every level."""
    stage = stage_start(pair=vermin.pair, opens=OPENS)
    findings = [Finding.SESUAI] * 7 + [Finding.TOLAK_TTD, Finding.MENINGGAL, Finding.PINDAH]
    tasks = list(Task.objects.filter(stage=stage).order_by("pk"))
    for task, finding in zip(tasks, findings, strict=False):
        extra = {"deceased_on": OPENS} if finding == Finding.MENINGGAL else {}
        enter(task, finding, **extra)
    # The last two never visited: TMS when the KPU closes the stage after its window.
    close_all(stage, as_of=AFTER)
    stage.refresh_from_db()
    vermin.stage = stage
    return vermin


@pytest.fixture
def decided(verfak):
    """...then the KPU's decision."""
    if decision_blockers(pair=verfak.pair):  # short after verfak 1: repair 1 renounced
        renunciation_record(pair=verfak.pair, round=1, letter="Nomor 5/2024, 1 Juli 2024")
    verfak.decision = decision_record(pair=verfak.pair)
    return verfak


@pytest.fixture
def kpu_dki(db):
    return staff("kpu_dki", Role.KPU_PROVINSI, "31")


def command(name: str, *args: str) -> dict:
    out = io.StringIO()
    call_command(name, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def pdf_text(pdf: bytes | Path) -> str:
    """The PDF's text as pdftotext lays it out (poppler-utils; .ci/prepare installs it)."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed"
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode()


NUMBER = re.compile(r"^\d{1,3}(?:\.\d{3})*$")


def numbers(line: str) -> list[int]:
    """The numbers of a line as minutes write them (618.968), in order."""
    return [int(t.replace(".", "")) for t in line.split() if NUMBER.match(t)]


def line_with(text: str, *tokens: str) -> str:
    """The first line holding every token as a whole word and ending with a number."""
    for line in text.splitlines():
        words = line.split()
        if words and NUMBER.match(words[-1]) and all(_whole(line, t) for t in tokens):
            return line
    raise AssertionError(f"no line with {tokens!r} and a number in:\n{text}")


def _whole(line: str, token: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(token)}(?!\w|\.\d)", line) is not None


def value(text: str, *tokens: str) -> int:
    return numbers(line_with(text, *tokens))[-1]
