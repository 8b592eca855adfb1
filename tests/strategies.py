"""Hypothesis strategies for what people and spreadsheets put in a cell, and the check that
no message repeats a NIK: shared by the parser fuzz tests (tests/electorate/test_parsing_fuzz.py,
tests/fieldwork/test_sheets_fuzz.py).

Cells come in every type a file gives: str from CSV; str, int, float (NaN and infinities
included), bool, date, datetime, time and timedelta from a spreadsheet (python-calamine).
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

from files.parsing import MONTHS

ASCII_DIGITS = "0123456789"
# Unicode digits that are not ASCII: decimal (Arabic-Indic, fullwidth) and not (superscripts).
ODD_DIGITS = "٠١٢٣٤٥٦٧٨٩０１２３９²³¹⁴₂"
NIK_LIKE = st.text(alphabet=ASCII_DIGITS, min_size=14, max_size=18)
SEPARATED = st.text(alphabet=ASCII_DIGITS + " -.'/,_:|E+e" + ODD_DIGITS[:4], max_size=26)
MONTH_WORDS = st.sampled_from(sorted(MONTHS) + ["januari", "Agu", "Smarch", "MEI."])
DATE_TEXT = st.builds(
    lambda d, s1, m, s2, y, tail: f"{d}{s1}{m}{s2}{y}{tail}",
    st.one_of(
        st.integers(-1, 40).map(str), st.text(alphabet=ASCII_DIGITS + ODD_DIGITS, max_size=3)
    ),
    st.sampled_from(["-", "/", ".", " ", ",", "", "T"]),
    st.one_of(st.integers(0, 14).map(lambda m: f"{m:02d}"), MONTH_WORDS, st.text(max_size=3)),
    st.sampled_from(["-", "/", ".", " ", ", "]),
    st.one_of(
        st.integers(0, 10_000).map(str),
        st.integers(0, 99).map(lambda y: f"{y:02d}"),
        st.text(alphabet=ASCII_DIGITS + ODD_DIGITS, min_size=1, max_size=5),
    ),
    st.sampled_from(["", " 0:00", "T00:00:00", " 12:30:00", ".0"]),
)
CELL = st.one_of(
    st.text(),
    st.text(alphabet=ASCII_DIGITS + ODD_DIGITS + " .,-/'Ee+", max_size=24),
    NIK_LIKE,
    SEPARATED,
    DATE_TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)

# --- what every message must not contain --------------------------------------------------

DIGIT_RUN = re.compile(r"\d(?:[\s.\-/,_]*\d)*")


def _windows(digits: str) -> set[str]:
    return {digits[i : i + 16] for i in range(len(digits) - 15)}


def leaked(value, message: str) -> set[str]:
    """16-digit runs of the typed value that the message repeats (separators between the
    digits, as a NIK is often typed, do not hide one)."""
    typed = _windows("".join(re.findall(r"\d", str(value))))
    shown = set()
    for run in DIGIT_RUN.finditer(message):
        shown |= _windows(re.sub(r"\D", "", run.group()))
    return typed & shown
