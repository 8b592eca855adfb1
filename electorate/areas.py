"""The arithmetic of Kemendagri region codes, written once: `31.71.01.1001` is a kelurahan
(depth 4) in kecamatan `31.71.01` (3), kab/kota `31.71` (2), province `31` (1). Every app
reads codes through these functions; none splits a code on its dots itself."""

from __future__ import annotations

# How a code is read from a cell or a form, and the digits per level (2, 2, 2, 4): files is the
# layer below, whose parsers read codes too; the one copy is there.
from files.parsing.cells import CODE_DIGITS as DIGITS
from files.parsing.cells import code_normalize as code_normalize

PROVINCE, KABKOTA, KECAMATAN, KELURAHAN = 1, 2, 3, 4
# The key a figure names a level by ("unit_level" of the standing, the red flags).
LEVEL_KEYS = {
    PROVINCE: "provinsi",
    KABKOTA: "kabkota",
    KECAMATAN: "kecamatan",
    KELURAHAN: "kelurahan",
}
LEVEL_DEPTHS = {key: depth for depth, key in LEVEL_KEYS.items()}


def code_depth(code: str | None) -> int:
    """1 province, 2 kab/kota, 3 kecamatan, 4 kelurahan/desa; 0 for "" or None (everywhere)."""
    return code.count(".") + 1 if code else 0


def code_ancestor(code: str, depth: int) -> str:
    """The region holding `code` at `depth` (the code itself when it is not deeper)."""
    return ".".join(code.split(".")[:depth])


def code_parent(code: str) -> str | None:
    """The region one level up; None for a province."""
    head, dot, _tail = code.rpartition(".")
    return head if dot else None


def code_within(code: str, area: str | None) -> bool:
    """`code` lies in `area` (the area itself included; "" is everywhere, None nowhere)."""
    if area is None:
        return False
    return area == "" or code == area or code.startswith(area + ".")


def code_prefixes(code: str) -> list[str]:
    """31.71.01.1001 -> [31, 31.71, 31.71.01, 31.71.01.1001]: the region and its ancestors."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def code_length(depth: int) -> int:
    """How many characters a code of `depth` has (31.71.01 is 8): a deeper code begins with
    its ancestor's, so an ancestor is also its first code_length(depth) characters (SQL substr)."""
    return sum(DIGITS[:depth]) + depth - 1


def code_sort_key(code: str) -> list[int]:
    """Codes in the order of their numbers, level by level."""
    return [int(part) for part in code.split(".")]


def code_digits(code: str) -> str:
    """31.71.01 -> 317101: the code as the NIK's leading digits write it."""
    return code.replace(".", "")


# Above this many rows a table of areas opens one branch at a time (?wilayah=).
AREA_ROWS_ALL = 60


def rows_collapsed(
    rows: list[dict], focus: str, *, shown_depth: int, root: str = "", limit: int = AREA_ROWS_ALL
) -> tuple[list[dict], bool]:
    """A table of areas (rows with a "code", parents before children) as the recap and the
    field pages show it: whole up to `limit` rows; beyond, the rows down to `shown_depth` and,
    below them, only the branch `focus` opened. Each row kept gets `drill` (above a kelurahan,
    below the table's first level: a link opening or closing it), `open` (the focus lies in it)
    and `up` (the focus a click on it when open goes back to: its parent, `root` at the first
    level). (rows, collapsed)."""
    if len(rows) <= limit:
        return rows, False
    kept = []
    for row in rows:
        code = row["code"]
        depth = code_depth(code)
        parent = code_parent(code) or ""
        if depth <= shown_depth or (focus and code_within(focus, parent)):
            kept.append(
                dict(
                    row,
                    drill=shown_depth - 1 < depth < KELURAHAN,
                    open=bool(focus) and code_within(focus, code),
                    up=parent if depth > shown_depth else root,
                )
            )
    return kept, True
