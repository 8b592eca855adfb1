"""Writes for elections, pairs and teams. Views, API, tasks and commands call these."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from candidates.models import Election, Pair, TeamMembership
from candidates.thresholds import Threshold, threshold_compute
from electorate.models import Region, Role, StaffAssignment, VoterRoll

LEVEL_FOR_REGION = {
    Region.Level.PROVINCE: {Election.Level.GOVERNOR},
    Region.Level.KABKOTA: {Election.Level.REGENT, Election.Level.MAYOR},
}


def election_threshold(election: Election) -> Threshold:
    """Governor: spread over the kab/kota of the province; regent/mayor: over its kecamatan."""
    units = Region.objects.filter(parent_id=election.region_id).count()
    return threshold_compute(level=election.level, dpt=election.dpt_count, spread_units=units)


def election_create(
    *,
    slug: str,
    region_code: str,
    level: str,
    dpt: int,
    voting_day: dt.date,
    name: str = "",
    rule_set: str = Election.RuleSet.RULES_2024,
    submission_start: dt.date | None = None,
    submission_end: dt.date | None = None,
    reason_outcomes: dict[str, str] | None = None,
) -> Election:
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError(
            f"Wilayah {region_code} tidak dikenal: muat dulu dengan load_regions."
        )
    if level not in LEVEL_FOR_REGION.get(region.level, set()):
        raise ValidationError(
            f"Pemilihan {level} tidak cocok untuk wilayah tingkat {region.get_level_display()}."
        )
    defaults = dict(
        name=name or f"Pemilihan {Election.Level(level).label} {region.name}",
        region=region,
        level=level,
        dpt_count=dpt,
        voting_day=voting_day,
        rule_set=rule_set,
        submission_start=submission_start,
        submission_end=submission_end,
    )
    if reason_outcomes is not None:  # running the command again keeps the overrides set before
        defaults["reason_outcomes"] = reason_outcomes
    election, _ = Election.objects.update_or_create(slug=slug, defaults=defaults)
    return election


def pair_create(*, election: Election, name: str) -> Pair:
    pair, _ = Pair.objects.get_or_create(election=election, name=name)
    return pair


@transaction.atomic
def team_member_create(*, pair: Pair, username: str, password: str, email: str = ""):
    """A liaison officer's account: sees only its own pair."""
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    StaffAssignment.objects.create(user=user, role=Role.TIM, region=pair.election.region)
    TeamMembership.objects.create(user=user, pair=pair)
    return user


def election_roll_ensure(*, election: Election) -> VoterRoll:
    """The roll an election checks against; the first import creates a DPT roll for its region.
    Locked, so two first uploads at once still make one roll."""
    if election.roll_id is None:
        with transaction.atomic():
            locked = Election.objects.select_for_update().get(pk=election.pk)
            if locked.roll_id is None:
                locked.roll = VoterRoll.objects.create(
                    name=f"DPT {election.name}", region_id=election.region_id
                )
                locked.save(update_fields=["roll"])
            election.roll = locked.roll
    return election.roll
