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


@pytest.mark.parametrize(
    ("roll", "form"),
    [
        ("Siti Aisyah", "Siti Aminah"),  # issue 18: accepted as MS before
        ("Wahyu", "Wahyudi"),
        ("Andri", "Andi"),
        ("WAHYU SANTOSO", "WAHYUDI SANTOSO"),
        ("PURWANTO", "PURWANTI"),  # a man's and a woman's name, one letter apart
        ("HIDAYAT NUGROHO", "HIDAYAH NUGROHO"),
        ("MUHAMMAD RIZKI", "MUHAMMAD RIZAL"),
    ],
)
def test_a_different_given_name_is_a_mismatch_whatever_the_letters_shared(roll, form):
    assert names_differ([roll], [form]) == [True]
    assert names_differ([form], [roll]) == [True]


@pytest.mark.parametrize(
    ("roll", "form"),
    [
        ("SOEHARTO", "Suharto"),  # EYD 1972 and the Soewandi spelling before it
        ("TJAHJO KUMOLO", "Cahyo Kumolo"),
        ("SJAFRUDDIN", "Syafrudin"),
        ("NJOMAN SOEDJATMIKO", "Nyoman Sujatmiko"),
        ("WIDJAJA KOESOEMA", "Wijaya Kusuma"),
        ("ACHMAD CHAIRUL", "Akhmad Khairul"),
        ("MOCH. RIZKY", "Muhammad Rizky"),  # abbreviations of Muhammad and Abdul
        ("MUH. YUSUF", "MOHAMAD YUSUF"),
        ("ABD. RAHMAN", "ABDUL RAHMAN"),
        ("ABDURRAHMAN WAHID", "ABDUL RAHMAN WAHID"),
        ("H. AHMAD BIN SALEH", "Ahmad Saleh"),  # title, bin
        ("SITI BINTI HASAN", "SITI"),  # the father's name after binti may be left out
        ("TIURMA BR SIREGAR", "Tiurma Siregar"),
        ("SIREGAR HOTMAN", "Hotman Siregar"),  # word order
        ("NUR'AINI", "NURAINI"),
        ("KHADIJAH", "Hadijah"),  # Arabic transliteration: kh / h
        ("TAUFIQ HIDAYAT", "TAUFIK HIDAYAT"),
    ],
)
def test_spelling_abbreviation_title_bin_and_order_are_the_same_person(roll, form):
    assert names_differ([roll], [form]) == [False]
    assert names_differ([form], [roll]) == [False]
