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
from django.db.models import Q, QuerySet, Sum

from candidates.models import Election, Pair, Supporter, SupportUpload
from electorate.areas import code_depth
from electorate.models import Region, Role
from keys.nik import nik_hash
from staff.access import code_within, may, q_covering, q_within, user_area, user_role
from staff.capabilities import Capability


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
    if not may(user, Capability.RUN_ELECTIONS):
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
    """A team all of its own; KPU, PPK and PPS those living in their area, and the KPU running
    the election every supporter of its pairs, including those listed with a kelurahan outside
    the election's region (it verifies them: they are its figures too)."""
    role = user_role(user)
    area = user_area(user)
    if role == Role.TIM:
        qs = Supporter.objects.filter(pair__in=pairs_visible(user=user))
    elif may(user, Capability.READ_NAMES):  # KPU, PPK and PPS (Bawaslu reads no names)
        within = Q(q_within("kelurahan__code", area), pair__in=pairs_visible(user=user))
        if may(user, Capability.RUN_ELECTIONS):  # committees run no election: no OR for their lists
            within |= Q(pair__in=pairs_managed(user=user))
        qs = Supporter.objects.filter(within)
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


def supporters_loaded(*, pair: Pair, round: int | None = None) -> int:
    """How many supporters the pair has (in a round): what its finished uploads loaded, each
    counted when it was loaded (SupportUpload.accepted), instead of a COUNT(*) over the list."""
    uploads = SupportUpload.objects.filter(pair=pair, status=SupportUpload.Status.DONE)
    if round is not None:
        uploads = uploads.filter(round=round)
    return uploads.aggregate(n=Sum("accepted"))["n"] or 0


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


def sees_whole_list(*, user, pair: Pair) -> bool:
    """Whose figures of the pair are the whole list (every supporter, wherever the row says
    they live): the pair's team, the KPU running the election, and staff whose area covers the
    election's region (Bawaslu of the province for a governor election). Everyone else reads
    the part of the list inside their own area."""
    if is_own_team(user=user, pair=pair):
        return True
    area = user_area(user)
    if area is None or user_role(user) == Role.TIM:
        return False
    return code_within(pair.election.region_id, area) or manages_pair(user=user, pair=pair)


def supporters_search(rows: QuerySet, search: str) -> QuerySet:
    """Supporters by a part of the name, or by a whole NIK (spaces, dots and dashes allowed),
    which is looked up by its keyed hash: never stored or compared in the clear, and a part
    of a NIK finds nothing (the mask shows 4 digits; more would narrow a person down)."""
    search = " ".join(search.split())[:100]
    if not search:
        return rows
    digits = "".join(ch for ch in search if ch.isdigit())
    if len(digits) == 16 and not any(ch.isalpha() for ch in search):
        return rows.filter(nik_hash=nik_hash(digits))
    return rows.filter(name__icontains=search)


def area_choices(*, user, pair: Pair) -> list[tuple[str, str]]:
    """The areas a supporter list can be narrowed to: the two levels below the top of what the
    user sees (the election's region for the whole list, else their own area), as (code,
    label). Nothing for a PPS: one kelurahan has nothing below it."""
    top = pair.election.region_id if sees_whole_list(user=user, pair=pair) else user_area(user)
    if not top:
        return []
    depth = code_depth(top)
    regions = Region.objects.filter(
        code__startswith=top + ".", level__in=(depth + 1, depth + 2)
    ).order_by("code")
    return [
        (code, ("\u00a0\u00a0\u00a0" if level == depth + 2 else "") + f"{name} ({code})")
        for code, name, level in regions.values_list("code", "name", "level")
    ]
