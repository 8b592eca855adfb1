"""Who acts where: a user's role and area, and filters of querysets by region code.

An area is a dotted Kemendagri code: everything whose code equals it or starts with it plus a
dot lies inside. A superuser's area is "" (the whole country); a user without an assignment has
no area at all (None) and sees nothing.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from electorate.models import Role

# KPU staff run elections; the ad hoc committees and supervisors act inside them.
COMMISSION_ROLES = frozenset({Role.KPU_PROVINSI, Role.KPU_KABKOTA})
COMMITTEE_ROLES = frozenset({Role.PPK, Role.PPS})


def _assignment(user):
    if not getattr(user, "is_authenticated", False):
        return None
    # The OneToOne accessor caches on the instance: one query per request at most.
    try:
        return user.assignment
    except ObjectDoesNotExist:
        return None


def user_role(user) -> str | None:
    """The user's Role value, or None (anonymous, or no assignment; superusers have none)."""
    assignment = _assignment(user)
    return assignment.role if assignment else None


def user_area(user) -> str | None:
    """Region code prefix the user acts in: "" for superusers (everything), None for nobody."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    assignment = _assignment(user)
    return assignment.region_id if assignment else None


def user_pair_id(user) -> int | None:
    """The one pair a team member belongs to; None for everybody else."""
    if user_role(user) != Role.TIM:
        return None
    try:
        return user.team.pair_id
    except ObjectDoesNotExist:  # a team account without a pair sees nothing
        return None


def is_commission(user) -> bool:
    """KPU staff (province or kab/kota) and superusers: they set up and run the verification."""
    return bool(getattr(user, "is_superuser", False)) or user_role(user) in COMMISSION_ROLES


def is_supervisor(user) -> bool:
    return user_role(user) == Role.BAWASLU


def is_team(user) -> bool:
    return user_role(user) == Role.TIM


def code_within(code: str, area: str | None) -> bool:
    if area is None:
        return False
    return area == "" or code == area or code.startswith(area + ".")


def region_prefixes(code: str) -> list[str]:
    """31.71.01.1001 -> [31, 31.71, 31.71.01, 31.71.01.1001]: the region and its ancestors."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def q_within(field: str, area: str | None) -> Q:
    """Rows whose region code `field` lies inside the area (the area itself included)."""
    if area is None:
        return Q(pk__in=[])
    if area == "":
        return Q()
    return Q(**{field: area}) | Q(**{f"{field}__startswith": area + "."})


def q_covering(field: str, area: str | None) -> Q:
    """Rows whose region code `field` contains the area: the area itself or one of its ancestors."""
    if area is None:
        return Q(pk__in=[])
    if area == "":
        return Q()
    return Q(**{f"{field}__in": region_prefixes(area)})


def filter_within(qs: QuerySet, *, field: str, area: str | None) -> QuerySet:
    return qs.filter(q_within(field, area))


def rolls_visible(*, user) -> QuerySet:
    """Voter rolls are KPU business: the rolls of regions inside a commissioner's area."""
    from electorate.models import VoterRoll

    if not is_commission(user):
        return VoterRoll.objects.none()
    return VoterRoll.objects.filter(q_within("region__code", user_area(user)))


def roll_imports_visible(*, user) -> QuerySet:
    from electorate.models import RollImport

    return RollImport.objects.filter(roll__in=rolls_visible(user=user))


def commission_required(user) -> None:
    """Raise 403 unless the user is KPU staff; call after the object was found in their area."""
    from django.core.exceptions import PermissionDenied

    if not is_commission(user):
        raise PermissionDenied
