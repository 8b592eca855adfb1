"""A support list as submitted, counted per spread unit (kab/kota of a province, kecamatan of
a kab/kota), before any verification: what the count-and-spread check (candidates.submission)
holds against the threshold and the spread, and the team's B.2-KWK (candidates.summary) is
compared with.

Counted here (decided here; DOMAIN.md leaves it open): the rows loaded from the round's files
(rows refused at intake are not in the list), each NIK once where it is first listed (upload,
row), by the kelurahan typed on that row (no roll is consulted at this step); a row typed
outside the election's region is counted apart, toward no unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from candidates.kinds import SPREAD_LABELS, election_kind
from candidates.models import Election, Pair, Supporter
from electorate.areas import LEVEL_DEPTHS, code_length
from electorate.models import Region


@dataclass(frozen=True)
class Units:
    """The election's spread units (kab/kota of a province, kecamatan of a kab/kota): their
    codes and names, the level's name, and how long a unit's code is (a kelurahan's code
    begins with its unit's)."""

    level: str  # "kabkota" or "kecamatan", as the standing names it
    names: dict[str, str]
    code_length: int


def spread_regions(election: Election) -> QuerySet[Region]:
    """The units the election's support is spread over: the regions at its kind's spread
    level inside its region (candidates.kinds)."""
    depth = election_kind(election).spread_depth
    return Region.objects.filter(code__startswith=election.region_id + ".", level=depth)


def election_units(election: Election) -> Units:
    kind = election_kind(election)
    names = dict(spread_regions(election).order_by("code").values_list("code", "name"))
    # Kemendagri codes are fixed width per level: 31.71 for a kab/kota, 31.71.01 a kecamatan.
    return Units(level=kind.spread_key, names=names, code_length=code_length(kind.spread_depth))


def level_label(key: str) -> str:
    """ "kabkota" -> kabupaten/kota, "kecamatan" -> kecamatan: a spread level as the pages,
    messages and minutes name it."""
    return str(SPREAD_LABELS[LEVEL_DEPTHS[key]])


def unit_label(units: Units) -> str:
    return level_label(units.level)


@dataclass(frozen=True)
class Listed:
    """A list's rows counted per spread unit: `rows` every row, `persons` each NIK once (where
    it is first listed); the unit "" holds the rows typed outside the election's region."""

    rows: dict[str, int]
    persons: dict[str, int]

    def total_rows(self) -> int:
        return sum(self.rows.values())

    def total_persons(self) -> int:
        return sum(self.persons.values())

    def counted(self) -> int:
        return sum(n for unit, n in self.persons.items() if unit)

    def outside(self) -> int:
        return self.persons.get("", 0)

    def reached(self) -> list[str]:
        return sorted(unit for unit, n in self.persons.items() if unit and n)


def list_counts(*, pair: Pair, round: int, units: Units, upload_id: int | None = None) -> Listed:
    """One GROUP BY over the round's rows (or one upload's): each NIK counted once at its
    first listing, by the kelurahan typed on that row, per spread unit."""
    prefix = pair.election.region_id + "."
    params: dict[str, Any] = {
        "pair": pair.pk,
        "round": round,
        "prefix": prefix,
        "plen": len(prefix),
        "ulen": units.code_length,
        "upload": upload_id,
    }
    only_upload = "AND s.upload_id = %(upload)s" if upload_id is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT CASE WHEN substr(t.kel, 1, %(plen)s) = %(prefix)s
                        THEN substr(t.kel, 1, %(ulen)s) ELSE '' END AS unit,
                   COUNT(*), SUM(CASE WHEN t.rn = 1 THEN 1 ELSE 0 END)
            FROM (
                SELECT s.kelurahan_id AS kel, ROW_NUMBER() OVER (
                    PARTITION BY s.nik_hash ORDER BY s.upload_id, s.row_number
                ) AS rn
                FROM {Supporter._meta.db_table} s
                WHERE s.pair_id = %(pair)s AND s.round = %(round)s {only_upload}
            ) t
            GROUP BY 1
            """,
            params,
        )
        found = cursor.fetchall()
    return Listed(
        rows={unit: int(n) for unit, n, _p in found},
        persons={unit: int(p or 0) for unit, _n, p in found},
    )
