"""The team's result list as XLSX, to prepare the repair: streamed row by row (xlsxwriter's
constant_memory mode keeps one row in memory), NIK masked, reasons in Indonesian.

Every cell is written as what it is, text as text: a supporter named `=HYPERLINK("http://..";
"Klik")` stays those characters, never a live formula or link in the reader's Excel (xlsxwriter
would otherwise turn a string starting with = into a formula and one like a URL into a link).
"""

from __future__ import annotations

import tempfile
from typing import IO

import xlsxwriter
from django.utils.translation import gettext as _

from candidates.models import Pair, Round
from verification.models import ExportLog
from verification.rules import Outcome, reason_labels
from verification.selectors import supporter_results

ROUND_LABELS = dict(Round.choices)
OUTCOME_LABELS = dict(Outcome.choices)
# No string becomes a formula, a link or a number, whichever way it is written.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "remove_timezone": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def supporter_results_xlsx(*, pair: Pair, round: int | None = None, out: str | IO[bytes]) -> int:
    """Write the pair's results to `out` (a path or a binary file-like object, e.g. an
    HttpResponse). Returns the number of supporter rows written."""
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet(_("Hasil verifikasi"))
    bold = workbook.add_format({"bold": True})
    header = [
        _("No."),
        _("NIK"),
        _("Nama"),
        _("Tahap"),
        _("Baris"),
        _("Halaman"),
        _("Kode wilayah"),
        _("Status"),
        _("Keterangan status"),
        _("Alasan"),
    ]
    _cells_write(sheet, 0, header, bold)
    sheet.freeze_panes(1, 0)
    rows = supporter_results(pair=pair, round=round).values_list(
        "nik_masked",
        "name",
        "round",
        "row_number",
        "sheet_page",
        "kelurahan_id",
        "outcome",
        "reasons",
    )
    n = 0
    for n, (nik, name, rnd, row, page, kel, outcome, reasons) in enumerate(
        rows.iterator(chunk_size=5000), start=1
    ):
        _cells_write(
            sheet,
            n,
            (
                n,
                nik,
                name,
                str(ROUND_LABELS.get(rnd, rnd)),
                row,
                page,
                kel,
                outcome or _("Belum diverifikasi"),
                str(OUTCOME_LABELS.get(outcome, "")),
                "; ".join(reason_labels(reasons or 0)),
            ),
        )
    workbook.close()
    return n


def _cells_write(sheet, row: int, values, cell_format=None) -> None:
    """Numbers as numbers, everything else as a text cell (write_string): never a formula."""
    for column, value in enumerate(values):
        if isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, column, value, cell_format)
        elif value is None or value == "":
            sheet.write_blank(row, column, None, cell_format)
        else:
            sheet.write_string(row, column, str(value), cell_format)


def supporter_results_export(*, pair: Pair, round: int | None, user) -> tuple[IO[bytes], int]:
    """The XLSX in an anonymous temporary file (gone when closed: a web response streams it
    from disk instead of holding it in memory), and an ExportLog row saying who took it."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the caller streams and closes it)
    rows = supporter_results_xlsx(pair=pair, round=round, out=out)
    out.seek(0)
    ExportLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        pair=pair,
        round=round,
        what="supporter_results_xlsx",
        rows=rows,
    )
    return out, rows
