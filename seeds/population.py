"""The people of a synthetic roll: who they are, where they live, and the DPT file they make.

An `Area` is one kab/kota; a `RollSpec` is the roll, enough to re-derive any voter without
reading the file back. Every voter is a pure function of (seed, kab/kota, index): the support
list generator asks the RollSpec for the voters it needs. Each area holds disjoint
sub-populations of NIKs (unique by construction, see nik.py); those that could meet (same
kecamatan prefixes) use disjoint serial ranges or disjoint birth dates:

    0001-0799  roll, born in the kab/kota (adults; married 15-16 year olds in their own dates)
    0800-0899  roll, NIK first issued elsewhere (a slice of the range per kab/kota)
    0900-0949  support lists only: people not in the roll (adults, and the underage)
    0950-0999  support lists only: impossible NIK dates (month + 12, or day 32 / 72)
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from electorate.roll_import import REQUIRED as ROLL_COLUMNS
from seeds import names as N
from seeds.nik import Dates, Keys, birth_dates, mix, seed_int

# The importer's own column list, in its order: the file carries exactly what is read.
ROLL_HEADER = ",".join(ROLL_COLUMNS)
# Rows per write, for the roll here and the support lists in formatting.py.
WRITE_BLOCK = 20_000


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


class Area:
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
        dates: dict[str, Dates],
    ):
        self.code = code
        self.index = index
        self.count = count
        self.kec_codes = sorted(kecamatan)
        self.kec_prefixes = [c.replace(".", "") for c in self.kec_codes]
        self.kel_by_kec = [kecamatan[c] for c in self.kec_codes]
        self.kels = [k for c in self.kec_codes for k in kecamatan[c]]
        self.elsewhere = [c.replace(".", "") for c in elsewhere]
        self.base = seed_int(seed, "roll", code)
        salt = self.base
        self.native = Keys(
            prefixes=self.kec_prefixes, dates=dates["adult"], serial0=1, serials=799, salt=salt
        )
        self.young = Keys(
            prefixes=self.kec_prefixes, dates=dates["young"], serial0=1, serials=799, salt=salt + 1
        )
        width = 100 // areas
        self.away = (
            Keys(
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
        sbase = seed_int(seed, "support-only", code)
        self.outsider = Keys(
            prefixes=self.kec_prefixes, dates=dates["adult"], serial0=900, serials=50, salt=sbase
        )
        self.minor = Keys(
            prefixes=self.kec_prefixes,
            dates=dates["minor"],
            serial0=900,
            serials=50,
            salt=sbase + 1,
        )
        self.bad_month = Keys(
            prefixes=self.kec_prefixes,
            dates=dates["adult"],
            serial0=950,
            serials=25,
            salt=sbase + 2,
        )
        self.bad_day = Keys(
            prefixes=self.kec_prefixes,
            dates=dates["months"],
            serial0=975,
            serials=25,
            salt=sbase + 3,
        )
        self.support_base = sbase
        self._check_capacity()

    def split(self, i: int) -> tuple[Keys, int, bool]:
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
        keys: Keys,
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
        h2 = mix(h ^ j)
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
        return self.person(keys, j, mix(self.base + i), native=native, married=keys is self.young)


@dataclass
class RollSpec:
    """Enough to re-derive every voter of a generated roll without reading the file back."""

    seed: int
    voting_day: dt.date
    per_kabkota: dict[str, int]
    kecamatan: dict[str, dict[str, list[str]]]  # kab/kota -> kecamatan -> kelurahan codes
    elsewhere: list[str]  # kecamatan codes (dotted) of other provinces: NIKs issued elsewhere
    path: str = ""
    _areas: dict[str, Area] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        dates = birth_dates(self.voting_day)
        codes = list(self.per_kabkota)
        for index, code in enumerate(codes):
            self._areas[code] = Area(
                code=code,
                index=index,
                count=self.per_kabkota[code],
                kecamatan=self.kecamatan[code],
                elsewhere=self.elsewhere,
                areas=len(codes),
                seed=self.seed,
                dates=dates,
            )

    def area(self, code: str) -> Area:
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
    from electorate.areas import PROVINCE, code_ancestor, code_parent
    from electorate.models import Region

    kecamatan: dict[str, dict[str, list[str]]] = {}
    provinces = {code_ancestor(code, PROVINCE) for code in per_kabkota}
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
        if code_ancestor(c, PROVINCE) not in provinces
    )
    if not elsewhere:
        # Only this province is loaded: NIKs first issued in the province's other kab/kota.
        elsewhere = sorted(
            c
            for c in Region.objects.filter(
                level=Region.Level.KECAMATAN, code__regex=r"^(" + "|".join(provinces) + r")\."
            ).values_list("code", flat=True)
            if code_parent(c) not in per_kabkota
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
