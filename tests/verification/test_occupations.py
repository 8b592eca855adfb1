"""RESTRICTED_OCCUPATION: the barred posts as teams type them (issue 18), the labelled set, and
invariants of the match."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.labels import OCCUPATIONS, labelled_rows, occupations_score
from verification.occupations import occupation_category
from verification.rules import occupation_is_restricted


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Anggota Brimob", "Polri"),  # issue 18: MS before
        ("Pegawai Negri Sipil", "ASN"),
        ("Pantarlih", "penyelenggara"),
        ("PENGAWAI NEGERI SIPIL", "ASN"),  # one letter off in a long word
        ("P N S", "ASN"),
        ("T.N.I AD", "TNI"),
        ("Tentra", "TNI"),
        ("Bhabinkamtibmas", "Polri"),
        ("Guru PPPK", "ASN"),
        ("KPPS", "penyelenggara"),
        ("Panwascam", "penyelenggara"),
        ("Pengawas TPS", "penyelenggara"),
        ("Geuchik", "kepala desa"),
        ("Wali Nagari", "kepala desa"),
        ("Perbekel", "kepala desa"),
        ("Kuwu", "kepala desa"),
        ("Hukum Tua", "kepala desa"),
        ("Kepala Kampung", "kepala desa"),
        ("Kepala Pekon", "kepala desa"),
        ("Ka. Desa", "kepala desa"),
        ("Kaur Umum", "perangkat desa"),
        ("Kepala Dusun", "perangkat desa"),
        ("Anggota BPD", "perangkat desa"),
    ],
)
def test_a_barred_post_is_restricted_in_its_group(text, group):
    assert occupation_category(text) == group
    assert occupation_is_restricted(text)


@pytest.mark.parametrize(
    "text",
    [
        "Pensiunan PNS",
        "PNS pensiunan",
        "Purnawirawan TNI",
        "Purnawirawn Polri",  # the retirement word misspelt too
        "Mantan Kades",
        "Istri TNI",
        "Non PNS",
        "Guru Honorer",
        "Calon Kades",
        "Satpol PP",
        "Polisi Pamong Praja",
        "Bhayangkari",
        "Kepala Sekolah",
        "Ketua RT",
        "Bidan Desa",
        "Karyawan Swasta",
        "Kartini Salon",  # TNI inside a word is not TNI
        "Pengrajin Kaleng",
        "",
    ],
)
def test_an_ordinary_or_former_job_is_not_restricted(text):
    assert occupation_category(text) is None


def test_every_labelled_restricted_occupation_is_found_in_its_group_and_nothing_else():
    score = occupations_score()
    assert score.texts >= 200 and score.restricted >= 100
    assert score.wrong == []
    assert score.precision == score.recall == 1.0


LABELLED = labelled_rows(OCCUPATIONS)
RESTRICTED = [r for r in LABELLED if r["restricted"] == "1"]


@given(st.sampled_from(LABELLED), st.sampled_from([" ", ".", "/", "-", ", ", "  "]), st.booleans())
def test_case_and_punctuation_never_change_the_verdict(row, separator, lower):
    text = separator.join(row["text"].split())
    text = text.lower() if lower else text.upper()
    assert (occupation_category(text) or "") == row["category"]


@given(
    st.sampled_from(RESTRICTED),
    st.sampled_from(["Pensiunan", "PURNAWIRAWAN", "Mantan", "eks", "Istri", "bukan"]),
)
def test_a_retired_former_or_related_holder_is_never_restricted(row, word):
    assert not occupation_is_restricted(f"{word} {row['text']}")


@given(st.sampled_from(RESTRICTED), st.sampled_from(["Guru", "Staf", "Bagian Umum", "Aktif"]))
def test_a_post_with_more_words_around_it_stays_restricted(row, word):
    assert occupation_category(f"{row['text']} {word}") == row["category"]


def test_a_restatement_shares_the_negation_of_the_term_it_restates():
    """Found by hypothesis: the label "pegawai negri sipil (pns)" after "Pensiunan" read as
    a PNS, the "(pns)" too far from "Pensiunan" for the word before it to count."""
    assert not occupation_is_restricted("Pensiunan pegawai negri sipil (pns)")
    assert not occupation_is_restricted("Purnawirawan Tentara Nasional Indonesia (TNI)")
    assert occupation_is_restricted("Pegawai negri sipil (PNS)")
