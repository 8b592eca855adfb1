"""Who sees and does what with objections, and the reads the pages and the API share.

- The check and the objection form are public (no account): what they answer is in lookup.py.
- KPU: the objections whose supporter the recap places in its area; the KPU owning the
  kab/kota (or above) clarifies and decides them, and may file one brought to its desk.
- Bawaslu (and a PKD): the objections of its area, read only; it may file one too.
- Committees (PPK/PPS) and teams: none. A team learns the outcome as PUBLIC_OBJECTION on its
  results, never who objected.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from candidates import selectors as candidates
from candidates.models import Pair
from electorate.areas import KABKOTA, code_ancestor
from objections.models import Objection
from staff.access import may, q_within, user_area
from staff.capabilities import Capability


def may_see_objections(user) -> bool:
    return may(user, Capability.READ_OBJECTIONS)


def may_file(user) -> bool:
    """Bawaslu's own objections and a KPU desk's (a letter, a citizen at the office)."""
    return may(user, Capability.FILE_OBJECTION)


def objection_owner(objection: Objection) -> str:
    """The KPU that handles it: the kab/kota of the supporter's place."""
    return code_ancestor(objection.region_code, KABKOTA)


def may_handle(*, user, objection: Objection) -> bool:
    """Clarify and decide: the KPU of the objection's kab/kota, or above it."""
    return may(user, Capability.ANSWER_OBJECTIONS, objection_owner(objection))


def objections_in_reach(*, user) -> QuerySet[Objection]:
    """Objections of the pairs the user sees, in the user's area (a team: its own pair's).
    Pages show them only to may_see_objections; this tells 404 from 403."""
    qs = Objection.objects.filter(pair__in=candidates.pairs_visible(user=user))
    if candidates.user_pair_id(user) is not None:
        return qs
    return qs.filter(q_within("region_code", user_area(user)))


def objections_visible(*, user) -> QuerySet[Objection]:
    if not may_see_objections(user):
        return Objection.objects.none()
    return objections_in_reach(user=user)


def objections_filter(qs: QuerySet[Objection], *, status: str = "", pair_id=None):
    if status == "terbuka":
        qs = qs.filter(status__in=Objection.OPEN_STATUSES)
    elif status in Objection.Status.values:
        qs = qs.filter(status=status)
    if pair_id:
        qs = qs.filter(pair_id=pair_id)
    return qs


def status_counts(qs: QuerySet[Objection]) -> dict[str, int]:
    counts = dict.fromkeys(Objection.Status.values, 0)
    for row in qs.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def filing_pairs(*, user) -> QuerySet[Pair]:
    """The pairs a staff member may file an objection about: those of the elections they see."""
    if not may_file(user):
        return Pair.objects.none()
    return candidates.pairs_visible(user=user).select_related("election").order_by("name")


def open_objections_of_election(*, election_id: int) -> QuerySet[Objection]:
    return Objection.objects.filter(election_id=election_id, status__in=Objection.OPEN_STATUSES)


def area_objection_q(area: str | None) -> Q:
    return q_within("region_code", area)
