"""Reads the pages and the API share. Every one takes the user: what it returns is all they may see.

- Staff see the elections held in their area or over it (a PPS officer sees the governor
  election of the province), and inside them only the supporters living in their area.
- KPU staff manage (register pairs, create teams, see uploads, start runs) the elections held
  inside their area.
- Bawaslu sees pairs and the recap of its area, not supporters name by name.
- A team sees its own pair and nothing else.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from candidates.models import Election, Pair, Supporter, SupportUpload
from electorate.access import (
    COMMISSION_ROLES,
    COMMITTEE_ROLES,
    is_commission,
    q_covering,
    q_within,
    user_area,
    user_role,
)
from electorate.models import Role


def user_pair_id(user) -> int | None:
    """The one pair a team member belongs to; None for everybody else."""
    if user_role(user) != Role.TIM:
        return None
    try:
        return user.team.pair_id
    except ObjectDoesNotExist:  # a team account without a pair sees nothing
        return None


def elections_visible(*, user) -> QuerySet[Election]:
    area = user_area(user)
    if area is None:
        return Election.objects.none()
    if user_role(user) == Role.TIM:
        # A team account not (yet) tied to a pair sees nothing: filtering on a null pair id
        # would match the elections that have no pair at all.
        pair_id = user_pair_id(user)
        return Election.objects.filter(pairs__id=pair_id) if pair_id else Election.objects.none()
    return Election.objects.filter(
        q_within("region__code", area) | q_covering("region__code", area)
    )


def elections_managed(*, user) -> QuerySet[Election]:
    """Elections the user runs as KPU: those held inside their area."""
    if not is_commission(user):
        return Election.objects.none()
    return Election.objects.filter(q_within("region__code", user_area(user)))


def pairs_visible(*, user) -> QuerySet[Pair]:
    if user_role(user) == Role.TIM:
        pair_id = user_pair_id(user)
        return Pair.objects.filter(pk=pair_id) if pair_id else Pair.objects.none()
    return Pair.objects.filter(election__in=elections_visible(user=user))


def pairs_managed(*, user) -> QuerySet[Pair]:
    return Pair.objects.filter(election__in=elections_managed(user=user))


def supporters_visible(*, user, pair: Pair | None = None) -> QuerySet[Supporter]:
    role = user_role(user)
    area = user_area(user)
    if role == Role.TIM:
        qs = Supporter.objects.filter(pair__in=pairs_visible(user=user))
    elif user.is_superuser or role in COMMISSION_ROLES | COMMITTEE_ROLES:
        qs = Supporter.objects.filter(
            q_within("kelurahan__code", area), pair__in=pairs_visible(user=user)
        )
    else:
        return Supporter.objects.none()
    if pair is not None:
        qs = qs.filter(pair=pair)
    return qs


def uploads_visible(*, user) -> QuerySet[SupportUpload]:
    """A file spans the whole election region: only its team and the KPU running it see it."""
    if user_role(user) == Role.TIM:
        return SupportUpload.objects.filter(pair__in=pairs_visible(user=user))
    return SupportUpload.objects.filter(pair__in=pairs_managed(user=user))


def pair_for_team(*, user) -> Pair | None:
    pair_id = user_pair_id(user)
    return Pair.objects.filter(pk=pair_id).select_related("election").first() if pair_id else None


def manages_election(*, user, election: Election) -> bool:
    """The KPU running the election: registers pairs, creates teams, loads the roll, starts runs."""
    return elections_managed(user=user).filter(pk=election.pk).exists()


def manages_pair(*, user, pair: Pair) -> bool:
    return pairs_managed(user=user).filter(pk=pair.pk).exists()


def is_own_team(*, user, pair: Pair) -> bool:
    return user_pair_id(user) == pair.pk


def may_upload(*, user, pair: Pair) -> bool:
    """The pair's own team, or the KPU running its election (uploading on the team's behalf)."""
    return is_own_team(user=user, pair=pair) or manages_pair(user=user, pair=pair)
