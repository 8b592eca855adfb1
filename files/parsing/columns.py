"""Matching a header spelled a dozen ways to the columns an importer needs, and reading every
bad cell of a failed row (row_errors)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from files.parsing.cells import shown
from files.parsing.errors import FieldError, FileFormatError

# --- header matching --------------------------------------------------------------------------


def header_key(value: Any) -> str:
    """Case, spaces, underscores, dots, dashes and slashes do not matter."""
    text = str(value).upper().lstrip("\ufeff")
    for ch in "_.-/\\()":
        text = text.replace(ch, " ")
    return " ".join(text.split())


# Canonical column name -> accepted header names (compared through header_key).
COLUMNS: dict[str, tuple[str, ...]] = {
    "NIK": (
        "NIK",
        "NO KTP",
        "NOMOR KTP",
        "NO NIK",
        "NOMOR NIK",
        "NOMOR INDUK KEPENDUDUKAN",
        "NIK KTP",
        "KTP",
    ),
    "NAMA": ("NAMA", "NAMA LENGKAP", "NAMA PEMILIH", "NAMA PENDUKUNG", "NAMA SESUAI KTP"),
    "TEMPAT_LAHIR": ("TEMPAT LAHIR", "TMPT LAHIR", "TPT LAHIR", "TEMPAT"),
    "TANGGAL_LAHIR": ("TANGGAL LAHIR", "TGL LAHIR", "TGL LHR", "TANGGAL LHR", "TANGGAL"),
    "JENIS_KELAMIN": ("JENIS KELAMIN", "JK", "L P", "KELAMIN", "GENDER", "SEX"),
    "STATUS_PERKAWINAN": (
        "STATUS PERKAWINAN",
        "STATUS KAWIN",
        "STS KAWIN",
        "PERKAWINAN",
        "KAWIN",
        "STATUS",
    ),
    "ALAMAT": ("ALAMAT", "ALAMAT LENGKAP", "JALAN", "ALAMAT KTP"),
    "RT": ("RT", "NO RT", "NOMOR RT"),
    "RW": ("RW", "NO RW", "NOMOR RW"),
    "KODE_WILAYAH": (
        "KODE WILAYAH",
        "KODE KELURAHAN",
        "KODE DESA",
        "KODE KEL",
        "KODE KELURAHAN DESA",
        "KODE DESA KELURAHAN",
        "KODE KEL DESA",
    ),
    "PEKERJAAN": ("PEKERJAAN", "JENIS PEKERJAAN", "PROFESI"),
    "HALAMAN": ("HALAMAN", "HAL", "NO HALAMAN", "NOMOR HALAMAN", "NO HAL", "LEMBAR"),
}


def columns_match(
    header: Iterable[Any],
    required: Iterable[str],
    *,
    optional: Iterable[str] = (),
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, int]:
    """Map each required canonical column to its index in the header, or raise FileFormatError
    naming every missing column and every header cell that matched no column: the accepted
    spellings are in the guide the page links to, not in the message. Optional columns are
    mapped when present. `aliases`: another file's columns (default: COLUMNS)."""
    aliases = COLUMNS if aliases is None else aliases
    required = tuple(required)
    position: dict[str, int] = {}
    for index, cell in enumerate(header):
        position.setdefault(header_key(cell), index)
    found: dict[str, int] = {}
    missing: list[str] = []
    for column in (*required, *optional):
        index = next(
            (position[header_key(a)] for a in aliases[column] if header_key(a) in position), None
        )
        if index is not None:
            found[column] = index
        elif column in required:
            missing.append(column)
    if missing:
        unknown = _unknown_cells(header, aliases)
        raise FileFormatError(
            columns_message(missing, unknown, matched=bool(found)),
            missing=missing,
            unknown=unknown,
        )
    return found


UNKNOWN_SHOWN = 6


def _unknown_cells(header: Iterable[Any], aliases: dict[str, tuple[str, ...]]) -> list[str]:
    """Header cells that are no accepted name of any column, as a message may quote them."""
    known = {header_key(a) for names in aliases.values() for a in names}
    return [
        shown(cell, 30) for cell in header if str(cell).strip() and header_key(cell) not in known
    ]


def columns_message(missing: list[str], unknown: list[str], *, matched: bool) -> str:
    """What is wrong with the header, in one sentence or two: the missing columns by their
    names, the header cells that are no known column, and where the accepted names are."""
    if not matched:
        return _(
            "Baris 1 harus berisi judul kolom, tetapi tidak satu pun judulnya dikenali "
            "(kolom wajib: %(columns)s). Bila baris 1 sudah berisi data, sisipkan baris judul "
            "di atasnya; nama kolom yang diterima ada di panduan pengisian."
        ) % {"columns": ", ".join(missing)}
    message = _("Kolom wajib tidak ditemukan di baris judul (baris 1): %(columns)s.") % {
        "columns": ", ".join(missing)
    }
    if unknown:
        quoted = ", ".join(f"“{cell}”" for cell in unknown[:UNKNOWN_SHOWN])
        more = len(unknown) - UNKNOWN_SHOWN
        if more > 0:
            quoted += " " + _("dan %(n)s lainnya") % {"n": more}
        message += " " + _("Judul kolom yang tidak dikenali: %(cells)s.") % {"cells": quoted}
    return (
        message
        + " "
        + _(
            "Ganti judul kolom sesuai nama yang diterima di panduan pengisian, lalu unggah "
            "ulang berkasnya."
        )
    )


def row_errors(cells: list[Any], checks: Iterable[tuple[str, int, Callable]]) -> list[tuple]:
    """Every bad cell of a row, as (column, message), in column order: `checks` are (column,
    index, parser). The importers' hand-unrolled loops stop at a row's first bad cell; only
    for a row that failed do they call this slower loop, so a good row costs nothing more."""
    found = []
    for column, index, parse in checks:
        try:
            parse(cells[index] if index < len(cells) else "")
        except FieldError as exc:
            found.append((column, exc.message))
    return found
