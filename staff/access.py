"""The one home of the role rules: who acts where, and what each role may do there.

Every app asks these functions (views, API views, selectors, the navigation), none copies them:
`may(user, capability[, area])` reads the one table of capabilities (staff.capabilities).

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
from staff.capabilities import CAPABILITIES, PKD, SUPERUSER, Capability

# KPU staff run elections; the ad hoc committees and supervisors act inside them. KPU RI and
# Bawaslu RI are the KPU and the Bawaslu of the whole country (area ""): KPU RI runs what lies
# inside its area as KPU Provinsi does inside a province, Bawaslu RI reads no names.
NATIONAL_ROLES = frozenset({Role.KPU_RI, Role.BAWASLU_RI})
COMMISSION_ROLES = frozenset({Role.KPU_PROVINSI, Role.KPU_KABKOTA, Role.KPU_RI})
COMMITTEE_ROLES = frozenset({Role.PPK, Role.PPS})
SUPERVISOR_ROLES = frozenset({Role.BAWASLU, Role.BAWASLU_RI})


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
    if assignment is None:
        return None
    return "" if assignment.role in NATIONAL_ROLES else assignment.region_id


def is_commission(user) -> bool:
    """KPU staff (province or kab/kota) and superusers: they set up and run the verification."""
    return bool(getattr(user, "is_superuser", False)) or user_role(user) in COMMISSION_ROLES


def is_committee(user) -> bool:
    """PPK and PPS: the ad hoc committees that meet supporters in the field."""
    return user_role(user) in COMMITTEE_ROLES


def is_supervisor(user) -> bool:
    """Bawaslu of an area (province, kab/kota, kecamatan, the PKD of a kelurahan) or Bawaslu RI."""
    return user_role(user) in SUPERVISOR_ROLES


def is_national(user) -> bool:
    """KPU RI, Bawaslu RI and superusers: the national page of every election (portal.national)."""
    return bool(getattr(user, "is_superuser", False)) or user_role(user) in NATIONAL_ROLES


def is_team(user) -> bool:
    return user_role(user) == Role.TIM


# --- what each role may do (the table: staff.capabilities) ---------------------------------------


def roles(user) -> frozenset[str]:
    """The keys of staff.capabilities.CAPABILITIES the user holds: its assignment's role, PKD
    for Bawaslu of one kelurahan, SUPERUSER for a superuser; none for anybody else."""
    held = set()
    assignment = _assignment(user)
    if assignment is not None:
        held.add(assignment.role)
        depth = areas.code_depth(assignment.region_id)
        if assignment.role == Role.BAWASLU and depth == areas.KELURAHAN:
            held.add(PKD)
    if getattr(user, "is_superuser", False):
        held.add(SUPERUSER)
    return frozenset(held)


def capabilities(user) -> frozenset[Capability]:
    return frozenset().union(*(CAPABILITIES.get(role, frozenset()) for role in roles(user)))


def may(user, capability: Capability, area: str | None = None) -> bool:
    """The user's roles grant the capability (staff.capabilities) and, when an area is given,
    it lies inside the user's area. The one question pages, API views and selectors ask about
    a role; rules about one object (this pair, this election) add theirs in the object's layer."""
    if capability not in capabilities(user):
        return False
    return area is None or code_within(area, user_area(user))


def is_pkd(user) -> bool:
    """A village supervisor: Bawaslu whose area is one kelurahan."""
    return PKD in roles(user)


def may_see_names(user) -> bool:
    """Supporters name by name: KPU, PPK/PPS (in their area) and a team (its own pair). Bawaslu
    supervises through the recap: names are not published one by one (docs/domain.md step 5)."""
    return may(user, Capability.READ_NAMES)


def may_see_recap(user) -> bool:
    """KPU and Bawaslu of the area, and the pair's own team."""
    return may(user, Capability.READ_RECAP)


def may_see_red_flags(user) -> bool:
    """Red flags point KPU and Bawaslu at what to look at; a team sees its own recap only."""
    return may(user, Capability.READ_RED_FLAGS)


def commission_required(user) -> None:
    """Raise 403 unless the user runs elections (the KPU); call after the object was found in
    their area."""
    if not may(user, Capability.RUN_ELECTIONS):
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
    if not may(user, Capability.RUN_ELECTIONS):
        return VoterRoll.objects.none()
    return VoterRoll.objects.filter(q_within("region__code", user_area(user)))


def roll_imports_visible(*, user) -> QuerySet[RollImport]:
    return RollImport.objects.filter(roll__in=rolls_visible(user=user))
