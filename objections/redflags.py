"""The red flag of misuse: the share of a pair's supporters whose NIK was confirmed misused
(a confirmed objection), per kab/kota and over the whole election, shown with the other red
flags (verification.redflags calls `misuse_flags` through its provider registry). An area
above settings.OBJECTION_MISUSE_SHARE with at least OBJECTION_MISUSE_MIN confirmed is
`flagged`: KPU and Bawaslu see it marked on the recap and on the pair's objections page."""

from __future__ import annotations

from django.conf import settings
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from candidates.models import Pair
from electorate.areas import KABKOTA, code_ancestor
from objections.models import Objection
from verification.derived import list_counts
from verification.placement import SUPERSEDED


def misuse_shares(*, pair: Pair) -> list[dict]:
    """Per area with at least one confirmed objection: {"region", "level", "confirmed",
    "supporters", "share", "flagged"}; the election's whole region first."""
    # Each supporter placed as the recap places them (verification.placement): the roll's
    # kelurahan once found on it, else the row's; a superseded record not counted again.
    confirmed_rows = (
        Objection.objects.filter(pair=pair, status=Objection.Status.CONFIRMED)
        .annotate(
            place=Coalesce("supporter__verification__kelurahan_code", "supporter__kelurahan_id")
        )
        .values_list("place", "supporter__nik_hash")
        .distinct()
    )
    persons: dict[str, set[bytes]] = {}
    for kelurahan, nik_hash in confirmed_rows:
        persons.setdefault(code_ancestor(kelurahan, KABKOTA), set()).add(bytes(nik_hash))
    if not persons:
        return []
    supporters: dict[str, int] = {}
    for place, _round, outcome, n in list_counts(pair=pair):
        if outcome == SUPERSEDED:
            continue
        key = code_ancestor(place, KABKOTA)
        supporters[key] = supporters.get(key, 0) + n
    top = pair.election.region_id
    areas = [(top, "election", sum(len(p) for p in persons.values()), sum(supporters.values()))]
    areas += [
        (code, "kabkota", len(p), supporters.get(code, 0)) for code, p in sorted(persons.items())
    ]
    limit, minimum = settings.OBJECTION_MISUSE_SHARE, settings.OBJECTION_MISUSE_MIN
    shares = []
    for code, level, confirmed, total in areas:
        if level == "kabkota" and code == top:
            continue
        share = confirmed / total if total else 0.0
        shares.append(
            {
                "region": code,
                "level": level,
                "confirmed": confirmed,
                "supporters": total,
                "share": share,
                "limit": limit,
                "flagged": share > limit and confirmed >= minimum,
            }
        )
    return shares


def misuse_flags(*, pair: Pair) -> list[dict]:
    """misuse_shares as red flags (verification.redflags)."""
    flags = []
    for area in misuse_shares(pair=pair):
        flags.append(
            {
                "kind": "misuse",
                "region": area["region"],
                "supporters": area["confirmed"],
                "share": round(area["share"], 6),
                "limit": area["limit"],
                "flagged": area["flagged"],
                "message": _(
                    "%(n)s pendukung terbukti dicatut (tanggapan masyarakat) = %(pct)s%% dari "
                    "%(total)s pendukung wilayah ini (batas %(lim)s%%, minimal %(min)s)"
                )
                % {
                    "n": area["confirmed"],
                    "pct": _pct(area["share"]),
                    "total": area["supporters"],
                    "lim": _pct(area["limit"]),
                    "min": settings.OBJECTION_MISUSE_MIN,
                },
            }
        )
    return flags


def _pct(share: float) -> str:
    return f"{100 * share:.3f}".rstrip("0").rstrip(".").replace(".", ",")
