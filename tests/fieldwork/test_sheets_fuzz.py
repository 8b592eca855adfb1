"""A PPS sheet's row parser (fieldwork/sheets.py `_parse_row`) against whatever hypothesis can
think of: it always answers (nik, entry, problems), never raises (a raise would fail the whole
sheet as a system error), accepts only 16-digit NIKs and real dates, and none of its messages
repeats 16 digits of the row."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fieldwork.sheets import OPTIONAL, REQUIRED, _parse_row
from tests.strategies import CELL, DATE_TEXT, NIK_LIKE, leaked

ALL_COLUMNS = (*REQUIRED, *OPTIONAL)
WORDS = st.sampled_from(
    ["SESUAI", "sesuai", "TOLAK", "MENINGGAL", "TIDAK DITEMUI", "KUNJUNGAN", "kunjungan", "", " "]
)
ROW_CELL = st.one_of(CELL, WORDS, DATE_TEXT, NIK_LIKE)


@st.composite
def rows(draw) -> tuple[list, dict[str, int]]:
    """Cells in any number, and where each column sits (optional columns may be absent)."""
    present = [*REQUIRED, *draw(st.lists(st.sampled_from(OPTIONAL), unique=True))]
    order = draw(st.permutations(range(len(present) + draw(st.integers(0, 2)))))
    cols = dict(zip(present, order, strict=False))
    cells = draw(st.lists(ROW_CELL, max_size=len(order) + 1))
    return cells, cols


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
@example(([" 3171011201900001 ", "SESUAI", "KUNJUNGAN", "03-06-2024", "²"],
          {"NIK": 0, "HASIL": 1, "METODE": 2, "TANGGAL": 3, "PASLON_PILIHAN": 4}))  # fmt: skip
@example(([" 3171011201900001 ", "SESUAI", "KUNJUNGAN", "03-06-2024", "3171011201900001"],
          {"NIK": 0, "HASIL": 1, "METODE": 2, "TANGGAL": 3, "PASLON_PILIHAN": 4}))  # fmt: skip
@example((["x", "", "", float("nan"), 1e300, float("inf")],
          {"NIK": 0, "HASIL": 1, "METODE": 2, "TANGGAL": 3, "PASLON_PILIHAN": 4,
           "TANGGAL_MENINGGAL": 5}))  # fmt: skip
def test_a_sheet_row_is_parsed_or_its_problems_named_never_a_crash(row):
    cells, cols = row
    nik, entry, problems = _parse_row(cells, cols)
    assert nik is None or (len(nik) == 16 and nik.isascii() and nik.isdigit())
    assert entry is not None
    assert entry.visited_on is None or type(entry.visited_on) is dt.date
    assert entry.deceased_on is None or type(entry.deceased_on) is dt.date
    # A pair's id is a number a database key can hold, never a NIK typed in the wrong column
    # (records.py would quote it back in its "no such pair" message).
    assert entry.chosen_pair_id is None or 0 <= entry.chosen_pair_id < 10**9
    assert isinstance(entry.finding, str) and isinstance(entry.method, str)
    for column, message in problems:
        assert column in ALL_COLUMNS and str(message).strip()
        for cell in cells:
            assert not leaked(cell, str(message)), message
    if nik is None:
        assert any(column == "NIK" for column, _m in problems)
