"""The minutes print what was typed in the order it was typed (issue 19 item 7): a
right-to-left override in the meeting's place or in a name of those present used to reverse
the rest of the line in the PDF (files.text)."""

from __future__ import annotations

import datetime as dt

import pytest

from documents.services import Meeting, Person, minutes_issue, minutes_pdf_read
from files.text import BIDI_CONTROLS
from tests.documents.conftest import pdf_text

pytestmark = pytest.mark.django_db

RLO, PDI, LRI = "\u202e", "\u2069", "\u2066"


def test_the_minutes_print_places_and_names_unreversed(vermin, kpu_dki):
    meeting = Meeting(
        date=dt.date(2024, 6, 20),
        place=f"Kantor {RLO}KPU Provinsi DKI{PDI} Jakarta",
        number=f"12/{RLO}BA/2024",
        present=[
            Person(name=f"Wahyu {RLO}Dewanto", role=f"{LRI}Ketua{PDI}", group="kpu"),
            Person(name="Munandar Nugraha", role=f"Bawaslu {RLO}Provinsi", group="bawaslu"),
        ],
    )

    minutes = minutes_issue(pair=vermin.pair, stage="vermin", meeting=meeting, by=kpu_dki)

    text = " ".join(pdf_text(minutes_pdf_read(minutes)).split())
    assert "Kantor KPU Provinsi DKI Jakarta" in text
    assert "Wahyu Dewanto" in text and "Bawaslu Provinsi" in text
    stored = [minutes.meeting_place, minutes.number, *(p["name"] for p in minutes.present)]
    stored += [p["role"] for p in minutes.present]
    assert not any(ch in value for value in stored for ch in BIDI_CONTROLS)
