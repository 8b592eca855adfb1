"""The row parsers (files/parsing/) against whatever hypothesis can think of: every cell
either parses or raises FieldError with a message, every file either opens or raises
FileFormatError; never another exception (which would fail the whole upload as a system
error). What is accepted is what the parser promises (16 ASCII digits, a real date, ...), and
no message repeats 16 digits of what was typed: messages are stored and shown to users, and a
NIK typed in the wrong column must not come back in one.

The cells are tests/strategies.py's: every type a CSV or a spreadsheet gives.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from files.parsing import (
    COLUMNS,
    MONTHS,
    FieldError,
    FileFormatError,
    columns_match,
    parse_birth_date,
    parse_date,
    parse_kelurahan,
    parse_marital,
    parse_name,
    parse_nik,
    parse_rt,
    parse_sex,
    parse_text,
    table_open,
)
from tests.strategies import ASCII_DIGITS, CELL, MONTH_WORDS, NIK_LIKE, leaked

TODAY = dt.date(2024, 11, 27)
KNOWN = frozenset({"31.71.01.1001", "31.72.01.1001", "32.75.01.1001"})
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(parser, value, *args, **kwargs):
    """The parsed value, or the FieldError's message checked; any other exception fails."""
    try:
        return parser(value, *args, **kwargs)
    except FieldError as exc:
        assert isinstance(exc.message, str) and exc.message.strip()
        assert not leaked(value, exc.message), exc.message
        return exc


# --- the field parsers ----------------------------------------------------------------------


@FUZZ
@given(CELL)
@example("3171011201900001.0")
@example(3171011201900001)
@example(3.171011201900001e15)
@example("3171 0112 0190 0001 X")
def test_parse_nik_accepts_only_16_ascii_digits_and_never_repeats_one(value):
    got = outcome(parse_nik, value)
    if not isinstance(got, FieldError):
        assert len(got) == 16 and got.isascii() and got.isdigit()


@FUZZ
@given(st.text(alphabet=ASCII_DIGITS, min_size=16, max_size=16), st.sampled_from(["", " ", "-"]))
def test_a_nik_typed_with_spaces_or_dashes_in_groups_of_four_reads_back(nik, sep):
    typed = sep.join(nik[i : i + 4] for i in range(0, 16, 4))
    assert parse_nik(f" {typed} ") == nik
    assert parse_nik("'" + nik) == nik


@FUZZ
@given(CELL)
@example("12-01-199²")
@example("²-01-1990")
@example("12 ² 1990")
@example("1990-1²-01")
@example(float("nan"))
@example(1e300)
@example("99999")
def test_parse_date_gives_a_real_date_or_a_field_error(value):
    got = outcome(parse_date, value, today=TODAY)
    if not isinstance(got, FieldError):
        assert type(got) is dt.date


@FUZZ
@given(CELL)
def test_parse_birth_date_gives_a_date_between_1900_and_today(value):
    got = outcome(parse_birth_date, value, today=TODAY)
    if not isinstance(got, FieldError):
        assert type(got) is dt.date and dt.date(1900, 1, 1) <= got <= TODAY


@FUZZ
@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["%d-%m-%Y", "%d/%m/%Y",
       "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y 0:00"]))  # fmt: skip
def test_a_real_date_written_the_usual_ways_reads_back(day, form):
    assert parse_date(day.strftime(form), today=TODAY) == day


@FUZZ
@given(st.dates(min_value=dt.date(1000, 1, 1)), MONTH_WORDS.filter(lambda m: m.upper() in MONTHS))
def test_a_date_with_its_month_written_in_words_reads_back(day, word):
    month = MONTHS[word.upper()]
    if day.day > 28:
        day = day.replace(day=28)
    day = day.replace(month=month)
    assert parse_date(f"{day.day} {word} {day.year}", today=TODAY) == day


@FUZZ
@given(CELL)
def test_parse_sex_gives_l_or_p(value):
    got = outcome(parse_sex, value)
    assert isinstance(got, FieldError) or got in ("L", "P")


@FUZZ
@given(CELL)
def test_parse_marital_gives_b_s_p_or_blank(value):
    got = outcome(parse_marital, value)
    assert isinstance(got, FieldError) or got in ("", "B", "S", "P")


@FUZZ
@given(CELL, st.sampled_from(["RT", "RW"]))
@example(float("nan"), "RT")
@example(float("inf"), "RW")
@example("RT ²", "RT")
def test_parse_rt_gives_three_ascii_digits_or_blank(value, column):
    got = outcome(parse_rt, value, column=column)
    if not isinstance(got, FieldError):
        assert got == "" or (len(got) == 3 and got.isascii() and got.isdigit())


