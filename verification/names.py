"""Name comparison tolerant of how Indonesian names are written on forms and in the roll.

The roll says "HJ. SITI NURHALIZA, S.H." and the form says "Siti Nurhaliza"; the roll keeps the
old spelling "DJOKO SOETJIPTO" and the form writes "Joko Sucipto". Both sides go through the same
normaliser, then rapidfuzz scores whole batches at once (C++, no Python loop per pair).
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from rapidfuzz import fuzz, process

# Honorifics and religious/academic titles written before the name.
PREFIX_TITLES = frozenset(
    [
        "H",
        "HJ",
        "HAJI",
        "HAJJAH",
        "DR",
        "DRS",
        "DRA",
        "IR",
        "PROF",
        "KH",
        "KYAI",
        "USTADZ",
        "UST",
        "NY",
        "TN",
        "BPK",
        "IBU",
        "SDR",
        "SDRI",
    ]
)
# Academic degrees: usually after a comma ("BUDI, S.H., M.M."), sometimes without one.
DEGREES = frozenset(
    [
        "SH",
        "SE",
        "ST",
        "SPD",
        "SAG",
        "SKOM",
        "SKM",
        "SKED",
        "SPSI",
        "SSOS",
        "SIP",
        "SAN",
        "SSI",
        "SS",
        "STP",
        "SP",
        "SFARM",
        "SHUT",
        "SIKOM",
        "SKEP",
        "SH1",
        "MM",
        "MH",
        "MSI",
        "MPD",
        "MAG",
        "MKES",
        "MKOM",
        "MT",
        "MBA",
        "MSC",
        "PHD",
        "AMD",
        "AMK",
        "AMKEB",
        "AMDKEB",
        "BA",
        "BSC",
        "LLM",
    ]
)
MUHAMMAD = frozenset(
    [
        "M",
        "MUH",
        "MUHD",
        "MHD",
        "MOH",
        "MOCH",
        "MOHD",
        "MUHAMAD",
        "MUHAMMAD",
        "MUHAMMED",
        "MOHAMAD",
        "MOHAMMAD",
        "MOHAMMED",
        "MOCHAMAD",
        "MOCHAMMAD",
        "MUCHAMAD",
        "MUCHAMMAD",
        "MUKHAMAD",
        "MUKHAMMAD",
    ]
)
_NON_ALNUM = re.compile(r"[^A-Z0-9 ]+")
_DOTTED = re.compile(r"\b[A-Z]\.\s?[A-Z]{1,4}\.?(?=\s|$|,)")
# Pre-1972 spelling (Ejaan Soewandi) -> EYD, applied to both sides, so "every J becomes Y" is
# fine. In this order, by str.replace: the same as a regex per literal, without the regex.
_SPELLING = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("CH", "KH"), ("J", "Y"))
_DOUBLED = re.compile(r"([A-Z])\1+")  # MUHAMMAD/MUHAMAD, ABDULLAH/ABDULAH


def _drop_degree(match: re.Match) -> str:
    letters = re.sub(r"[^A-Z]", "", match.group())
    return " " if letters in DEGREES else match.group()


@lru_cache(maxsize=200_000)
def name_normalise(name: str) -> str:
    """Upper case, no titles or degrees, no punctuation, modern spelling, single spaces."""
    text = (name or "").upper()
    text = text.split(",", 1)[0]  # everything after the first comma is degrees
    # "S.H." or "S. Kom" is a degree; "H. IWAN" is the Haji title followed by a name.
    text = _DOTTED.sub(_drop_degree, text)
    text = _NON_ALNUM.sub(" ", text.replace(".", ". "))
    tokens = [
        "M" if t in MUHAMMAD else t
        for t in text.split()
        if t not in PREFIX_TITLES and t not in DEGREES
    ]
    text = " ".join(tokens)
    for old, new in _SPELLING:
        text = text.replace(old, new)
    return _DOUBLED.sub(r"\1", text)


def name_min_score() -> float:
    return settings.VERIFICATION_NAME_MIN_SCORE


def names_differ(left: list[str], right: list[str]) -> list[bool]:
    """Pairwise: True where the two names are not the same person's name, for whole batches."""
    if not left:
        return []
    a = [name_normalise(n) for n in left]
    b = [name_normalise(n) for n in right]
    scores = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=-1)
    # Spaces split or join parts ("NUR HALIZA" / "NURHALIZA"): also score without them.
    squeezed = process.cpdist(
        [s.replace(" ", "") for s in a],
        [s.replace(" ", "") for s in b],
        scorer=fuzz.ratio,
        workers=-1,
    )
    cutoff = name_min_score()
    return [max(x, y) < cutoff for x, y in zip(scores.tolist(), squeezed.tolist(), strict=True)]
