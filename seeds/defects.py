"""The defects a support list is planted with: reason codes, planted kinds, and the row of a kind.

Every row carries at most one planted defect (its kind) and the reasons that kind must get from
verification (`KIND_REASONS`), so a generated list knows, count for count, what verification must
find (`expected`). `row_cells` builds one planted row from (area, kind, index) alone, hashing
rather than drawing, so that the planner in support.py can predict the kelurahan a row will be
written with and sort the rows into kelurahan bundles before any is written.
"""

from __future__ import annotations

import datetime as dt

from seeds import names as N
from seeds.formatting import Styler, mangle, person_cells
from seeds.nik import mix
from seeds.population import GROUP_TABLE, NAME_POOLS, Area, Person

REASONS = (
    "NIK_INVALID",
    "NOT_IN_ROLL",
    "OUTSIDE_REGION",
    "UNDERAGE",
    "DUPLICATE_INTERNAL",
    "DUPLICATE_EXTERNAL",
    "DATA_MISMATCH",
    "RESTRICTED_OCCUPATION",
)
# 2024 defaults (docs/domain.md step 3): TMS over BMS over MS.
TMS_REASONS = frozenset(
    {"NIK_INVALID", "NOT_IN_ROLL", "OUTSIDE_REGION", "UNDERAGE", "DUPLICATE_INTERNAL"}
)
# Every reason a row of each planted kind must get; a row carries exactly one planted defect,
# the second reason follows from it (an underage person is never in the DPT).
KIND_REASONS: dict[str, tuple[str, ...]] = {
    "CLEAN": (),
    "NIK_INVALID": ("NIK_INVALID", "NOT_IN_ROLL"),
    "NOT_IN_ROLL": ("NOT_IN_ROLL",),
    "OUTSIDE_REGION": ("OUTSIDE_REGION", "NOT_IN_ROLL"),
    "UNDERAGE": ("UNDERAGE", "NOT_IN_ROLL"),
    "DUPLICATE_INTERNAL": ("DUPLICATE_INTERNAL",),
    "DUPLICATE_EXTERNAL": ("DUPLICATE_EXTERNAL",),
    "DATA_MISMATCH": ("DATA_MISMATCH",),
    "RESTRICTED_OCCUPATION": ("RESTRICTED_OCCUPATION",),
}

# Kinds as small integers for the packed sort keys; DUPLICATE_INTERNAL (a second copy) sorts
# after the first copies of its kelurahan bundle, as a re-entered form would.
KINDS = (
    "CLEAN",
    "NIK_INVALID",
    "NOT_IN_ROLL",
    "OUTSIDE_REGION",
    "UNDERAGE",
    "DUPLICATE_EXTERNAL",
    "DATA_MISMATCH",
    "RESTRICTED_OCCUPATION",
    "REJECTED",
    "DUPLICATE_INTERNAL",
)
K = {name: n for n, name in enumerate(KINDS)}
# Kinds whose rows are voters of the roll, in the order the planner deals sampled voters out.
ROLL_KINDS = (
    "CLEAN",
    "DUPLICATE_EXTERNAL",
    "DATA_MISMATCH",
    "RESTRICTED_OCCUPATION",
    "REJECTED",
)
# Kinds whose rows are people in no roll at all.
# A supporter of the roll is a voter of the region whatever kelurahan was typed (the engine
# judges them where the roll places them): an OUTSIDE_REGION supporter is someone not on the
# roll who lives outside, so the kind is one of these.
ONLY_SUPPORT_KINDS = ("NIK_INVALID", "NOT_IN_ROLL", "OUTSIDE_REGION", "UNDERAGE")


