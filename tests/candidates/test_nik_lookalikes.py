"""A NIK typed with letters that look like digits (O for 0, I or l for 1) is still a NIK: it is
starred wherever a message quotes a cell, and never reaches a stored error."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from candidates.tasks import support_upload_task
from files.parsing import shown
from tests.factories import csv_bytes, good_row, make_nik

LOOKALIKE = {"0": "Oo", "1": "Il"}


def _typed_with_letters(nik: str, positions: list[int], pick: int) -> str:
    chars = list(nik)
    for i in positions:
        if chars[i] in LOOKALIKE:
            letters = LOOKALIKE[chars[i]]
            chars[i] = letters[pick % len(letters)]
    return "".join(chars)


def _digits_of(text: str) -> str:
    """What a reader recovers: the digits, and the letters read back as digits."""
    return re.sub(r"\D", "", text.translate(str.maketrans("OoIl", "0011")))


def test_the_nik_of_the_report_is_starred():
    assert shown("31710105O5750382", 40) == "*" * 16
    variants = ("3171O1O5O575O382", "317I0105057503B2", "3l710105057503 82", "3171-0105-O575-0382")
    for variant in variants:
        assert not re.search(r"\d{5}", shown(variant, 40)), variant


@given(
    serial=st.integers(1, 9999),
    positions=st.lists(st.integers(0, 15), min_size=1, max_size=6),
    pick=st.integers(0, 1),
    before=st.sampled_from(["", "Jl. ", "NIK ", "x"]),
    after=st.sampled_from(["", " RT 3", ".", " (KTP)"]),
)
def test_a_nik_with_look_alike_letters_leaves_no_five_digits_in_a_message(
    serial, positions, pick, before, after
):
    nik = make_nik(region="317101", serial=serial)
    typed = before + _typed_with_letters(nik, positions, pick) + after
    quoted = shown(typed, 60)
    assert nik not in _digits_of(quoted)
    assert not re.search(r"[\dOoIl]{6}", quoted.replace(" ", ""))


def test_words_and_short_numbers_are_left_as_typed():
    for text in ("Jl. Kali Pasir No. 10", "Illinois 2024", "RT 001 RW 010", "Pool 1000", "Lolo"):
        assert shown(text, 40) == text


def test_no_nik_with_look_alike_letters_in_stored_errors(intake):
    niks = [make_nik(serial=100 + i) for i in range(8)]
    columns = ["TANGGAL_LAHIR", "JENIS_KELAMIN", "STATUS_PERKAWINAN", "RT"]
    rows = [
        good_row(**{columns[i % len(columns)]: _typed_with_letters(nik, [3, 5, 9, 12], i)})
        for i, nik in enumerate(niks)
    ]
    upload, _ = intake(csv_bytes(rows))
    result = support_upload_task.apply(args=[upload.pk]).get()
    texts = [str(e) for e in upload.errors] + [upload.failure, str(result)]
    assert upload.rejected >= len(niks)
    leaked = [nik for nik in niks if any(nik in _digits_of(t) for t in texts)]
    assert not leaked
