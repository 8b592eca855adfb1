"""Name comparison as officials argue it: word by word, a different given name is a mismatch.

DOMAIN.md step 3 (DATA_MISMATCH): a name differs when a given name differs ("SITI AISYAH" and
"SITI AMINAH", "WAHYU" and "WAHYUDI", "ANDRI" and "ANDI" are two people), not when the spelling
moved between the old and the new orthography, an abbreviation stands for a name, or titles,
degrees, bin/binti or the word order differ. A name that differs from the roll is the first sign
of a NIK used without consent, and a mismatch is only BMS (curable in the repair round), so where
a rule would have to guess, it says "differs".

Each side is cut into words, and each word brought to one spelling (`_word_fold`; the word lists
and their sources are in verification/data/names.py):
- upper case, accents and apostrophes dropped (NUR'AINI = NURAINI: Permendagri 73/2022 allows no
  punctuation in a name); titles at the start (H., Hj., Dr., Raden) and degrees (after a comma,
  or dotted or bare after the first word) dropped; bin/binti/br. dropped;
- old spelling to EYD (Keppres 57/1972): OE->U, DJ->J, TJ->C, SJ->SY, CH->KH, and in a word that
  shows one of these marks, J->Y and NJ->NY. A J in a word with no such mark is a modern J:
  "JULI"/"YULI", "JANTI"/"YANTI" stay two names. When another word of the same name shows the
  old spelling, its unmarked J may also be read as Y ("SLAMET RIJADI" has no mark: it differs);
- Arabic transliteration (SKB 158/1987 and 0543b/U/1987): KH=H, DZ=Z, TS=S, TH=T, Q=K, AI=AE;
  a doubled letter is one letter (MUHAMMAD/MUHAMAD, ABDULLAH/ABDULAH); a final Y after a
  consonant is I (RUDY/RUDI) and the glide in IYA/IYO is not written (SUPRIYADI/SUPRIADI);
- every spelling and abbreviation of Muhammad (MUH., MOCH., MHD., ...) is one word, ABD. is
  ABDUL; a lone letter is an initial.

Then the words are paired, in any order: equal after folding; two or three words of one side
written as one on the other ("NUR HALIZA"/"NURHALIZA", "ABDUL RAHMAN"/"ABDURRAHMAN"); an
initial with a word it begins ("A. RAHMAN"/"ABDUL RAHMAN") once some whole word matched. The
names are the same person when nothing is left over, or when what is left over is on one side
only and is a family name (marga, fam: Permendagri 73/2022 Art. 5 lets a document carry it or
not) or a father's name after bin/binti. A given name left over on either side differs, and
so does a typo: one letter is what tells PURWANTO from PURWANTI, WAHYUDI from WAHYUNI.

Batches: each distinct name is cut and folded once (cached), and most pairs the engine sends
(case, titles, degrees, spacing, old spelling) are settled by comparing the sorted words; only
the rest is paired word by word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from itertools import permutations
from typing import NamedTuple

from verification.data.names import (
    ABDUL,
    DEGREES,
    DEGREES_ALSO_NAMES,
    FAMILY_NAMES,
    MARGA_MARKER,
    MUHAMMAD,
    NAME_ARTICLES,
    PATRONYMIC,
    TITLES,
)

# Everything but letters, digits and dots separates words; apostrophes join (NUR'AINI).
_APOSTROPHES = str.maketrans("", "", "'`\u2019\u2018\u00b4")
_SEPARATORS = re.compile(r"[^A-Z0-9.]+")
_PLAIN = re.compile(r"[A-Z ]*")
# A dotted degree, also spaced: "S.H.", "S. Kom", "A.Md.Keb", "M.Pd.I".
_DOTTED_DEGREE = re.compile(r"\b[A-Z]{1,2}\.\s?[A-Z]{1,4}(?:\.\s?[A-Z]{1,4})*\.?(?=\s|$)")
# Old spelling (Soewandi 1947 / Van Ophuijsen): the marks that show a word is written in it.
_OLD_MARK = re.compile(r"OE|DJ|TJ|SJ|CH|\bNJ")
_OLD = {"OE": "U", "DJ": "J", "TJ": "C", "SJ": "SY", "NJ": "NY", "CH": "KH", "J": "Y"}
_OLD_RE = re.compile("OE|DJ|TJ|SJ|NJ|CH|J")  # one pass: the J of DJ is not read again as Y
# Arabic transliteration and spelling habits, in this order (KH after CH->KH above).
_FOLDS = (("KH", "H"), ("DZ", "Z"), ("TS", "S"), ("TH", "T"), ("Q", "K"), ("AI", "AE"))
_GLIDE = re.compile(r"IY(?=[AOEU])")
_FINAL_Y = re.compile(r"(?<=[B-DF-HJ-NP-TV-Z])Y$")
_DOUBLED = re.compile(r"([A-Z])\1+")
# Abdul before a "sun letter" assimilates: ABDUL RAHMAN = ABDURRAHMAN, ABDUL SALAM = ABDUSSALAM.
_ABDUL_SUN = re.compile(r"^ABDUL(?=[TDRZSLN])")


def _is_old(word: str) -> bool:
    """The word shows the old spelling: one of its marks, or an initial NJ (NJOTO: no modern
    word begins with NJ; PANJAITAN's NJ is modern)."""
    return _OLD_MARK.search(word) is not None


def _old_to_new(word: str) -> str:
    return _OLD_RE.sub(lambda m: _OLD[m.group()], word)


@lru_cache(maxsize=100_000)
def _word_fold(word: str, old: bool) -> str:
    """One word in one spelling. `old`: read J as the old Y (the word, or its name, shows the
    old spelling)."""
    if old or _is_old(word):
        word = _old_to_new(word)
    for before, after in _FOLDS:
        if before in word:
            word = word.replace(before, after)
    if "IY" in word:
        word = _GLIDE.sub("I", word)
    if word.endswith("Y"):
        word = _FINAL_Y.sub("I", word)
    word = _DOUBLED.sub(r"\1", word)
    return _ABDUL_SUN.sub("ABDU", word) if word.startswith("ABDUL") else word


def _fold_set(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_word_fold(w, False) for w in words)


_MUHAMMAD = _fold_set(MUHAMMAD)
_TITLES = _fold_set(TITLES)  # TJOET is the title CUT in the old spelling
_ABDUL = _fold_set(ABDUL)
_FAMILY = _fold_set(FAMILY_NAMES)
_BARE_DEGREES = DEGREES - DEGREES_ALSO_NAMES
_CONNECTORS = PATRONYMIC | MARGA_MARKER


class Word(NamedTuple):
    form: str  # the folded spelling
    alt: str  # the spelling with an unmarked J read as the old Y (== form if none)
    raw: str  # as written (letters), for an initial's first letter
    optional: bool  # may be absent from the other side: a family name, a father's name


# A name's words, sorted: the written order does not matter.
Name = tuple[Word, ...]


@lru_cache(maxsize=10_000)
def _is_title(word: str) -> bool:
    return word in TITLES or _word_fold(word, False) in _TITLES


def _words(name: str) -> list[str]:
    """The words of a name without titles, degrees and punctuation, in the written order."""
    text = (name or "").upper()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    if _PLAIN.fullmatch(text):  # most names: letters and spaces
        words = text.split()
        if not _BARE_DEGREES.isdisjoint(words[1:]):
            words = words[:1] + [w for w in words[1:] if w not in _BARE_DEGREES]
    else:
        words = _words_punctuated(text)
    start = 0  # titles only at the start; never the whole name
    while start < len(words) - 1 and _is_title(words[start]):
        start += 1
    if start < len(words) - 1 and words[start] in NAME_ARTICLES:
        start += 1
    return words[start:] if start else words


def _words_punctuated(text: str) -> list[str]:
    text = text.translate(_APOSTROPHES).split(",", 1)[0]  # after a comma: degrees (PUEBI)
    if "." in text:
        text = _DOTTED_DEGREE.sub(_dotted_degree_drop, text)
    words: list[str] = []
    for position, piece in enumerate(_SEPARATORS.sub(" ", text).split()):
        if "." not in piece:
            if not (position and piece in _BARE_DEGREES):
                words.append(piece)
            continue
        letters = piece.replace(".", "")
        if not letters or (position and letters in DEGREES):
            continue
        if _is_title(letters):  # "R.A." is one title, not two initials
            words.append(letters)
        else:
            words.extend(part for part in piece.split(".") if part)
    return words


def _dotted_degree_drop(match: re.Match) -> str:
    """A dotted degree anywhere but at the start ("M.T. HARYONO" begins with initials)."""
    letters = match.group().replace(".", "").replace(" ", "")
    return " " if match.start() and letters in DEGREES else match.group()


@lru_cache(maxsize=100_000)
def _form(raw: str) -> str:
    """A word's one spelling, with Muhammad and Abdul each one word."""
    form = _word_fold(raw, False)
    if form in _MUHAMMAD:
        return "MUHAMAD"
    return "ABDUL" if form in _ABDUL else form


@lru_cache(maxsize=200_000)
def _key(name: str) -> str:
    """The name's words in one spelling, sorted: equal keys are the same name (most pairs)."""
    forms = [_form(w) for w in _words(name) if w not in _CONNECTORS]
    forms.sort()
    return " ".join(forms)


@lru_cache(maxsize=100_000)
def _word(raw: str, old: bool, optional: bool) -> Word:
    form = _form(raw)
    alt = form  # an unmarked J read as the old Y, in a name that shows the old spelling
    if old and "J" in raw and form == _word_fold(raw, False):
        alt = _word_fold(raw, True)
    return Word(form, alt, raw, optional or form in _FAMILY)


@lru_cache(maxsize=50_000)
def _name(name: str) -> Name:
    """The words paired by _same, for the names whose keys differ."""
    written = _words(name)
    old = _OLD_MARK.search(" ".join(written)) is not None
    words: list[Word] = []
    optional_rest = optional_next = False
    for raw in written:
        if raw in _CONNECTORS:
            if raw in PATRONYMIC:
                optional_rest = True  # the father's name follows
            else:
                optional_next = True  # the marga follows
            continue
        words.append(_word(raw, old, optional_rest or optional_next))
        optional_next = False
    words.sort()
    return tuple(words)


def name_normalise(name: str) -> str:
    """The name's words in one spelling, in the written order (titles, degrees, bin/binti out)."""
    return " ".join(_form(w) for w in _words(name) if w not in _CONNECTORS)


def _same(a: Name, b: Name) -> bool:
    """Word by word (module docstring). Symmetric and independent of the written order: the
    caller passes the pair in key order, and each name's words are sorted."""
    left, right = list(a), list(b)
    # Words of two letters or more matched whole: an initial needs one.
    whole = _pair(left, right, lambda x, y: x.form == y.form)
    if left and right and any(w.alt != w.form for w in left + right):
        # An unmarked J read as the old Y, on either side.
        whole += _pair(left, right, lambda x, y: bool({x.form, x.alt} & {y.form, y.alt}))
    whole += _pair_joined(left, right) + _pair_joined(right, left)
    if not whole:
        return False
    _pair_initials(left, right)
    _pair_initials(right, left)
    if left and right:
        return False
    return all(w.optional for w in left or right)


def _pair(left: list[Word], right: list[Word], same: Callable[[Word, Word], bool]) -> int:
    """Take the pairs `same` finds out of both lists; how many were whole words."""
    whole = 0
    for x in list(left):
        for j, y in enumerate(right):
            if same(x, y):
                del right[j]
                left.remove(x)
                whole += len(x.form) > 1
                break
    return whole


def _pair_joined(side: list[Word], other: list[Word]) -> int:
    """Two or three words of `side` written as one word of `other` ("NUR HALIZA"/"NURHALIZA")."""
    if len(side) < 2:
        return 0
    found = 0
    heads = {x.form[:2] for x in side}
    for y in [y for y in other if y.form[:2] in heads and len(y.form) > 3]:
        parts = _parts_joined(side, y)
        if parts:
            for x in parts:
                side.remove(x)
            other.remove(y)
            found += 1
    return found


def _pair_initials(side: list[Word], other: list[Word]) -> None:
    """An initial with a word it begins, preferring a word that may not be left over."""
    for x in [x for x in side if len(x.form) == 1]:
        candidates = [y for y in other if len(y.form) > 1 and x.form in (y.form[0], y.raw[0])]
        if candidates:
            side.remove(x)
            other.remove(min(candidates, key=lambda y: (y.optional, y)))


def _joined(parts: tuple[Word, ...]) -> str:
    joined = _DOUBLED.sub(r"\1", "".join([w.form for w in parts]))
    return _ABDUL_SUN.sub("ABDU", joined) if joined.startswith("ABDUL") else joined


def _parts_joined(side: list[Word], y: Word) -> tuple[Word, ...] | None:
    """The words of `side` that, joined in some order, are `y` ("NUR" "HALIZA": "NURHALIZA")."""
    parts = [x for x in side if len(x.form) > 1]
    if len(parts) < 2 or not any(y.form.startswith(x.form[:3]) for x in parts):
        return None
    for n in (2, 3):
        for joined in permutations(parts, n):
            if y.form.startswith(joined[0].form[:3]) and _joined(joined) in (y.form, y.alt):
                return joined
    return None


def names_differ(left: list[str], right: list[str]) -> list[bool]:
    """Pairwise: True where the two names are not the same person's name, for whole batches."""
    verdicts: list[bool] = []
    append = verdicts.append
    for one, two in zip(left, right, strict=True):
        key_one, key_two = _key(one), _key(two)
        if key_one == key_two:
            append(False)
        elif key_one < key_two:  # one order for the pair: the verdict is symmetric
            append(not _same(_name(one), _name(two)))
        else:
            append(not _same(_name(two), _name(one)))
    return verdicts


def names_cache_clear() -> None:
    """Forget every name and word seen (for measuring the cost of names never seen before)."""
    for cached in (_name, _key, _word, _form, _word_fold, _is_title):
        cached.cache_clear()
