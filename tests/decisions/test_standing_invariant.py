"""The standing every surface reads is the one the rule gives, whatever happens (issue 18).

Over the same random sequences as the one-pair machine (entries by form, sheet, correction
and advice, attestations, closings and reopenings at every level, strikes, a second pair's
stage starting at any step), after every step and for each pair:
- the standing stored for the surfaces ("now") is the standing computed afresh: no event that
  moves it forgets to store it;
- it is the sum, supporter by supporter, of the rule the citizen's check applies to one row
  (fieldwork.standing.supporter_counts): the pair's figure and each person's answer agree;
- no person counts for two pairs.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from candidates.models import Pair, Supporter
from candidates.standing import standing_read
from fieldwork.standing import standing_compute, supporter_counts
from tests.fieldwork.test_one_pair import OnePair, two_stages  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

VOLATILE = ("computed_at", "point")


def _figures(standing: dict | None) -> dict:
    return {k: v for k, v in (standing or {}).items() if k not in VOLATILE}


def _counted_row_by_row(pair: Pair) -> int:
    return len(_counted_people(pair))


def _counted_people(pair: Pair) -> list[bytes]:
    """The NIK hashes of the pair's rows that count (a person once per row)."""
    rows = Supporter.objects.filter(pair=pair).values_list(
        "nik_hash",
        "verification__outcome",
        "verification__superseded",
        "field_task__result",
        "field_task__stage__status",
        "field_task__note",
        "verification__kelurahan_code",
    )
    prefix = pair.election.region_id + "."
    return [
        bytes(nik)
        for nik, outcome, superseded, result, status, note, place in rows
        if supporter_counts(
            outcome=outcome,
            superseded=bool(superseded),
            task_result=result,
            stage_status=status,
            task_note=note or "",
        )
        and (place or "").startswith(prefix)
    ]


class StandingKept(OnePair):
    @invariant()
    def stored_is_computed_and_adds_up(self):
        for pk in self.world["pairs"].values():
            pair = Pair.objects.select_related("election").get(pk=pk)
            computed = standing_compute(pair=pair)
            stored = standing_read(pair=pair)
            if stored is not None:  # a pair with no run yet has none (the world verifies both)
                assert _figures(stored) == _figures(computed), pair.name
            assert computed["MS"] == _counted_row_by_row(pair), pair.name
        # What counts is at most one pair's, person by person (the one-pair rule, by the
        # standing's own rule as well as by fieldwork.persons' stricter one).
        counted = [
            nik
            for pk in self.world["pairs"].values()
            for nik in set(_counted_people(Pair.objects.select_related("election").get(pk=pk)))
        ]
        assert len(counted) == len(set(counted))


def test_the_stored_standing_is_the_rule_after_every_step(two_stages):  # noqa: F811
    StandingKept.world = two_stages
    run_state_machine_as_test(
        StandingKept,
        settings=settings(
            max_examples=40,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
