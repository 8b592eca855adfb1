from __future__ import annotations

import pytest

from verification.names import name_normalise, names_differ


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("H. IWAN", "IWAN"),  # the Haji title before a short name is not a degree
        ("H. AGUS SALIM", "AGUS SALIM"),
        ("Hj. Siti Aminah, S.H., M.M.", "SITI AMINAH"),
        ("Budi Santoso S.Kom", "BUDI SANTOSO"),
        ("Drs. H. Tjahjo", "CAHYO"),
    ],
)
def test_titles_and_degrees_are_dropped_but_names_kept(written, normal):
    assert name_normalise(written) == normal


def test_same_person_written_differently_is_not_a_mismatch():
    assert names_differ(
        ["H. IWAN", "Djoko Soetjipto", "siti  nur haliza"],
        ["Iwan", "JOKO SUCIPTO", "SITI NURHALIZA"],
    ) == [False, False, False]


def test_another_person_is_a_mismatch():
    assert names_differ(["Iwan Setiawan"], ["Rahmat Hidayat"]) == [True]