def expected(kinds: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """(supporters per reason code, supporters per outcome) for these rows per planted kind."""
    reasons = dict.fromkeys(REASONS, 0)
    outcomes = {"MS": 0, "BMS": 0, "TMS": 0}
    for kind, count in kinds.items():
        if kind == "REJECTED":
            continue
        found = KIND_REASONS[kind]
        for reason in found:
            reasons[reason] += count
        outcome = "TMS" if TMS_REASONS.intersection(found) else "BMS" if found else "MS"
        outcomes[outcome] += count
    return reasons, outcomes


def row_hash(area: Area, salt: int, idx: int, kind: int) -> int:
    """The 64-bit hash everything about a planted row but its person is drawn from."""
    return mix(area.support_base ^ salt ^ (idx << 5) ^ kind)


def outside_kelurahan(outside: list[str], h: int) -> str:
    """Where an OUTSIDE_REGION supporter claims to live: a kelurahan outside the region."""
    return outside[h % len(outside)]


def support_only_person(area: Area, kind: str, j: int, h: int) -> Person:
    """Person j of a kind that no roll holds: NOT_IN_ROLL, OUTSIDE_REGION, UNDERAGE or
    NIK_INVALID. OUTSIDE_REGION people (their NIK issued here, living outside now: row_cells
    types their kelurahan) take the outsiders' NIKs from the top, NOT_IN_ROLL from the bottom."""
    if kind == "NOT_IN_ROLL":
        return area.person(area.outsider, j, h, native=True)
    if kind == "OUTSIDE_REGION":
        return area.person(area.outsider, area.outsider.capacity() - 1 - j, h, native=True)
    if kind == "UNDERAGE":
        return area.person(area.minor, j, h, native=True, single=True)
    if kind != "NIK_INVALID":
        raise ValueError(f"{kind}: bukan jenis baris di luar DPT")
    keys = area.bad_month if j % 2 == 0 else area.bad_day
    p = area.person(keys, j // 2, h, native=True)
    nik = p.nik
    if keys is area.bad_month:  # month 13..24: no such month
        nik = nik[:8] + f"{int(nik[8:10]) + 12:02d}" + nik[10:]
    else:  # day 32 (a man) or 72 (a woman): no such day
        nik = nik[:6] + ("72" if p.sex == "P" else "32") + nik[8:]
    return p._replace(nik=nik)


def different_name(name: str, sex: str, h: int) -> str:
    """A name that is clearly not the same person's: no shared word, low similarity."""
    from rapidfuzz import fuzz

    words = set(name.upper().split())
    for attempt in range(50):
        g = GROUP_TABLE[(h + attempt * 37) % 100]
        other = NAME_POOLS[g][0 if sex == "L" else 1][(h // 100 + attempt * 101) % 1024]
        if words.isdisjoint(other.split()) and fuzz.ratio(name, other) < 45:
            return other
    return "YOHANES PATTIASINA" if sex == "L" else "NI LUH SUDARSANA"


def row_cells(
    area: Area,
    kind: int,
    idx: int,
    *,
    outside: list[str],
    style: Styler,
    fmt: str,
    salt: int,
) -> tuple[list, Person]:
    """The cells of one planted row (without HALAMAN) and the person it stands for."""
    h = row_hash(area, salt, idx, kind)
    name = KINDS[kind]
    p = support_only_person(area, name, idx, h) if name in ONLY_SUPPORT_KINDS else area.voter(idx)
    occupation = N.OCCUPATIONS[h % len(N.OCCUPATIONS)]
    if name == "UNDERAGE":
        occupation = "PELAJAR/MAHASISWA"
    cells = person_cells(p, style, h, occupation=occupation)
    if name == "OUTSIDE_REGION":
        cells[8] = outside_kelurahan(outside, h)
    elif name == "RESTRICTED_OCCUPATION":
        cells[9] = N.RESTRICTED_OCCUPATIONS[h % len(N.RESTRICTED_OCCUPATIONS)]
    elif name == "REJECTED":
        cells[0] = mangle(p.nik, h >> 3, fmt)
    elif name == "DATA_MISMATCH":
        _mismatch(cells, p, h, style)
    return cells, p


def _mismatch(cells: list, p: Person, h: int, style: Styler) -> None:
    """One field that disagrees with the roll: the name, the birth date or the sex."""
    what = (h >> 7) % 3
    if what == 0:
        cells[1] = different_name(p.name, p.sex, h >> 9)
    elif what == 1:
        shift = dt.timedelta(days=365 + (h >> 9) % 1500)
        cells[3] = style.date(p.birth_date - shift, h >> 20)
    else:
        cells[4] = "P" if p.sex == "L" else "L"
