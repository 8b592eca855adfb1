"""Ids in query strings (`?paslon=7`, `?election=3`): validated before they reach a query.

`?paslon=abc` and `?paslon=99999999999999999999` made a page answer 500 (a ValueError, an
integer out of range for the database). An id is ASCII digits naming a positive 64-bit
integer (the ids are BigAutoField); anything else is no filter, as an unknown page number
is the first page (tests/test_query_fuzz.py tries every parameter of every page)."""

from __future__ import annotations

BIGINT_MAX = 2**63 - 1


def id_param(value: object) -> int | None:
    """The id a query parameter names, or None if it names none."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(BIGINT_MAX)):
        return None
    number = int(text)
    return number if 0 < number <= BIGINT_MAX else None
