"""Realistic synthetic voter rolls (DPT) and support lists with planted defects, streamed to disk.

Every voter is a pure function of (seed, kab/kota, index): the support generator re-derives the
voters it needs from the RollSpec instead of reading the roll back. NIKs are unique by
construction, not by checking: within a sub-population, the serial is `j % R` and the
(prefix, sex, birth date) slot is `(offset[serial] + (j // R) * stride) mod slots` with the
stride coprime to the slot count, so two indices with the same serial never share a slot.
Sub-populations that could meet (same prefixes) use disjoint serial ranges or disjoint dates:

    0001-0799  roll, born in the kab/kota (adults; married 15-16 year olds in their own dates)
    0800-0899  roll, NIK first issued elsewhere (a slice of the range per kab/kota)
    0900-0949  support lists only: people not in the roll (adults, and the underage)
    0950-0999  support lists only: impossible NIK dates (month + 12, or day 32 / 72)
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

from candidates.intake import REQUIRED as SUPPORT_COLUMNS
from electorate.roll_import import REQUIRED as ROLL_COLUMNS
from seeds import names as N

# --- DKI Jakarta 2024 (DOMAIN.md) -------------------------------------------------------------

DKI_DPT_2024 = {
    "31.01": 22_036,
    "31.71": 830_352,
    "31.72": 1_345_136,
    "31.73": 1_905_352,
    "31.74": 1_766_049,
    "31.75": 2_383_972,
}
# The one independent pair's upload (Dharma Pongrekun - Kun Wardana), 840,640 rows in all.
DKI_UPLOAD_2024 = {
    "31.01": 6_196,
    "31.71": 516_825,
    "31.72": 67_503,
    "31.73": 139_888,
    "31.74": 60_206,
    "31.75": 50_022,
}
DKI_VOTING_DAY_2024 = dt.date(2024, 11, 27)

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
# 2024 defaults (DOMAIN.md step 3): TMS over BMS over MS.
TMS_REASONS = frozenset(
    {"NIK_INVALID", "NOT_IN_ROLL", "OUTSIDE_REGION", "UNDERAGE", "DUPLICATE_INTERNAL"}
)
# Every reason a row of each planted kind must get; a row carries exactly one planted defect,
# the second reason follows from it (an underage person is never in the DPT).
KIND_REASONS: dict[str, tuple[str, ...]] = {
    "CLEAN": (),
    "NIK_INVALID": ("NIK_INVALID", "NOT_IN_ROLL"),
    "NOT_IN_ROLL": ("NOT_IN_ROLL",),
    "OUTSIDE_REGION": ("OUTSIDE_REGION",),
    "UNDERAGE": ("UNDERAGE", "NOT_IN_ROLL"),
    "DUPLICATE_INTERNAL": ("DUPLICATE_INTERNAL",),
    "DUPLICATE_EXTERNAL": ("DUPLICATE_EXTERNAL",),
    "DATA_MISMATCH": ("DATA_MISMATCH",),
    "RESTRICTED_OCCUPATION": ("RESTRICTED_OCCUPATION",),
}
# A mix of defects by share of the upload, shaped like the 2024 outcome (most rows BMS, a third
# TMS, few MS); the bench scales it to the row count.
DEFECT_SHARES_2024 = {
    "NIK_INVALID": 0.005,
    "NOT_IN_ROLL": 0.25,
    "OUTSIDE_REGION": 0.01,
    "UNDERAGE": 0.005,
    "DUPLICATE_INTERNAL": 0.05,
    "DUPLICATE_EXTERNAL": 0.01,
    "DATA_MISMATCH": 0.40,
    "RESTRICTED_OCCUPATION": 0.15,
}
MANGLED_SHARE_2024 = 0.001
# Where supporters who live outside DKI come from: Kota Bekasi and Kota Tangerang.
OUTSIDE_PREFERRED = ("32.75.", "36.71.")

# The importers' own column lists, in their order: the files carry exactly what is read.
ROLL_HEADER = ",".join(ROLL_COLUMNS)
SUPPORT_HEADER = SUPPORT_COLUMNS
ROWS_PER_SHEET = 10
WRITE_BLOCK = 20_000
MASK = (1 << 64) - 1


def scale(mapping: dict[str, int], factor: float) -> dict[str, int]:
    """Scale counts for a small demo, keeping the total proportional (largest remainder)."""
    return _spread(round(sum(mapping.values()) * factor), mapping)


def defects_for(total: int, shares: dict[str, float] | None = None) -> dict[str, int]:
    shares = DEFECT_SHARES_2024 if shares is None else shares
    return {reason: int(total * share) for reason, share in shares.items()}


def _spread(total: int, weights: dict[str, int | float]) -> dict[str, int]:
    """Split `total` over the keys in proportion to the weights; exact sum, stable order."""
    whole = sum(weights.values())
    if total == 0 or whole == 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    rest = total - sum(out.values())
    for k in sorted(weights, key=lambda k: (out[k] - exact[k], k))[:rest]:
        out[k] += 1
    return out


def _seed_int(*parts: object) -> int:
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _mix(x: int) -> int:
    """splitmix64's finaliser: a cheap, well-spread hash of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def eligible_cutoff(voting_day: dt.date) -> dt.date:
    """The latest birth date that is 17 on voting day."""
    try:
        return voting_day.replace(year=voting_day.year - 17)
    except ValueError:
        return voting_day.replace(year=voting_day.year - 17, day=28)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --- dates and unique NIK keys ----------------------------------------------------------------


