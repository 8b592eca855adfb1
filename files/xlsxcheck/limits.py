"""What a spreadsheet may hold before calamine reads it, and the refusals that say why."""

from __future__ import annotations

from django.utils.translation import gettext as _

CHUNK = 1 << 20


MAX_MEMBERS = 1000


MAX_DIRECTORY = 4 << 20  # bytes of zip central directory: ~1000 entries need 100 KB


# A 100,000-row list written by xlsxwriter is 63 MB of XML; Excel's full 1,048,576 rows of the
# 12 form columns about 700 MB. Inflating 1 GB takes about 2 s.
MAX_UNCOMPRESSED = 1 << 30


# Real worksheets compress 5-20 times (the 100,000-row list: 9.4); zip bombs 1000 times.
MAX_RATIO = 100


RATIO_FLOOR = 1 << 20  # a part below 1 MB inflates as it likes


MAX_COLUMNS = 64  # form B.1-KWK has 12; a DPT export about 20


MAX_ROWS = 1_048_576  # Excel's own limit


# The rectangle calamine allocates: one full Excel sheet of the 12 form columns. As data, a cell
# costs calamine about 100 bytes (the 100,000-row list: 126 MB), so this is its ~1.2 GB worst
# case; bigger lists come as CSV, which is streamed.
MAX_CELLS = 12 * MAX_ROWS


SPARSE_FLOOR = (
    1_000_000  # rectangles below this (32 MB as empty cells) may be as sparse as they like
)


MAX_CARRY = 2 << 20  # an unfinished tag or text kept between pieces (a cell holds 32,767 chars)


# Text calamine copies out of the shared strings for one worksheet: a cell holds its own copy
# of the string it names. The 100,000-row list written by Excel names 15 MB this way, DKI's
# 840,640 rows about 130 MB; the bomb (30,000 characters x 36,000 cells) 1 GB.
MAX_SHARED_TEXT = 256 << 20


MAX_PACKAGE_PART = 4 << 20  # a relationships part: a few hundred bytes a sheet


class SheetRefused(ValueError):
    """The file is not read; the message says why and what to do, in Indonesian."""


def _not_xlsx(why: str) -> str:
    return _(
        "Berkas bukan lembar kerja XLSX yang utuh (%(why)s). Buka di Excel lalu simpan ulang "
        "sebagai Excel Workbook (.xlsx), atau unggah sebagai CSV UTF-8."
    ) % {"why": why}


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _odd_xml(part: str, what: str) -> str:
    return _(
        "Lembar kerja %(part)s berisi struktur XML yang tidak lazim (%(what)s) sehingga tidak "
        "dapat diperiksa dengan aman. Buka di Excel lalu simpan ulang sebagai XLSX, atau "
        "unggah sebagai CSV UTF-8."
    ) % {"part": part.rsplit("/", 1)[-1][:60], "what": what}
