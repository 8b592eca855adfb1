"""The labelled name pairs (verification/data/name_pairs.csv), scored by the benchmark's own
scorer with the production names_differ: the goals of issue 18."""

from __future__ import annotations

from bench.labels import NAME_PAIRS, names_score


def test_no_pair_with_a_different_given_name_is_accepted():
    assert names_score().different_accepted == []


def test_at_least_97_percent_of_spelling_variants_are_the_same_person():
    score = names_score()
    assert score.variants >= 300
    assert score.variants_rate >= 0.97


def test_the_labelled_set_has_400_pairs_and_150_near_misses():
    score = names_score()
    near_misses = sum(
        n
        for (kind, _right), n in score.by_kind.items()
        if kind in {"prefix_name", "gender_pair", "one_letter", "different_given_name"}
    )
    assert score.pairs >= 400 and near_misses >= 150
    assert "Keppres 57/1972" in NAME_PAIRS.read_text(encoding="utf-8").split("roll_name,")[0]