class _Dates:
    """A list of possible birth dates with everything a row needs precomputed as strings."""

    def __init__(self, dates: Sequence[dt.date], voting_day: dt.date):
        self.dates = list(dates)
        self.dmy = [d.strftime("%d-%m-%Y") for d in self.dates]
        self.nik_l = [f"{d.day:02d}{d.month:02d}{d.year % 100:02d}" for d in self.dates]
        self.nik_p = [f"{d.day + 40:02d}{d.month:02d}{d.year % 100:02d}" for d in self.dates]
        # Age band on voting day, for a plausible marital status: <20, 20-29, 30-49, 50+.
        bands = []
        for d in self.dates:
            age = voting_day.year - d.year - ((voting_day.month, voting_day.day) < (d.month, d.day))
            bands.append(0 if age < 20 else 1 if age < 30 else 2 if age < 50 else 3)
        self.band = bands

    @classmethod
    def window(cls, first: dt.date, last: dt.date, voting_day: dt.date) -> _Dates:
        days = (last - first).days + 1
        return cls([first + dt.timedelta(days=n) for n in range(days)], voting_day)


class _Keys:
    """Injective index -> (prefix, sex, date, serial) over one sub-population."""

    def __init__(
        self, *, prefixes: Sequence[str], dates: _Dates, serial0: int, serials: int, salt: int
    ):
        if not prefixes or serials < 1:
            raise ValueError("sub-population without prefixes or serials")
        self.prefixes = list(prefixes)
        self.dates = dates
        self.n_dates = len(dates.dates)
        self.slots = len(self.prefixes) * 2 * self.n_dates
        self.serials = serials
        self.serial_text = [f"{serial0 + r:04d}" for r in range(serials)]
        self.offsets = [_mix(salt + r) % self.slots for r in range(serials)]
        stride = int(self.slots * 0.6180339887) | 1
        while math.gcd(stride, self.slots) != 1:
            stride += 2
        self.stride = stride

    def capacity(self) -> int:
        return self.slots * self.serials

    def key(self, j: int) -> tuple[int, int, int, int]:
        """(prefix index, sex 0=L 1=P, date index, serial index)."""
        q, r = divmod(j, self.serials)
        slot = (self.offsets[r] + q * self.stride) % self.slots
        p, rest = divmod(slot, 2 * self.n_dates)
        sex, d = divmod(rest, self.n_dates)
        return p, sex, d, r

    def nik(self, j: int) -> tuple[str, int, int, int]:
        """(NIK, prefix index, sex, date index)."""
        p, sex, d, r = self.key(j)
        ddmmyy = (self.dates.nik_p if sex else self.dates.nik_l)[d]
        return self.prefixes[p] + ddmmyy + self.serial_text[r], p, sex, d


# --- people -----------------------------------------------------------------------------------


class Person(NamedTuple):
    nik: str
    name: str
    birth_place: str
    birth_date: dt.date
    sex: str  # L / P
    marital: str  # B / S / P
    address: str
    rt: str
    rw: str
    kelurahan: str  # dotted code
    birth_text: str  # dd-mm-yyyy, as the roll writes it


def _name_pools() -> tuple[list[list[list[str]]], list[int]]:
    """Per group, per sex, 1024 full names; fixed (not seeded) so names read the same everywhere."""
    rng = random.Random(20240527)
    pools = []
    table = []
    for g, (weight, male, female, family_all, _places) in enumerate(N.GROUPS.values()):
        table += [g] * weight
        by_sex = []
        for sex, given in enumerate((male, female)):
            unfit = N.MASCULINE_SECOND if sex else N.FEMININE_SECOND
            family = tuple(f for f in family_all if f not in unfit)
            pool = []
            always_family = g >= 3  # Chinese-Indonesian, Batak, Minang, others: family names
            for _ in range(1024):
                shape = rng.random()
                first = rng.choice(given)
                if shape < 0.2 and not always_family:
                    pool.append(first)
                elif shape < 0.4 and not always_family:
                    second = rng.choice(given)
                    pool.append(f"{first} {second}" if second != first else first)
                elif shape < 0.5:
                    second = rng.choice(given)
                    second = "" if second == first else second + " "
                    pool.append(f"{first} {second}{rng.choice(family)}")
                else:
                    pool.append(f"{first} {rng.choice(family)}")
            by_sex.append(pool)
        pools.append(by_sex)
    assert len(table) == 100
    return pools, table


