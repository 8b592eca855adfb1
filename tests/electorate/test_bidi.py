"""Stored text carries no bidirectional controls, wherever it came from (issue 19 item 7,
files/text.py): a right-to-left override in a supporter's name reversed it in every list,
and one in a file name made "surat<RLO>fdp.exe" read as a PDF."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from candidates.intake import support_upload_create, support_upload_run
from candidates.models import Pair, Supporter
from files.text import BIDI_CONTROLS, bidi_strip
from tests.factories import PairFactory, csv_bytes, good_row, make_nik, xlsx_bytes

RLO, PDF_, LRI, PDI, RLM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200f"
CONTROLS = st.sampled_from(BIDI_CONTROLS)


@given(st.lists(st.one_of(st.characters(), CONTROLS)).map("".join))
def test_the_normaliser_removes_every_control_and_nothing_else(text):
    clean = bidi_strip(text)
    assert not any(ch in clean for ch in BIDI_CONTROLS)
    assert clean == "".join(ch for ch in text if ch not in BIDI_CONTROLS)
    assert bidi_strip(clean) == clean


def _rows() -> list[dict]:
    return [
        good_row(
            NIK=make_nik(serial=1),
            NAMA=f"Budi {RLO}Santoso{PDF_}",
            ALAMAT=f"Jl. {LRI}Merdeka{PDI} 1",
        ),
        good_row(NIK=make_nik(serial=2), NAMA=f"{RLM}Siti Aminah", TEMPAT_LAHIR=f"{RLO}Bogor"),
    ]


def _stored(pair) -> list[str]:
    return [
        text
        for row in Supporter.objects.filter(pair=pair).values("name", "address", "birth_place")
        for text in row.values()
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("write", "name"), [(csv_bytes, "d.csv"), (xlsx_bytes, "d.xlsx")], ids=["csv", "xlsx"]
)
def test_a_list_is_stored_and_shown_without_controls(write, name, jakarta, client):
    pair = PairFactory()
    upload, _ = support_upload_create(
        pair=pair, file=io.BytesIO(write(_rows())), original_name=name
    )
    assert support_upload_run(upload_id=upload.pk).accepted == 2

    stored = _stored(pair)
    assert "Budi Santoso" in stored and "Siti Aminah" in stored and "Jl. Merdeka 1" in stored
    assert not any(ch in text for text in stored for ch in BIDI_CONTROLS)
    client.force_login(get_user_model().objects.create_superuser("su_bidi", password="x" * 12))
    page = client.get(reverse("supporter-list", kwargs={"pk": pair.pk})).content.decode()
    assert "Budi Santoso" in page and not any(ch in page for ch in BIDI_CONTROLS)


@pytest.mark.django_db
def test_typed_text_is_stored_without_controls_whoever_saves_it(jakarta):
    pair = PairFactory(name=f"Dharma {RLO}Pongrekun - Kun Wardana")
    upload, _ = support_upload_create(
        pair=pair,
        file=io.BytesIO(csv_bytes([good_row()])),
        original_name=f"surat{RLO}vsc.exe",
    )
    assert Pair.objects.get(pk=pair.pk).name == "Dharma Pongrekun - Kun Wardana"
    assert upload.original_name == "suratvsc.exe"
