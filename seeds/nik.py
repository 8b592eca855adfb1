"""Synthetic NIKs, unique by construction, and the deterministic hashes everything is derived from.

A NIK is kecamatan prefix (6 digits) + birth date (ddmmyy, day + 40 for women) + serial (4
digits). Uniqueness comes from construction, not from checking: within a sub-population of R
serials, index j gets the serial `j % R` and the (prefix, sex, birth date) slot
`(offset[serial] + (j // R) * stride) mod slots`, with the stride coprime to the slot count, so
two indices with the same serial never share a slot. Which sub-populations exist, and how they
keep clear of each other, is population.py's business.

`seed_int` and `mix` are the only sources of randomness below the sampling of voters: every field
of a person is a pure function of the seed and an index, so nothing is stored and nothing read
back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence

MASK = (1 << 64) - 1


def seed_int(*parts: object) -> int:
    """A stable 64-bit integer from any reprs (a seed and a name, a kab/kota code...)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def mix(x: int) -> int:
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


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class Dates:
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
    def window(cls, first: dt.date, last: dt.date, voting_day: dt.date) -> Dates:
        days = (last - first).days + 1
        return cls([first + dt.timedelta(days=n) for n in range(days)], voting_day)


def birth_dates(voting_day: dt.date) -> dict[str, Dates]:
    """The birth date windows of the sub-populations, as seen from voting day."""
    vd = voting_day
    cutoff = eligible_cutoff(vd)
    day = dt.timedelta(days=1)
    adult_first = years_before(cutoff, 63)
    months = []
    y, m = adult_first.year + 1, 1
    while dt.date(y, m, 1) <= cutoff:
        months.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return {
        "adult": Dates.window(adult_first, cutoff, vd),  # 17 to 80 on voting day
        "young": Dates.window(years_before(vd, 17) + day, years_before(vd, 15), vd),
        "minor": Dates.window(years_before(vd, 17) + day, years_before(vd, 12), vd),
        "months": Dates(months, vd),
    }


class Keys:
    """Injective index -> (prefix, sex, date, serial) over one sub-population."""

    def __init__(
        self, *, prefixes: Sequence[str], dates: Dates, serial0: int, serials: int, salt: int
    ):
        if not prefixes or serials < 1:
            raise ValueError("sub-population without prefixes or serials")
        self.prefixes = list(prefixes)
        self.dates = dates
        self.n_dates = len(dates.dates)
        self.slots = len(self.prefixes) * 2 * self.n_dates
        self.serials = serials
        self.serial_text = [f"{serial0 + r:04d}" for r in range(serials)]
        self.offsets = [mix(salt + r) % self.slots for r in range(serials)]
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