NAME_POOLS, GROUP_TABLE = _name_pools()
GROUP_PLACES = [list(g[4]) for g in N.GROUPS.values()]
# (marital code per percent) for each age band: <20, 20-29, 30-49, 50+.
MARITAL_TABLE = [
    ["B"] * 96 + ["S"] * 4,
    ["B"] * 55 + ["S"] * 43 + ["P"] * 2,
    ["B"] * 10 + ["S"] * 82 + ["P"] * 8,
    ["B"] * 3 + ["S"] * 75 + ["P"] * 22,
]
ADDRESS_HEADS = [f"{kind} {street}" for kind in N.STREET_KINDS for street in N.STREETS]
RT_TEXT = [f"{n:03d}" for n in range(1, 16)]
RW_TEXT = [f"{n:03d}" for n in range(1, 13)]


class _Area:
    """One kab/kota of a roll: its codes and the sub-populations of its voters."""

    # Of every 1000 voters: 970 born here, 29 with a NIK issued elsewhere, 1 married at 15-16.
    NATIVE, ELSEWHERE, YOUNG = 970, 29, 1

    def __init__(
        self,
        *,
        code: str,
        index: int,
        count: int,
        kecamatan: dict[str, list[str]],
        elsewhere: list[str],
        areas: int,
        seed: int,
        dates: dict[str, _Dates],
    ):
        self.code = code
        self.index = index
        self.count = count
        self.kec_codes = sorted(kecamatan)
        self.kec_prefixes = [c.replace(".", "") for c in self.kec_codes]
        self.kel_by_kec = [kecamatan[c] for c in self.kec_codes]
        self.kels = [k for c in self.kec_codes for k in kecamatan[c]]
        self.elsewhere = [c.replace(".", "") for c in elsewhere]
        self.base = _seed_int(seed, "roll", code)
        salt = self.base
        self.native = _Keys(
            prefixes=self.kec_prefixes, dates=dates["adult"], serial0=1, serials=799, salt=salt
        )
        self.young = _Keys(
            prefixes=self.kec_prefixes, dates=dates["young"], serial0=1, serials=799, salt=salt + 1
        )
        width = 100 // areas
        self.away = (
            _Keys(
                prefixes=self.elsewhere,
                dates=dates["adult"],
                serial0=800 + index * width,
                serials=width,
                salt=salt + 2,
            )
            if self.elsewhere and width
            else None
        )
        # People who appear only in support lists (never in the roll).
        sbase = _seed_int(seed, "support-only", code)
        self.outsider = _Keys(
            prefixes=self.kec_prefixes, dates=dates["adult"], serial0=900, serials=50, salt=sbase
        )
        self.minor = _Keys(
            prefixes=self.kec_prefixes,
            dates=dates["minor"],
            serial0=900,
            serials=50,
            salt=sbase + 1,
        )
        self.bad_month = _Keys(
            prefixes=self.kec_prefixes,
            dates=dates["adult"],
            serial0=950,
            serials=25,
            salt=sbase + 2,
        )
        self.bad_day = _Keys(
            prefixes=self.kec_prefixes,
            dates=dates["months"],
            serial0=975,
            serials=25,
            salt=sbase + 3,
        )
        self.support_base = sbase
        self._check_capacity()

    def split(self, i: int) -> tuple[_Keys, int, bool]:
        """Voter i -> (its sub-population, index within it, born here)."""
        block, pos = divmod(i, 1000)
        if self.away is None:
            if pos == 999:
                return self.young, block, True
            return self.native, block * 999 + pos, True
        if pos < self.NATIVE:
            return self.native, block * self.NATIVE + pos, True
        if pos < self.NATIVE + self.ELSEWHERE:
            return self.away, block * self.ELSEWHERE + pos - self.NATIVE, False
        return self.young, block, True

    def _check_capacity(self) -> None:
        blocks = self.count // 1000 + 1
        if self.native.capacity() < blocks * 1000 or self.young.capacity() < blocks:
            raise ValueError(f"{self.code}: terlalu banyak pemilih untuk ruang NIK sintetis")
        if self.away is not None and self.away.capacity() < blocks * self.ELSEWHERE:
            raise ValueError(f"{self.code}: terlalu banyak pemilih pendatang untuk ruang NIK")

    def person(
        self,
        keys: _Keys,
        j: int,
        h: int,
        *,
        native: bool,
        married: bool = False,
        single: bool = False,
    ) -> Person:
        """The fields of one person from their NIK key and a 64-bit hash for everything else."""
        nik, p_kec, sex, d = keys.nik(j)
        dates = keys.dates
        h, g = divmod(h, 100)
        group = GROUP_TABLE[g]
        h, n = divmod(h, 1024)
        name = NAME_POOLS[group][sex][n]
        h, pct = divmod(h, 100)
        band = dates.band[d]
        if native and band < 2 and pct < 75 or native and pct < 40:
            place = "JAKARTA"
        else:
            places = GROUP_PLACES[group]
            h, p = divmod(h, len(places))
            place = places[p]
        h, m = divmod(h, 100)
        marital = "S" if married else "B" if single else MARITAL_TABLE[band][m]
        h2 = _mix(h ^ j)
        h2, a = divmod(h2, len(ADDRESS_HEADS))
        h2, no = divmod(h2, 150)
        h2, rt = divmod(h2, 15)
        h2, rw = divmod(h2, 12)
        h2, local = divmod(h2, 100)
        kels = self.kel_by_kec[p_kec] if native and local < 75 else self.kels
        kel = kels[h2 % len(kels)]
        return Person(
            nik,
            name,
            place,
            dates.dates[d],
            "P" if sex else "L",
            marital,
            f"{ADDRESS_HEADS[a]} NO. {no + 1}",
            RT_TEXT[rt],
            RW_TEXT[rw],
            kel,
            dates.dmy[d],
        )

    def voter(self, i: int) -> Person:
        keys, j, native = self.split(i)
        return self.person(keys, j, _mix(self.base + i), native=native, married=keys is self.young)


