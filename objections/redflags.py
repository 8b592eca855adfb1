"""Red flags of this app, shown with the others (verification.redflags calls them through its
provider registry, and stores what they return with the pair's run):

- misuse: the share of a pair's supporters whose NIK was confirmed misused (a confirmed
  objection), per kab/kota and over the whole election. An area above
  settings.OBJECTION_MISUSE_SHARE with at least OBJECTION_MISUSE_MIN confirmed is `flagged`:
  KPU and Bawaslu see it marked on the recap and on the pair's objections page.
- enumeration: the check walked, from the hourly counts (models.CheckCount): a group of NIKs
  (the first 12 digits) that reached its cap of distinct NIKs in a day, per kecamatan of issue
  and day; and client networks that tried NIKs of CHECK_NETWORK_GROUPS_FLAG groups or more in
  a day (a place-less flag: for those whose area covers the election). Not about the pair: the
  same flags on every pair whose election covers the place, refreshed by each flush
  (objections.checkcounts)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.models import Pair
from electorate.areas import KABKOTA, code_ancestor
from objections.models import CheckCount, Objection
from staff.access import q_within
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


# --- the check walked ---------------------------------------------------------------------------


def _local_date(hour: dt.datetime) -> str:
    return date_format(timezone.localtime(hour), "SHORT_DATE_FORMAT")


def _walked(rows) -> dict[tuple[str, str], dict]:
    """Per (kecamatan, date): the groups that reached their cap, with every lookup of them."""
    capped = rows.filter(withheld__gt=0).values("prefix")
    walks: dict[bytes, dict] = {}
    for region, prefix, network, hour, withheld in rows.filter(prefix__in=capped).values_list(
        "region_code", "prefix", "network", "hour", "withheld"
    ):
        walk = walks.setdefault(
            bytes(prefix), {"region": region, "first": hour, "networks": set(), "withheld": 0}
        )
        walk["first"] = min(walk["first"], hour)
        walk["networks"].add(bytes(network))
        walk["withheld"] += withheld
    places: dict[tuple[str, str], dict] = {}
    for walk in walks.values():
        place = places.setdefault(
            (walk["region"], _local_date(walk["first"])),
            {"groups": 0, "networks": set(), "withheld": 0},
        )
        place["groups"] += 1
        place["networks"] |= walk["networks"]
        place["withheld"] += walk["withheld"]
    return places


def _networks(rows) -> dict[str, list[int]]:
    """Per date: how many groups each network over the threshold tried (public channels)."""
    days: dict[str, list[int]] = defaultdict(list)
    for row in _network_rows(rows).annotate(first=Min("hour")):
        days[_local_date(row["first"])].append(row["groups"])
    return days


def enumeration_flags(*, pair: Pair) -> list[dict]:
    """The check walked in the places of the pair's election (module docstring)."""
    rows = CheckCount.objects.filter(q_within("region_code", pair.election.region_id))
    flags = []
    for (region, date), place in sorted(_walked(rows).items()):
        flags.append(
            {
                "kind": "enumeration",
                "region": region,
                "supporters": 0,
                "flagged": True,
                "message": _(
                    "Pengecekan NIK beruntun pada %(date)s: %(groups)s kelompok NIK yang "
                    "diterbitkan di kecamatan ini (12 angka awal yang sama: tanggal lahir dan "
                    "jenis kelamin) dicoba sampai batas %(cap)s NIK berbeda sehari; "
                    "%(withheld)s jawaban ditahan (dijawab tidak terdaftar), dari %(networks)s "
                    "jaringan."
                )
                % {
                    "date": date,
                    "groups": place["groups"],
                    "cap": settings.CHECK_PREFIX_DAILY,
                    "withheld": place["withheld"],
                    "networks": len(place["networks"]),
                },
            }
        )
    for date, groups in sorted(_networks(rows).items()):
        flags.append(
            {
                "kind": "enumeration_network",
                "supporters": 0,
                "flagged": True,
                "message": _(
                    "Pengecekan NIK dari satu jaringan pada %(date)s: %(networks)s jaringan "
                    "masing-masing mengecek NIK dari sedikitnya %(limit)s kelompok NIK berbeda "
                    "(terbanyak %(most)s kelompok NIK)."
                )
                % {
                    "date": date,
                    "networks": len(groups),
                    "limit": settings.CHECK_NETWORK_GROUPS_FLAG,
                    "most": max(groups),
                },
            }
        )
    return flags


def enumeration_flagged_regions(*, days: set[dt.date]) -> set[str]:
    """The kecamatan codes that the counts of these (UTC) days flag."""
    when = Q()
    for day in days:
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        when |= Q(hour__gte=start, hour__lt=start + dt.timedelta(days=1))
    rows = CheckCount.objects.filter(when)
    regions = set(rows.filter(withheld__gt=0).values_list("region_code", flat=True).distinct())
    networks = [row["network"] for row in _network_rows(rows)]
    if networks:
        regions |= set(
            rows.filter(network__in=networks).values_list("region_code", flat=True).distinct()
        )
    return regions


def _network_rows(rows):
    return (
        rows.exclude(channel=CheckCount.Channel.DESK)
        .values("network")
        .annotate(groups=Count("prefix", distinct=True))
        .filter(groups__gte=settings.CHECK_NETWORK_GROUPS_FLAG)
    )
