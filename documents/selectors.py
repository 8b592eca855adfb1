"""Who sees and issues minutes, and which ones.

- KPU and Bawaslu read the minutes of a pair they see, of the levels inside their own area (a
  KPU Kab/Kota reads its kab/kota's minutes of the governor election, not the province's,
  whose counts cover the other kab/kota too: the recap's rule). Bawaslu downloads them too.
- A KPU issues minutes for the levels inside its area: the election's region when it runs the
  election, its kab/kota of a governor election (documents.figures.levels_allowed).
- Committees (PPK, PPS) and teams: not here. The public checks a PDF by its code only
  (/berita-acara/<code>/), and learns nothing personal there.
"""

from __future__ import annotations

from django.db.models import QuerySet

from candidates.models import Pair
from candidates.selectors import pairs_visible
from documents.figures import levels_allowed
from documents.models import Minutes
from staff.access import code_within, may, q_within, user_area
from staff.capabilities import Capability


def may_see_minutes(user) -> bool:
    return may(user, Capability.READ_MINUTES)


def minutes_visible(*, user, pair: Pair | None = None) -> QuerySet[Minutes]:
    if not may_see_minutes(user):
        return Minutes.objects.none()
    qs = Minutes.objects.filter(
        q_within("region__code", user_area(user)), pair__in=pairs_visible(user=user)
    )
    return qs.filter(pair=pair) if pair is not None else qs


def issue_areas(*, user, pair: Pair) -> list[str]:
    """The levels this user may issue minutes for (empty: none)."""
    if not may(user, Capability.ISSUE_MINUTES):
        return []
    area = user_area(user)
    return [code for code in levels_allowed(pair.election) if code_within(code, area)]
