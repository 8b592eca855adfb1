"""The arithmetic of Kemendagri region codes, written once: `31.71.01.1001` is a kelurahan
(depth 4) in kecamatan `31.71.01` (3), kab/kota `31.71` (2), province `31` (1)."""

from __future__ import annotations

PROVINCE, KABKOTA, KECAMATAN, KELURAHAN = 1, 2, 3, 4


def code_depth(code: str) -> int:
    """1 province, 2 kab/kota, 3 kecamatan, 4 kelurahan/desa."""
    return code.count(".") + 1


def code_ancestor(code: str, depth: int) -> str:
    """The region holding `code` at `depth` (the code itself when it is not deeper)."""
    return ".".join(code.split(".")[:depth])


def code_within(code: str, area: str | None) -> bool:
    """`code` lies in `area` (the area itself included; "" is everywhere, None nowhere)."""
    if area is None:
        return False
    return area == "" or code == area or code.startswith(area + ".")


def code_prefixes(code: str) -> list[str]:
    """31.71.01.1001 -> [31, 31.71, 31.71.01, 31.71.01.1001]: the region and its ancestors."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]
