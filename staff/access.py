"""The one home of the role rules: who acts where, and which kind of page each role may open.

Every app asks these functions (views, API views, selectors, the navigation), none copies them.

An area is a dotted Kemendagri code: everything whose code equals it or starts with it plus a
dot lies inside. A superuser's area is "" (the whole country); a user without an assignment has
no area at all (None) and sees nothing.

Rules about a particular object (this pair's team, the KPU that runs this election) live with
the object's layer (candidates.selectors); the rules here depend on the role and area only.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q, QuerySet

from electorate import areas
from electorate.models import Role, RollImport, StaffAssignment, VoterRoll

# KPU staff run elections; the ad hoc committees and supervisors act inside them.
COMMISSION_ROLES = frozenset({Role.KPU_PROVINSI, Role.KPU_KABKOTA})
COMMITTEE_ROLES = frozenset({Role.PPK, Role.PPS})


def _assignment(user) -> StaffAssignment | None:
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


def is_commission(user) -> bool:
    """KPU staff (province or kab/kota) and superusers: they set up and run the verification."""
    return bool(getattr(user, "is_superuser", False)) or user_role(user) in COMMISSION_ROLES


def is_committee(user) -> bool:
    """PPK and PPS: the ad hoc committees that meet supporters in the field."""
    return user_role(user) in COMMITTEE_ROLES


def is_supervisor(user) -> bool:
    return user_role(user) == Role.BAWASLU


def is_team(user) -> bool:
    return user_role(user) == Role.TIM


# --- what each role may open ------------------------------------------------------------------


def may_see_names(user) -> bool:
    """Supporters name by name: KPU, PPK/PPS (in their area) and a team (its own pair). Bawaslu
    supervises through the recap: names are not published one by one (docs/domain.md step 5)."""
    return user_area(user) is not None and not is_supervisor(user)


def may_see_recap(user) -> bool:
    """KPU and Bawaslu of the area, and the pair's own team."""
    return is_commission(user) or is_supervisor(user) or is_team(user)


def may_see_red_flags(user) -> bool:
    """Red flags point KPU and Bawaslu at what to look at; a team sees its own recap only."""
    return is_commission(user) or is_supervisor(user)


def commission_required(user) -> None:
    """Raise 403 unless the user is KPU staff; call after the object was found in their area."""
    if not is_commission(user):
        raise PermissionDenied


# --- areas --------------------------------------------------------------------------------------


code_within = areas.code_within
region_prefixes = areas.code_prefixes


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


def rolls_visible(*, user) -> QuerySet[VoterRoll]:
    """Voter rolls are KPU business: the rolls of regions inside a commissioner's area."""
    if not is_commission(user):
        return VoterRoll.objects.none()
    return VoterRoll.objects.filter(q_within("region__code", user_area(user)))


def roll_imports_visible(*, user) -> QuerySet[RollImport]:
    return RollImport.objects.filter(roll__in=rolls_visible(user=user))