# --- the roll ---------------------------------------------------------------------------------


@dataclass
class RollSpec:
    """Enough to re-derive every voter of a generated roll without reading the file back."""

    seed: int
    voting_day: dt.date
    per_kabkota: dict[str, int]
    kecamatan: dict[str, dict[str, list[str]]]  # kab/kota -> kecamatan -> kelurahan codes
    elsewhere: list[str]  # kecamatan codes (dotted) of other provinces: NIKs issued elsewhere
    path: str = ""
    _areas: dict[str, _Area] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        vd = self.voting_day
        cutoff = eligible_cutoff(vd)
        day = dt.timedelta(days=1)
        adult_first = _years_before(cutoff, 63)
        months = []
        y, m = adult_first.year + 1, 1
        while dt.date(y, m, 1) <= cutoff:
            months.append(dt.date(y, m, 1))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        dates = {
            "adult": _Dates.window(adult_first, cutoff, vd),  # 17 to 80 on voting day
            "young": _Dates.window(_years_before(vd, 17) + day, _years_before(vd, 15), vd),
            "minor": _Dates.window(_years_before(vd, 17) + day, _years_before(vd, 12), vd),
            "months": _Dates(months, vd),
        }
        codes = list(self.per_kabkota)
        for index, code in enumerate(codes):
            self._areas[code] = _Area(
                code=code,
                index=index,
                count=self.per_kabkota[code],
                kecamatan=self.kecamatan[code],
                elsewhere=self.elsewhere,
                areas=len(codes),
                seed=self.seed,
                dates=dates,
            )

    def area(self, code: str) -> _Area:
        return self._areas[code]

    def voter(self, kabkota: str, i: int) -> Person:
        """Voter i (0-based) of a kab/kota: a pure function of (seed, kab/kota, i)."""
        if not 0 <= i < self.per_kabkota[kabkota]:
            raise IndexError(i)
        return self._areas[kabkota].voter(i)

    def total(self) -> int:
        return sum(self.per_kabkota.values())


def roll_spec(*, per_kabkota: dict[str, int], voting_day: dt.date, seed: int = 1) -> RollSpec:
    """Read the kab/kota's kecamatan and kelurahan from the Region table (load regions first)."""
    from electorate.models import Region

    kecamatan: dict[str, dict[str, list[str]]] = {}
    provinces = {code.split(".")[0] for code in per_kabkota}
    for code in per_kabkota:
        tree: dict[str, list[str]] = {}
        for kel, parent in (
            Region.objects.filter(level=Region.Level.KELURAHAN, code__startswith=code + ".")
            .order_by("code")
            .values_list("code", "parent_id")
        ):
            tree.setdefault(parent, []).append(kel)
        if not tree:
            raise ValueError(
                f"Kab/kota {code} tidak ada di tabel wilayah: muat dengan load_regions."
            )
        kecamatan[code] = tree
    elsewhere = sorted(
        c
        for c in Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", flat=True)
        if c.split(".")[0] not in provinces
    )
    if not elsewhere:
        # Only this province is loaded: NIKs first issued in the province's other kab/kota.
        elsewhere = sorted(
            c
            for c in Region.objects.filter(
                level=Region.Level.KECAMATAN, code__regex=r"^(" + "|".join(provinces) + r")\."
            ).values_list("code", flat=True)
            if c.rsplit(".", 1)[0] not in per_kabkota
        )
    return RollSpec(
        seed=seed,
        voting_day=voting_day,
        per_kabkota=dict(per_kabkota),
        kecamatan=kecamatan,
        elsewhere=elsewhere,
    )


