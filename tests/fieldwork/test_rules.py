"""The rules of factual verification as pure functions (fieldwork/rules.py): what a finding means
for the supporter, the bring-in deadline and the window."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldwork.models import Finding, Method
from fieldwork.rules import (
    State,
    bring_in_deadline,
    method_allowed,
    result_for,
    window_closes,
)

JUNE_3 = dt.date(2024, 6, 3)


@pytest.mark.parametrize(
    ("finding", "attested", "expected"),
    [
        (Finding.SESUAI, False, ("MS", "CONFIRMED")),
        (Finding.TOLAK_TTD, False, ("TMS", "DENIED_SIGNED")),
        (Finding.TOLAK, False, ("MS", "DENIED")),
        (Finding.TOLAK, True, ("TMS", "DENIED_ATTESTED")),
        (Finding.MENINGGAL, False, ("TMS", "DECEASED")),
        (Finding.PINDAH, False, ("TMS", "MOVED")),
        (Finding.TIDAK_DITEMUI, False, ("PENDING", "NOT_MET")),
        ("", False, ("PENDING", "UNRECORDED")),
    ],
)
def test_each_finding_gives_its_result(finding, attested, expected):
    state = State(pair_id=1, finding=finding, attested=attested, not_met_on=JUNE_3)
    assert result_for(state, bring_in_days=3) == expected


def test_not_met_stays_pending_at_a_closing_inside_the_bring_in_time():
    state = State(pair_id=1, finding=Finding.TIDAK_DITEMUI, not_met_on=JUNE_3)
    assert result_for(state, bring_in_days=3, closing_on=dt.date(2024, 6, 6)) == (
        "PENDING",
        "NOT_MET",
    )


def test_not_met_is_tms_at_a_closing_after_the_bring_in_time():
    state = State(pair_id=1, finding=Finding.TIDAK_DITEMUI, not_met_on=JUNE_3)
    assert result_for(state, bring_in_days=3, closing_on=dt.date(2024, 6, 7)) == (
        "TMS",
        "NOT_MET_EXPIRED",
    )


def test_never_visited_is_tms_at_the_closing():
    assert result_for(State(pair_id=1), bring_in_days=3, closing_on=dt.date(2024, 6, 15)) == (
        "TMS",
        "UNRECORDED_EXPIRED",
    )


def test_a_double_who_chose_the_other_pair_is_tms_whatever_was_found():
    state = State(pair_id=1, finding=Finding.SESUAI, double=True, chosen_pair_id=2)
    assert result_for(state, bring_in_days=3) == ("TMS", "CHOSE_OTHER")


def test_a_double_who_chose_this_pair_follows_the_finding():
    state = State(pair_id=1, finding=Finding.SESUAI, double=True, chosen_pair_id=1)
    assert result_for(state, bring_in_days=3) == ("MS", "CONFIRMED")


def test_bring_in_deadline_counts_calendar_days_from_the_not_met_record():
    assert bring_in_deadline(dt.date(2024, 6, 10), 3) == dt.date(2024, 6, 13)
    assert bring_in_deadline(dt.date(2024, 6, 29), 3) == dt.date(2024, 7, 2)
    assert bring_in_deadline(None, 3) is None


def test_window_of_fourteen_days_ends_thirteen_days_after_it_opens():
    assert window_closes(dt.date(2024, 6, 1), 14) == dt.date(2024, 6, 14)
    assert window_closes(dt.date(2024, 6, 1), 1) == dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("finding", "allowed"),
    [
        (Finding.SESUAI, True),
        (Finding.TOLAK_TTD, True),
        (Finding.TOLAK, True),
        (Finding.TIDAK_DITEMUI, False),
        (Finding.MENINGGAL, False),
        (Finding.PINDAH, False),
    ],
)
def test_a_supporter_brought_in_was_met(finding, allowed):
    assert method_allowed(Method.DIHADIRKAN, finding) is allowed
    assert method_allowed(Method.KUNJUNGAN, finding) is True
