"""How many NIKs a stored row leaves to guess (ENGINEERING.md: at least 10,000), counted as an
attacker with a copy of the database and no key would, with the real correlations between
the columns.

A NIK is province (2) + kab/kota (2) + kecamatan (2) + DDMMYY (day + 40 for women) + serial
(4). What a row can give away, digit by digit:
- digits 1-4: the mask (3171************), and a kelurahan's code (31.71.01.1001) too;
- digits 5-6: a kelurahan gives its kecamatan, which is the kecamatan of issue for most people
  (the NIK is issued where one lived then): 56% of the demo's supporters and 76% of its voters.
  The count takes it as known: the attacker tries that kecamatan first and is right for most;
- digits 7-12: the birth date and the sex; a clear date gives them all. What is left is the
  number of day codes in the window of birth dates the row allows (its whole life span when it
  says nothing, the 17 years before the cutoff when it says "under 17"), twice that when the
  sex is unknown. The name gives the sex as the sex column does (a name's first word tells
  the NIK's sex of 409 of the 420 generated supporters, none wrongly; most real names tell it
  too), so a row with a name counts its sex as known. A NIK's year has two digits, so a window
  longer than a century counts once;
- digits 13-16: the serial counts the people of one kecamatan born on one day (same sex), so
  an attacker tries only the small serials: `serials` is that number, from the population's
  density (serials_per_day), never less than one.
The keyed hashes (NIK, birth date, group) and the shifted serial give nothing without the key;
the public check, the one oracle, answers only for the NIK with its owner's name and birth
date and limits who asks (objections/limits.py).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from electorate.areas import KECAMATAN, code_ancestor, code_depth, code_digits

LIFE_SPAN_YEARS = 100  # the oldest person a row may be: the window's far end without a bound
CENTURY_DAYS = 36_524  # distinct DDMMYY codes per sex: a longer window counts once
ADULT_YEARS = 63  # the roll's span of birth years (17 to 80), the density's denominator


@dataclass(frozen=True)
class Known:
    """What a stored row tells of a person's NIK in the clear."""

    region: str = ""  # the NIK's leading digits it gives: 4 (mask, kab/kota) or 6 (kecamatan)
    sex: str = ""  # "L" or "P": the day's +40; "" unknown
    birth_date: dt.date | None = None  # exact: digits 7-12 with the sex
    born_after: dt.date | None = None  # the window of birth dates, when there is no exact date
    born_until: dt.date | None = None


def region_digits(*, mask: str = "", kelurahan: str = "") -> str:
    """The NIK's leading digits a row gives: the kelurahan's kecamatan (6) for most people,
    else what the mask or the kelurahan's kab/kota shows (4)."""
    if code_depth(kelurahan) >= KECAMATAN:
        return code_digits(code_ancestor(kelurahan, KECAMATAN))
    digits = ""
    for ch in mask:
        if not ch.isdigit():
            break
        digits += ch
    return digits[:6]


def serials_per_day(
    *, people: dict[str, int], kecamatan: dict[str, int], years: int = ADULT_YEARS
) -> dict[str, int]:
    """The realistic serial range per kab/kota (4-digit code "3171"): its people over its
    kecamatan, both sexes and the days of `years` of births, rounded down (the fewer serials,
    the fewer candidates: the attacker's best case), at least one."""
    days = years * 365.25
    return {
        code.replace(".", ""): max(1, math.floor(n / (kecamatan[code] * 2 * days)))
        for code, n in people.items()
    }


def day_codes(known: Known, *, today: dt.date) -> int:
    """How many DDMMYY codes (digits 7-12) the row allows, with the sex if known."""
    if known.birth_date is not None:
        days = 1
    else:
        first = known.born_after or _years_before(today, LIFE_SPAN_YEARS)
        last = known.born_until or today
        days = max(1, min((last - first).days, CENTURY_DAYS))
    return days if known.sex else 2 * days


def candidates(
    known: Known, *, serials: dict[str, int], kecamatan_of: dict[str, int], today: dt.date
) -> int:
    """NIKs consistent with the row: kecamatan left x day codes left x realistic serials.
    `serials`: serials_per_day; `kecamatan_of`: kecamatan per kab/kota (4-digit code), for a
    row that gives only the mask's four digits."""
    kabkota = known.region[:4]
    kecamatan = 1 if len(known.region) >= 6 else kecamatan_of.get(kabkota, 1)
    return kecamatan * day_codes(known, today=today) * serials.get(kabkota, 1)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