@FUZZ
@given(
    st.one_of(CELL, st.sampled_from(sorted(KNOWN)), st.sampled_from(["3171011001", "3175011001"]))
)
@example(float("nan"))
@example(3171011001.0)
def test_parse_kelurahan_gives_a_known_code(value):
    got = outcome(parse_kelurahan, value, known=KNOWN)
    assert isinstance(got, FieldError) or got in KNOWN


@FUZZ
@given(CELL, st.integers(0, 40))
@example(float("nan"), 10)
@example(float("-inf"), 10)
def test_parse_text_and_parse_name_give_collapsed_text_within_the_limit(value, limit):
    got = outcome(parse_text, value, max_length=limit, column="ALAMAT")
    if not isinstance(got, FieldError):
        assert len(got) <= limit and got == " ".join(got.split())
    name = outcome(parse_name, value, max_length=limit)
    if not isinstance(name, FieldError):
        assert name and len(name) <= limit


# --- the header -------------------------------------------------------------------------------


HEADER_CELL = st.one_of(
    CELL,
    st.sampled_from([name for names in COLUMNS.values() for name in names]).flatmap(
        lambda name: st.sampled_from([name, name.lower(), name.replace(" ", "_"), f" {name}."])
    ),
)


@FUZZ
@given(
    st.lists(HEADER_CELL, max_size=14),
    st.lists(st.sampled_from(sorted(COLUMNS)), unique=True, max_size=6),
    st.lists(st.sampled_from(sorted(COLUMNS)), unique=True, max_size=3),
)
def test_columns_match_maps_every_required_column_or_names_the_missing_ones(
    header, required, optional
):
    optional = [c for c in optional if c not in required]
    try:
        found = columns_match(header, required, optional=optional)
    except FileFormatError as exc:
        assert str(exc).strip()
        missing = [c for c in required if c not in str(exc)]
        assert len(missing) < len(required)
        return
    assert set(required) <= set(found) <= set(required) | set(optional)
    for index in found.values():
        assert 0 <= index < len(header)


# --- whole files ------------------------------------------------------------------------------

CSV_FIELD = st.one_of(
    st.text(max_size=12),
    st.text(alphabet='",;\t|\r\n\x00 ab1', max_size=8),
    NIK_LIKE,
)


@st.composite
def csv_text(draw) -> str:
    """Lines of fields joined by one delimiter, quotes, NULs and CRs among the fields."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = draw(st.lists(st.lists(CSV_FIELD, max_size=6), max_size=8))
    return newline.join(delimiter.join(cells) for cells in lines)


CSV_BYTES = st.one_of(
    st.binary(max_size=600),
    st.builds(
        lambda text, encoding: text.encode(encoding, errors="replace"),
        csv_text(),
        st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    ),
    # Lines longer than the reader's limit, and quotes left open across them.
    st.tuples(st.binary(min_size=1, max_size=40), st.integers(1700, 2200)).map(
        lambda t: b"NIK,NAMA\n" + t[0] * t[1] + b"\n1,2\n"
    ),
    st.binary(min_size=1, max_size=20).map(lambda b: b'NIK,NAMA\n"' + b * 4000),
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(CSV_BYTES)
@example(b"\xff\xfeN\x00I\x00K\x00")
@example(b"NIK\n\x00\n")
@example(b"")
def test_a_csv_of_any_bytes_opens_or_is_refused_and_every_row_is_read_or_reported(data):
    errors: list[tuple[int, str, str]] = []
    try:
        table = table_open(
            io.BytesIO(data), name="acak.csv", size=len(data), row_error=lambda *e: errors.append(e)
        )
        rows = list(table.rows())
    except FileFormatError as exc:
        assert str(exc).strip()
        return
    assert isinstance(table.header, list)
    numbers = [number for number, _cells in rows]
    assert numbers == sorted(set(numbers)) and all(n >= 2 for n in numbers)
    assert all(isinstance(cell, str) for _n, cells in rows for cell in cells)
    for row, _column, message in errors:
        assert row >= 2 and message.strip()
        assert not leaked(data.decode("latin-1"), message)
    assert table.bytes_read <= len(data)


@pytest.mark.parametrize("name", ["acak.xlsx", "acak.bin"])
@settings(max_examples=60, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=300), st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b)
    )
)
def test_random_bytes_named_as_a_spreadsheet_are_refused_with_a_message(name, data):
    try:
        table = table_open(io.BytesIO(data), name=name, size=len(data))
        list(table.rows())
    except FileFormatError as exc:
        assert str(exc).strip()
