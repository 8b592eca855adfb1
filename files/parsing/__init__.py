"""Reading the files people actually upload: CSV in any of the usual encodings and delimiters,
XLSX, headers spelled a dozen ways, NIKs that Excel has turned into numbers.

Shared by the voter-roll import (electorate.roll_import) and the support-list intake
(candidates.intake). Rows come out as (file_row_number, cells) with the header as row 1, so a
reported row number is the one the team sees in Excel. Field parsers return the clean value or
raise FieldError carrying an Indonesian message that says what to fix.

The modules: tables (reading rows from CSV and spreadsheets), columns (header matching, every
bad cell of a row), cells (the field parsers), errors (FieldError, FileFormatError).
"""

from files.parsing.cells import (
    MONTHS,
    cached,
    kelurahan_code_normalize,
    parse_birth_date,
    parse_date,
    parse_kelurahan,
    parse_marital,
    parse_name,
    parse_nik,
    parse_rt,
    parse_sex,
    parse_text,
    person_parsers,
    shown,
)
from files.parsing.columns import (
    COLUMNS,
    columns_match,
    columns_message,
    header_key,
    row_errors,
)
from files.parsing.errors import (
    FieldError,
    FileFormatError,
)
from files.parsing.tables import (
    SHEET_SUFFIXES,
    CsvTable,
    SheetTable,
    Table,
    table_open,
)

__all__ = [
    "COLUMNS",
    "CsvTable",
    "FieldError",
    "FileFormatError",
    "MONTHS",
    "SHEET_SUFFIXES",
    "SheetTable",
    "Table",
    "cached",
    "columns_match",
    "columns_message",
    "header_key",
    "kelurahan_code_normalize",
    "parse_birth_date",
    "parse_date",
    "parse_kelurahan",
    "parse_marital",
    "parse_name",
    "parse_nik",
    "parse_rt",
    "parse_sex",
    "parse_text",
    "person_parsers",
    "row_errors",
    "shown",
    "table_open",
]
