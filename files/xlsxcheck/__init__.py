"""A spreadsheet is checked before python-calamine reads it, streaming and in bounded memory.

Why: calamine reads a worksheet into one dense rectangle, 32 bytes a cell, from the first to the
last cell that holds a value. A 1.5 KB file with cells A1 and XFD1048576 asks for 512 GB and the
process aborts (a Rust allocation failure: no exception, nothing to catch, and with late
acknowledgement the task comes back to kill the next worker); A1 and Z1000000 cost 800 MB. And a
zip part can inflate a thousandfold. So, before calamine sees the file:

1. the zip directory: at most MAX_MEMBERS parts, not encrypted, only stored or deflated parts,
   declared sizes within MAX_UNCOMPRESSED and MAX_RATIO;
2. every part inflated here, in 1 MB pieces, trusting no declared size: in all at most
   MAX_UNCOMPRESSED bytes, no part above MAX_RATIO times its compressed size;
3. every worksheet part: its declared <dimension ref> and the cell references it really holds
   (a file can lie in its dimension) within MAX_COLUMNS and MAX_ROWS; the rectangle calamine
   would allocate within MAX_CELLS; and no rectangle larger than the XML that fills it (a few
   cells far apart: A1 and L1000000 would cost 380 MB for 1.5 KB);
4. the shared strings: calamine copies a shared string into every cell that names it, so one
   string of 30,000 characters named by 36,000 cells (a 1.9 MB file) is 1 GB of text, and the
   importer peaked at 2.24 GB. The length of every string is read first (`strings._SharedStrings`),
   then each worksheet adds the length of the string each of its cells names: at most
   MAX_SHARED_TEXT bytes a sheet.

A worksheet is any part the workbook's relationships name as one, found as calamine finds it
(`package._Package`: the package's officeDocument, then its relationships, absolute or relative,
case and backslashes ignored), and any part under xl/worksheets/: a sheet stored elsewhere
would otherwise be read unchecked. Whatever still gets past these is bounded by the process
that reads it (files/sheetread.py: calamine in a child limited in memory).

Reading cell references: the fast way (`cells._FastCells`, a few regex passes at C speed) handles
what Excel, LibreOffice, openpyxl and xlsxwriter write: every cell tag is `<c r="B7" ...>`.
Anything else (cells without a reference, namespace prefixes, references written another
way) goes the exact way (`cells._ExactCells`), which walks every tag as calamine does. Comments,
CDATA, processing instructions, DOCTYPE, a `<` inside a tag or non-ASCII-compatible encodings
never appear in a real worksheet and would let a scanner and calamine see different cells:
they are refused.

Only XLSX (and XLSM) is read. XLS is binary and XLSB is binary records; ODS repeats rows and
cells by attribute, and calamine reads every sheet of an ODS at once: none of them can be
bounded here, so they are refused with the advice to save as XLSX or CSV (the pages and the
API accept only CSV and XLSX anyway).

The modules: limits (the limits and the refusals), parts (the zip), package (its
relationships), strings (the shared strings), tags and cells (a worksheet's cells), check
(xlsx_check, which runs them in that order).
"""

from files.xlsxcheck.check import xlsx_check
from files.xlsxcheck.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_SHARED_TEXT,
    MAX_UNCOMPRESSED,
    SheetRefused,
)

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_SHARED_TEXT",
    "MAX_UNCOMPRESSED",
    "SheetRefused",
    "xlsx_check",
]
