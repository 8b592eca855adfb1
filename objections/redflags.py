"""The red flag of misuse: the share of a pair's supporters whose NIK was confirmed misused
(a confirmed objection), per kab/kota and over the whole election, shown with the other red
flags (verification.redflags calls `misuse_flags` through its provider registry). An area
above settings.OBJECTION_MISUSE_SHARE with at least OBJECTION_MISUSE_MIN confirmed is
`flagged`: KPU and Bawaslu see it marked on the recap and on the pair's objections page."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _

from candidates.models import Pair, Supporter
from objections.models import Objection


def _kabkota(code: str) -> str:
    return ".".join(code.split(".")[:2])


def misuse_shares(*, pair: Pair) -> list[dict]:
    """Per area with at least one confirmed objection: {"region", "level", "confirmed",
    "supporters", "share", "flagged"}; the election's whole region first."""
    confirmed_rows = (
        Objection.objects.filter(pair=pair, status=Objection.Status.CONFIRMED)
        .values_list("supporter__kelurahan_id", "supporter__nik_hash")
        .distinct()
    )
    persons: dict[str, set[bytes]] = {}
    for kelurahan, nik_hash in confirmed_rows:
        persons.setdefault(_kabkota(kelurahan), set()).add(bytes(nik_hash))
    if not persons:
        return []
    supporters: dict[str, int] = {}
    for row in (
        Supporter.objects.filter(pair=pair)
        .values("kelurahan_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = _kabkota(row["kelurahan_id"])
        supporters[key] = supporters.get(key, 0) + row["n"]
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
