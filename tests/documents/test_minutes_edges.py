"""Issue 21 item 5, the Berita Acara's rough edges: reasons by their Indonesian names, one
numbering rule by the minutes' date, and a QR address that follows the demo's port."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from documents.services import Meeting, Person, minutes_issue, minutes_pdf_read
from tests.documents.conftest import line_with, pdf_text

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MEETING = Meeting(
    date=dt.date(2024, 6, 20),
    place="Kantor KPU Provinsi DKI Jakarta",
    present=[Person(name="Wahyu Dewanto", role="Ketua", group="kpu")],
)


def test_reasons_are_printed_by_their_indonesian_names_with_their_status(vermin):
    minutes = minutes_issue(pair=vermin.pair, stage="vermin", meeting=MEETING)
    text = pdf_text(minutes_pdf_read(minutes))
    assert "NOT_IN_ROLL" not in text and "RESTRICTED_OCCUPATION" not in text
    assert line_with(text, "Tidak", "terdaftar", "di", "DPT", "TMS")
    assert line_with(text, "Pekerjaan", "terlarang", "BMS")


def test_numbers_count_per_issuing_office_and_year_of_the_minutes_date(vermin):
    def issue(day: dt.date, area: str | None = None) -> str:
        meeting = dataclasses.replace(MEETING, date=day)
        return minutes_issue(pair=vermin.pair, stage="vermin", meeting=meeting, area=area).number

    assert issue(dt.date(2024, 6, 20)) == "1/BA/31/2024"
    assert issue(dt.date(2024, 6, 21)) == "2/BA/31/2024"
    assert issue(dt.date(2024, 6, 21), area="31.71") == "1/BA/3171/2024"  # another office
    assert issue(dt.date(2026, 1, 5)) == "1/BA/31/2026"  # a new year starts again at 1
    assert issue(dt.date(2024, 7, 1)) == "3/BA/31/2024"  # by the minutes' date, not today's


def _base_url(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "PORT")}
    code = "from django.conf import settings; print(settings.PUBLIC_BASE_URL)"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_demo_qr_address_follows_the_port_served():
    assert _base_url() == "http://127.0.0.1:8000"
    assert _base_url(PORT="8001") == "http://127.0.0.1:8001"
    assert _base_url(PORT="8001", PUBLIC_BASE_URL="https://x.example/") == "https://x.example"


def _issue_data(stage: str) -> dict:
    return {
        "stage": stage, "area": "31", "meeting_date": "2024-06-20",
        "meeting_place": "Kantor KPU Provinsi DKI Jakarta", "kpu": "Wahyu Dewanto; Ketua",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("stage", "expected"),
    [("decision", ("decision", 0)), ("vermin", ("vermin", 0)), ("vermin:1", ("vermin", 1)),
     ("verfak:2", ("verfak", 2)), ("penelitian", ("penelitian", 0))],
)  # fmt: skip
def test_the_stage_is_chosen_by_name_and_no_round_is_asked_apart(stage, expected):
    from documents.forms import IssueForm

    form = IssueForm(_issue_data(stage), areas=[("31", "DKI Jakarta (31)")])
    assert "round" not in form.fields
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["stage"], form.cleaned_data["round"]) == expected
    html = str(form["stage"])
    for name in ("Penyerahan awal", "Perbaikan 1", "Perbaikan 2", "Verifikasi faktual 2"):
        assert name in html