def roll_generate(
    *, path: str | Path, per_kabkota: dict[str, int], voting_day: dt.date, seed: int = 1
) -> RollSpec:
    """Write a DPT CSV (dates dd-mm-yyyy, sex L/P, marital B/S/P, dotted kelurahan codes)."""
    spec = roll_spec(per_kabkota=per_kabkota, voting_day=voting_day, seed=seed)
    spec.path = str(path)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(ROLL_HEADER + "\n")
        for code, count in spec.per_kabkota.items():
            area = spec.area(code)
            voter = area.voter
            for start in range(0, count, WRITE_BLOCK):
                lines = []
                append = lines.append
                for i in range(start, min(count, start + WRITE_BLOCK)):
                    v = voter(i)
                    append(
                        f"{v.nik},{v.name},{v.birth_place},{v.birth_text},{v.sex},"
                        f"{v.marital},{v.address},{v.rt},{v.rw},{v.kelurahan}\n"
                    )
                fh.write("".join(lines))
    return spec


# --- support lists ----------------------------------------------------------------------------

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
ROLL_KINDS = (
    "CLEAN",
    "OUTSIDE_REGION",
    "DUPLICATE_EXTERNAL",
    "DATA_MISMATCH",
    "RESTRICTED_OCCUPATION",
    "REJECTED",
)
ONLY_SUPPORT_KINDS = ("NIK_INVALID", "NOT_IN_ROLL", "UNDERAGE")


@dataclass
class Manifest:
    """What a generated support list holds and what verification must find in it."""

    path: str
    fmt: str
    rows: int  # data rows in the file
    rejected: int  # rows intake must refuse (Excel-mangled NIKs)
    accepted: int
    kinds: dict[str, int]  # rows per planted kind
    kind_reasons: dict[str, list[str]]  # the full set of reasons each kind must get
    reasons: dict[str, int]  # expected supporters per reason code
    outcomes: dict[str, int]  # expected MS / BMS / TMS under the 2024 defaults
    rows_by_kabkota: dict[str, int]  # rows whose KODE_WILAYAH lies in each kab/kota
    other_pair: dict | None = None  # the second pair's list, when one was written

    @property
    def ms(self) -> int:
        return self.outcomes["MS"]

    def to_dict(self) -> dict:
        return asdict(self)


