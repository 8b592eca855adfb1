"""RESTRICTED_OCCUPATION: is the occupation a team typed one of the barred posts (DOMAIN.md step
3)? The posts are data (verification/data/occupations.py); this module only reads text.

The text is cut into words after upper case, punctuation to spaces, single letters joined ("P N
S", "T.N.I" are PNS, TNI) and abbreviations spelled out ("ANGG.", "KA.", "NEGRI"). A term
matches where its words follow one another in the text, each word equal, or, for a word of
seven letters or more, one letter off (ten or more: two): "PEGAWAI NEGRI SIPIL", "TENTRA",
"PANTARLI". Short words (TNI, PNS, PPS, KADES) must be exact, and never match inside a longer
word ("KARTINI" is no TNI). Phrases that are not the post are taken out first ("SATPOL PP",
"BHAYANGKARI"), and a term right after a word that says the person does not hold the post
("PENSIUNAN PNS", "PURN. TNI", "ISTRI POLRI", "NON PNS") or right before one ("PNS
PENSIUNAN") does not count, nor does a term restating it right after ("PENSIUNAN PEGAWAI NEGRI
SIPIL (PNS)").

The engine classifies the distinct texts of a round here, then matches them in SQL with IN
(verification/engine/prepare.py).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from verification.data.occupations import (
    ABBREVIATIONS,
    CATEGORIES,
    NOT_HOLDER,
    NOT_RESTRICTED,
    ORDINARY_WORDS,
)

_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
# Words a term is made of, the phrases that are not the post, and the not-holder words.
_TERMS: tuple[tuple[tuple[str, ...], str | None], ...] = tuple(
    sorted(
        [(tuple(term.split()), c.code) for c in CATEGORIES for term in c.terms]
        + [(tuple(phrase.split()), None) for phrase in NOT_RESTRICTED],
        key=lambda t: -len(t[0]),  # the longest phrase at a position wins
    )
)
_VOCABULARY = frozenset(word for words, _code in _TERMS for word in words) | NOT_HOLDER
_FUZZY = tuple(sorted(w for w in _VOCABULARY if len(w) >= 7))
# Words before a term that say the holder is not (any more) in the post, and after it.
_BEFORE, _AFTER = 3, 2


def _edits_allowed(word: str) -> int:
    return 2 if len(word) >= 10 else 1


@lru_cache(maxsize=20_000)
def _reads_as(word: str) -> frozenset[str]:
    """The vocabulary words a typed word stands for: itself, or a long word one letter off."""
    word = ABBREVIATIONS.get(word, word)
    if word in _VOCABULARY or word in ORDINARY_WORDS or len(word) < 6:
        return frozenset({word})
    near = {
        v
        for v in _FUZZY
        if abs(len(v) - len(word)) <= _edits_allowed(v)
        and DamerauLevenshtein.distance(word, v, score_cutoff=_edits_allowed(v))
        <= _edits_allowed(v)
    }
    return frozenset({word, *near})


def occupation_words(text: str) -> list[str]:
    """Upper case, punctuation to spaces, runs of single letters joined ("P N S" is PNS)."""
    text = (text or "").upper()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words: list[str] = []
    letters = ""
    for word in _NON_ALNUM.sub(" ", text).split():
        if len(word) == 1 and word.isalpha():
            letters += word
            continue
        if letters:
            words.append(letters)
            letters = ""
        words.append(word)
    if letters:
        words.append(letters)
    return words


@lru_cache(maxsize=20_000)
def occupation_category(text: str) -> str | None:
    """The group of barred posts the occupation names (TNI, Polri, ASN, penyelenggara, kepala
    desa, perangkat desa), or None."""
    read = [_reads_as(w) for w in occupation_words(text)]
    holder_not = [bool(r & NOT_HOLDER) for r in read]
    found: str | None = None
    found_length = 0
    # A term that restates a negated one just before it (the same group, at most _AFTER words
    # after it: "PENSIUNAN PEGAWAI NEGRI SIPIL (PNS)") shares that term's negation.
    negated_code, negated_end = None, -1
    i = 0
    while i < len(read):
        for words, code in _TERMS:
            end = i + len(words)
            if end <= len(read) and all(w in r for w, r in zip(words, read[i:end], strict=False)):
                if code is not None:
                    negated = (
                        any(holder_not[max(0, i - _BEFORE) : i])
                        or any(holder_not[end : end + _AFTER])
                        or (code == negated_code and 0 <= i - negated_end <= _AFTER)
                    )
                    if negated:
                        negated_code, negated_end = code, end
                    elif len(words) > found_length:
                        found, found_length = code, len(words)
                i = end - 1  # the phrase's words are used up
                break
        i += 1
    return found


def occupation_is_restricted(text: str) -> bool:
    return occupation_category(text) is not None
