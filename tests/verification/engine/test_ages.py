"""Ages without clear birth dates (issue 19 item 1, candidates/ages.py): each row keeps whether
its person is under 17 and unmarried on the voting day, set when written; a change of the
voting day (only before any verification) judges the supporters again from their ciphertext
and is refused for a roll already loaded; a run refuses a roll judged for another day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from candidates.elections import election_settings_change
from candidates.models import Supporter
from electorate.models import VoterRoll
from tests.factories import make_nik
from tests.verification.case import verdict, verify
from verification.engine import run_create

pytestmark = pytest.mark.django_db

REASON = "Hari pemungutan suara dikoreksi sesuai keputusan KPU nomor 12/2024."
VOTING_DAY = dt.date(2024, 11, 27)


def test_a_voting_day_moved_before_any_run_judges_the_supporters_again(case):
    born = dt.date(2007, 12, 1)  # 16 on 27-11-2024, 17 on 1-12-2024
    s = case.supporter(make_nik(birth=born), in_roll=False, marital_status="B")
    assert Supporter.objects.get(pk=s.pk).minor is True
    VoterRoll.objects.filter(pk=case.roll.pk).update(voting_day=None)  # an empty roll
    case.roll.voters.all().delete()
    election_settings_change(
        election=case.election, by=None, reason=REASON, voting_day=dt.date(2024, 12, 1)
    )
    assert Supporter.objects.get(pk=s.pk).minor is False
    assert VoterRoll.objects.get(pk=case.roll.pk).voting_day == dt.date(2024, 12, 1)


def test_a_voting_day_moved_is_refused_while_the_roll_holds_voters_judged_on_the_old_one(case):
    case.supporter(make_nik())  # and its voter on the roll, judged on 27-11-2024
    with pytest.raises(ValidationError) as refused:
        election_settings_change(
            election=case.election, by=None, reason=REASON, voting_day=dt.date(2024, 12, 1)
        )
    assert "impor ulang" in str(refused.value)
    case.election.refresh_from_db()
    assert case.election.voting_day == VOTING_DAY


def test_a_run_refuses_a_roll_judged_on_another_voting_day(case):
    case.supporter(make_nik())
    VoterRoll.objects.filter(pk=case.roll.pk).update(voting_day=dt.date(2019, 4, 17))
    case.election.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        run_create(pair=case.pair("A"))
    assert "17-04-2019" in str(refused.value)


def test_the_age_check_reads_the_flags_as_the_dates_did(case):
    young = case.supporter(make_nik(birth=dt.date(2007, 11, 28)), marital_status="B")
    of_age = case.supporter(make_nik(birth=dt.date(2007, 11, 27)), marital_status="B")
    verify(case.pair("A"))
    assert verdict(young) == ("TMS", {"UNDERAGE"})
    assert verdict(of_age) == ("MS", set())