def _expected(kinds: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
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


def _outside_codes(election_region: str) -> list[str]:
    from electorate.models import Region

    kels = Region.objects.filter(level=Region.Level.KELURAHAN).exclude(
        code__startswith=election_region + "."
    )
    preferred = [c for c in kels.values_list("code", flat=True) if c.startswith(OUTSIDE_PREFERRED)]
    codes = preferred or list(kels.values_list("code", flat=True)[:500])
    return sorted(codes)


class _Styler:
    """Clean variations a team's typist produces; none of them may be flagged."""

    def __init__(self, fmt: str):
        self.xlsx = fmt == "xlsx"

    def name(self, name: str, sex: str, h: int) -> str:
        h, v = divmod(h, 100)
        if v < 55:
            return name
        if v < 65:
            return name.title()
        if v < 70:
            return name.lower()
        if v < 78:
            titles = N.PREFIX_TITLES_FEMALE if sex == "P" else N.PREFIX_TITLES_MALE
            return f"{titles[h % len(titles)]} {name}"
        if v < 85:
            return f"{name}, {N.SUFFIX_DEGREES[h % len(N.SUFFIX_DEGREES)]}"
        if v < 92:
            return "  " + name.replace(" ", "  ") + " "
        tokens = name.split(" ")
        old = [N.old_spelling(t) if t in N.OLD_SPELLING_NAMES else t for t in tokens]
        return " ".join(old).title() if old != tokens and v < 96 else " ".join(old)

    def date(self, day: dt.date, h: int):
        v = h % 100
        if self.xlsx:
            if v < 40:
                return day  # a date cell
            if v < 50:
                return float((day - dt.date(1899, 12, 30)).days)  # an Excel serial number
        if v < 70:
            return f"{day.day:02d}-{day.month:02d}-{day.year}"
        if v < 80:
            return f"{day.day:02d}/{day.month:02d}/{day.year}"
        if v < 88:
            return f"{day.day} {N.MONTHS_ID[day.month - 1]} {day.year}"
        if v < 95:
            return day.isoformat()
        return f"{day.day:02d}-{N.MONTHS_ID_SHORT[day.month - 1]}-{day.year}"

    @staticmethod
    def sex(sex: str, h: int) -> str:
        if h % 10:
            return sex
        return "LAKI-LAKI" if sex == "L" else "PEREMPUAN"

    @staticmethod
    def marital(code: str, h: int) -> str:
        if h % 5:
            return code
        return {"B": "BELUM KAWIN", "S": "KAWIN", "P": "CERAI HIDUP"}[code]


def _different_name(name: str, sex: str, h: int) -> str:
    """A name that is clearly not the same person's: no shared word, low similarity."""
    from rapidfuzz import fuzz

    words = set(name.upper().split())
    for attempt in range(50):
        g = GROUP_TABLE[(h + attempt * 37) % 100]
        other = NAME_POOLS[g][0 if sex == "L" else 1][(h // 100 + attempt * 101) % 1024]
        if words.isdisjoint(other.split()) and fuzz.ratio(name, other) < 45:
            return other
    return "YOHANES PATTIASINA" if sex == "L" else "NI LUH SUDARSANA"


class _SupportWriter:
    def __init__(self, path: str | Path, fmt: str):
        if fmt not in ("csv", "xlsx"):
            raise ValueError("fmt: csv atau xlsx")
        self.fmt = fmt
        self.row = 0
        if fmt == "csv":
            self._fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._csv = csv.writer(self._fh, lineterminator="\n")
            self._csv.writerow(SUPPORT_HEADER)
            self._block: list[list] = []
        else:
            import xlsxwriter

            self._book = xlsxwriter.Workbook(
                str(path), {"constant_memory": True, "strings_to_numbers": False}
            )
            # Fixed metadata so that the same seed gives the same bytes.
            self._book.set_properties({"created": dt.datetime(2024, 5, 8, 8, 0, 0)})
            self._sheet = self._book.add_worksheet("B.1-KWK")
            self._date_format = self._book.add_format({"num_format": "dd-mm-yyyy"})
            self._sheet.write_row(0, 0, SUPPORT_HEADER)

    def write(self, cells: list) -> None:
        self.row += 1
        if self.fmt == "csv":
            self._block.append(cells)
            if len(self._block) >= WRITE_BLOCK:
                self._csv.writerows(self._block)
                self._block.clear()
            return
        sheet, r = self._sheet, self.row
        for c, value in enumerate(cells):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self._date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)

    def close(self) -> None:
        if self.fmt == "csv":
            self._csv.writerows(self._block)
            self._fh.close()
        else:
            self._book.close()


def _person_cells(p: Person, style: _Styler, h: int, *, occupation: str) -> list:
    h1 = _mix(h)
    return [
        p.nik,
        style.name(p.name, p.sex, h1 % 10_000),
        p.birth_place,
        style.date(p.birth_date, h1 // 10_000),
        style.sex(p.sex, h1 // 1_000_000),
        p.address,
        p.rt,
        p.rw,
        p.kelurahan,
        occupation,
        style.marital(p.marital, h1 // 100_000_000),
    ]


def _mangle(nik: str, h: int, fmt: str):
    """What Excel does to a 16-digit NIK typed into a number column."""
    v = h % 3
    if v == 0:
        return f"{nik[0]}.{nik[1:6]}E+15"
    if v == 1 or fmt == "csv":
        return nik[:15]
    return float(nik)  # a number cell


def _row_cells(
    area: _Area,
    kind: int,
    idx: int,
    *,
    outside: list[str],
    style: _Styler,
    fmt: str,
    salt: int,
) -> tuple[list, Person]:
    """The cells of one planted row (without HALAMAN) and the person it stands for."""
    h = _mix(area.support_base ^ salt ^ (idx << 5) ^ kind)
    occupation = N.OCCUPATIONS[h % len(N.OCCUPATIONS)]
    name = KINDS[kind]
    if name == "NOT_IN_ROLL":
        p = area.person(area.outsider, idx, h, native=True)
    elif name == "UNDERAGE":
        p = area.person(area.minor, idx, h, native=True, single=True)
        occupation = "PELAJAR/MAHASISWA"
    elif name == "NIK_INVALID":
        keys = area.bad_month if idx % 2 == 0 else area.bad_day
        p = area.person(keys, idx // 2, h, native=True)
        nik = p.nik
        if keys is area.bad_month:  # month 13..24: no such month
            nik = nik[:8] + f"{int(nik[8:10]) + 12:02d}" + nik[10:]
        else:  # day 32 (a man) or 72 (a woman): no such day
            nik = nik[:6] + ("72" if p.sex == "P" else "32") + nik[8:]
        p = p._replace(nik=nik)
    else:
        p = area.voter(idx)
    cells = _person_cells(p, style, h, occupation=occupation)
    if name == "OUTSIDE_REGION":
        cells[8] = outside[h % len(outside)]
    elif name == "RESTRICTED_OCCUPATION":
        cells[9] = N.RESTRICTED_OCCUPATIONS[h % len(N.RESTRICTED_OCCUPATIONS)]
    elif name == "REJECTED":
        cells[0] = _mangle(p.nik, h >> 3, fmt)
    elif name == "DATA_MISMATCH":
        what = (h >> 7) % 3
        if what == 0:
            cells[1] = _different_name(p.name, p.sex, h >> 9)
        elif what == 1:
            shift = dt.timedelta(days=365 + (h >> 9) % 1500)
            cells[3] = style.date(p.birth_date - shift, h >> 20)
        else:
            cells[4] = "P" if p.sex == "L" else "L"
    return cells, p


def _style_salt(seed: int) -> int:
    # Shifted clear of the index bits so that it changes the styling hash, not the row identity.
    return _seed_int(seed, "style") << 40


def _plan(
    roll: RollSpec,
    per_kabkota: dict[str, int],
    defects: dict[str, int],
    mangled: int,
    other_count: int,
    seed: int,
    outside: list[str],
) -> tuple[list[int], list[int], dict[str, dict[str, int]], list[str]]:
    """Packed sort keys of this list's rows and of the other pair's rows, plus counts."""
    salt = _style_salt(seed)
    unknown = set(defects) - set(REASONS)
    if unknown:
        raise ValueError(f"alasan tidak dikenal: {sorted(unknown)}")
    codes = list(roll.per_kabkota)
    missing = set(per_kabkota) - set(codes)
    if missing:
        raise ValueError(f"kab/kota di luar DPT: {sorted(missing)}")
    weights = {c: per_kabkota.get(c, 0) for c in codes}
    alloc = {kind: _spread(defects.get(kind, 0), weights) for kind in REASONS}
    alloc["REJECTED"] = _spread(mangled, weights)
    alloc["OTHER"] = _spread(other_count - defects.get("DUPLICATE_EXTERNAL", 0), weights)
    all_kels = sorted({k for c in codes for k in roll.area(c).kels} | set(outside))
    kel_index = {code: n for n, code in enumerate(all_kels)}
    keys: list[int] = []
    other_keys: list[int] = []
    counts: dict[str, dict[str, int]] = {}
    for ci, code in enumerate(codes):
        area = roll.area(code)
        want = {kind: alloc[kind][code] for kind in (*REASONS, "REJECTED")}
        clean = weights[code] - sum(want.values())
        if clean < want["DUPLICATE_INTERNAL"] or clean < 0:
            raise ValueError(f"{code}: terlalu banyak cacat untuk {weights[code]} baris")
        want["CLEAN"] = clean
        counts[code] = want
        from_roll = {k: want[k] for k in ROLL_KINDS}
        need = sum(from_roll.values()) + alloc["OTHER"][code]
        if need > area.count:
            raise ValueError(f"{code}: {need} pendukung dari DPT, padahal DPT hanya {area.count}")
        rng = random.Random(_seed_int(seed, "sample", code))
        picked = rng.sample(range(area.count), need)
        pos = 0
        kel_of_voter: dict[int, int] = {}

        def pack(kel: int, late: int, idx: int, kind: int, ci: int = ci) -> int:
            return (kel << 45) | (late << 44) | (ci << 38) | (idx << 4) | kind

        for kind in ROLL_KINDS:
            for i in picked[pos : pos + from_roll[kind]]:
                if kind == "OUTSIDE_REGION":
                    h = _mix(area.support_base ^ salt ^ (i << 5) ^ K[kind])
                    kel = kel_index[outside[h % len(outside)]]
                else:
                    kel = kel_index[area.voter(i).kelurahan]
                    kel_of_voter[i] = kel
                keys.append(pack(kel, 0, i, K[kind]))
            if kind == "CLEAN":
                for i in picked[pos : pos + want["DUPLICATE_INTERNAL"]]:
                    keys.append(pack(kel_of_voter[i], 1, i, K["DUPLICATE_INTERNAL"]))
            if kind == "DUPLICATE_EXTERNAL":
                for i in picked[pos : pos + from_roll[kind]]:
                    other_keys.append(pack(kel_of_voter[i], 0, i, K["CLEAN"]))
            pos += from_roll[kind]
        for i in picked[pos:]:
            other_keys.append(pack(kel_index[area.voter(i).kelurahan], 0, i, K["CLEAN"]))
        for kind in ONLY_SUPPORT_KINDS:
            for j in range(want[kind]):
                h = _mix(area.support_base ^ salt ^ (j << 5) ^ K[kind])
                if kind == "NOT_IN_ROLL":
                    p = area.person(area.outsider, j, h, native=True)
                elif kind == "UNDERAGE":
                    p = area.person(area.minor, j, h, native=True)
                else:
                    keys_ = area.bad_month if j % 2 == 0 else area.bad_day
                    p = area.person(keys_, j // 2, h, native=True)
                keys.append(pack(kel_index[p.kelurahan], 0, j, K[kind]))
        _check_support_capacity(area, want)
    keys.sort()
    other_keys.sort()
    return keys, other_keys, counts, all_kels


def _check_support_capacity(area: _Area, want: dict[str, int]) -> None:
    if (
        want["NOT_IN_ROLL"] > area.outsider.capacity()
        or want["UNDERAGE"] > area.minor.capacity()
        or want["NIK_INVALID"] > 2 * min(area.bad_month.capacity(), area.bad_day.capacity())
    ):
        raise ValueError(f"{area.code}: terlalu banyak baris di luar DPT untuk ruang NIK sintetis")


def _write_rows(
    path,
    fmt: str,
    keys: Iterable[int],
    roll: RollSpec,
    outside: list[str],
    all_kels: list[str],
    salt: int,
) -> dict[str, int]:
    """Write packed rows in order; HALAMAN = sheet of 10 rows, a new sheet per kelurahan."""
    codes = list(roll.per_kabkota)
    style = _Styler(fmt)
    writer = _SupportWriter(path, fmt)
    by_kabkota: dict[str, int] = {}
    sheet, on_sheet, last_kel = 0, ROWS_PER_SHEET, -1
    try:
        for key in keys:
            kel = key >> 45
            if kel != last_kel or on_sheet == ROWS_PER_SHEET:
                sheet, on_sheet, last_kel = sheet + 1, 0, kel
            on_sheet += 1
            area = roll.area(codes[(key >> 38) & 0x3F])
            idx, kind = (key >> 4) & ((1 << 34) - 1), key & 0xF
            cells, _p = _row_cells(
                area,
                kind,
                idx,
                outside=outside,
                style=style,
                fmt=fmt,
                salt=salt,
            )
            written = all_kels[kel]
            if cells[8] != written:
                raise AssertionError(f"kelurahan mismatch {cells[8]} != {written}")
            kabkota = written.rsplit(".", 2)[0]
            by_kabkota[kabkota] = by_kabkota.get(kabkota, 0) + 1
            cells.append(sheet if fmt == "xlsx" else str(sheet))
            writer.write(cells)
    finally:
        writer.close()
    return by_kabkota


def support_generate(
    *,
    path: str | Path,
    roll: RollSpec,
    per_kabkota: dict[str, int],
    defects: dict[str, int],
    election_region: str,
    voting_day: dt.date | None = None,
    seed: int = 2,
    fmt: str = "csv",
    other_pair_path: str | Path | None = None,
    other_pair_count: int = 0,
    mangled: int = 0,
) -> Manifest:
    """A support list drawn from the roll, `per_kabkota` rows per kab/kota (row counts include
    the planted defects and the `mangled` rows), bundled per kelurahan like the paper forms.

    `defects`: rows per reason code, exactly one planted defect a row. DUPLICATE_EXTERNAL rows
    are also written, with other voters up to `other_pair_count` rows, to `other_pair_path`
    (a second pair's CSV list). `mangled`: rows whose NIK Excel ruined, which intake rejects.

    People outside the roll (NOT_IN_ROLL, UNDERAGE, NIK_INVALID rows) are derived from the roll's
    seed, not this list's: two lists generated from one roll share them, so plant them in one.
    """
    voting_day = voting_day or roll.voting_day
    if voting_day != roll.voting_day:
        raise ValueError("voting_day berbeda dengan DPT yang dibangkitkan")
    shared = defects.get("DUPLICATE_EXTERNAL", 0)
    if shared and (other_pair_path is None or other_pair_count < shared):
        raise ValueError(
            "DUPLICATE_EXTERNAL butuh other_pair_path dan other_pair_count >= jumlahnya"
        )
    outside = _outside_codes(election_region)
    if defects.get("OUTSIDE_REGION") and not outside:
        raise ValueError("Tidak ada kelurahan di luar wilayah pemilihan: muat provinsi lain dulu.")
    keys, other_keys, counts, all_kels = _plan(
        roll,
        per_kabkota,
        defects,
        mangled,
        other_pair_count if other_pair_path else 0,
        seed,
        outside,
    )
    salt = _style_salt(seed)
    by_kabkota = _write_rows(path, fmt, keys, roll, outside, all_kels, salt)
    kinds = {kind: sum(c[kind] for c in counts.values()) for kind in (*KIND_REASONS, "REJECTED")}
    reasons, outcomes = _expected(kinds)
    other = None
    if other_pair_path is not None and other_pair_count:
        _write_rows(other_pair_path, "csv", other_keys, roll, outside, all_kels, salt)
        other_reasons = dict.fromkeys(REASONS, 0)
        other_reasons["DUPLICATE_EXTERNAL"] = shared
        other = {
            "path": str(other_pair_path),
            "rows": len(other_keys),
            "reasons": other_reasons,
            "outcomes": {"MS": len(other_keys) - shared, "BMS": shared, "TMS": 0},
        }
    rows = len(keys)
    return Manifest(
        path=str(path),
        fmt=fmt,
        rows=rows,
        rejected=kinds["REJECTED"],
        accepted=rows - kinds["REJECTED"],
        kinds=kinds,
        kind_reasons={k: list(v) for k, v in KIND_REASONS.items()},
        reasons=reasons,
        outcomes=outcomes,
        rows_by_kabkota=dict(sorted(by_kabkota.items())),
        other_pair=other,
    )
