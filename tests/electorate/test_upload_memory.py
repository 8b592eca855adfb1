"""Bounded memory for every spreadsheet, in production too (issue 19 item 5).

The file that did it: a 1.9 MB XLSX whose one shared string of 30,000 characters is referenced
by 36,000 cells. It passed the old check (the cells are where they belong), and calamine
copies the string into every cell: 1 GB for the sheet, 2.24 GB for the importer, SIGABRT under
a 1 GB limit; a Celery worker capped by its unit lost its child and the upload stayed
`running` until the lease. Now:

- the check counts what the shared strings expand to before anything is read (the length of
  each string, times the cells that name it) and refuses the file with what to do;
- calamine runs in a child process of its own, limited to PARSE_MEMORY_LIMIT_BYTES, wherever
  the file is read (a worker, a command, a web request of the demo): whatever a file makes it
  allocate, only that child dies, and the upload is failed at once with a clear message;
- a worksheet is found the way calamine finds it (the workbook's relationships), not only under
  xl/worksheets/: a sheet anywhere else in the zip used to skip the check.

The figures (peak resident memory of the importer and of its children) are measured in a child
whose address space is 1 GB, as in tests/electorate/test_upload_safety.py.
"""

from __future__ import annotations

import io
import random
import string
import zipfile

import pytest

from candidates.intake import support_upload_run
from candidates.models import SupportUpload
from files.parsing import FileFormatError, table_open
from files.xlsxcheck import MAX_SHARED_TEXT, xlsx_check
from tests.electorate.test_upload_safety import (
    CONTENT_TYPES,
    HEADER_ROW,
    PACKAGE_RELS,
    SHEET_HEAD,
    WORKBOOK,
    WORKBOOK_RELS,
    refused,
    run_in_child,
    support_kept,
    worksheet,
    xlsx_made,
)
from tests.factories import SUPPORT_HEADER, good_row, make_nik, xlsx_bytes

MB = 1 << 20


def sst(*texts: str) -> str:
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'uniqueCount="{len(texts)}">{items}</sst>'
    )


def shared_string_bomb(*, cells: int, length: int = 30_000) -> bytes:
    """Form B.1-KWK's header, then one shared string of `length` random letters named by
    `cells` cells of the NAMA column, the worksheet stored uncompressed: what the issue's
    1.2 MB file did."""
    rnd = random.Random(19)
    text = "".join(rnd.choice(string.ascii_letters) for _ in range(length))
    header = "".join(
        f'<c r="{chr(65 + n)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for n, name in enumerate(SUPPORT_HEADER)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", PACKAGE_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/sharedStrings.xml", sst(text))
        with book.open(zipfile.ZipInfo("xl/worksheets/sheet1.xml"), "w") as part:
            part.write(f'{SHEET_HEAD}<sheetData><row r="1">{header}</row>'.encode())
            for row in range(2, cells + 2):
                part.write(f'<row r="{row}"><c r="B{row}" t="s"><v>0</v></c></row>'.encode())
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def with_shared(cells: str, *texts: str, sheet: str | None = None) -> bytes:
    return xlsx_made(
        sheet or worksheet(cells), extra={"xl/sharedStrings.xml": sst(*texts).encode()}
    )


BOMBS = {
    # name: (cells naming the 30,000-character string, the file's size in MB at least)
    "1.9 MB, 36,000 cells": (36_000, 1.5),
    "8 MB, 150,000 cells": (150_000, 7.5),
}


@pytest.fixture
def pair(jakarta):
    from tests.factories import PairFactory

    return PairFactory()


# --- the check counts the expansion -----------------------------------------------------------


@pytest.mark.parametrize("bomb", list(BOMBS), ids=list(BOMBS))
def test_a_shared_string_bomb_is_refused_by_the_check_with_what_to_do(bomb):
    cells, megabytes = BOMBS[bomb]
    data = shared_string_bomb(cells=cells)
    assert len(data) > megabytes * MB

    message = refused(data)

    assert "teks yang dipakai berulang" in message
    assert "30.000 karakter" in message  # the longest string named, so the team can find it
    assert "CSV UTF-8" in message


def test_a_long_text_used_a_few_times_and_short_texts_used_everywhere_pass():
    long = "x" * 30_000
    cells = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>{1 if r > 3 else 0}</v></c>'
        f'<c r="B{r}" s="1" t="s"><v>1</v></c></row>'
        for r in range(1, 20_001)
    )
    xlsx_check(io.BytesIO(with_shared(cells, long, "Jl. Kebon Sirih")))


def test_openpyxl_workbooks_with_shared_strings_still_pass_and_are_read(pair):
    rows = [good_row(NIK=make_nik(serial=n)) for n in range(1, 200)]
    upload = support_upload_run(upload_id=support_kept(pair, xlsx_bytes(rows), "d.xlsx").pk)
    assert (upload.status, upload.accepted) == ("done", 199)


def test_the_budget_is_counted_in_bytes_of_the_strings_each_cell_names():
    # A 1 MB string (the table itself counts once) named by 254 cells is inside
    # MAX_SHARED_TEXT, by 256 cells beyond it.
    rnd = random.Random(1)
    text = "".join(rnd.choice(string.ascii_letters) for _ in range(MB))

    def named(cells: int) -> str:
        return "".join(
            f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, cells + 1)
        )

    xlsx_check(io.BytesIO(with_shared(named(MAX_SHARED_TEXT // MB - 2), text)))
    assert "teks yang dipakai berulang" in refused(with_shared(named(MAX_SHARED_TEXT // MB), text))


@pytest.mark.parametrize(
    "cell",
    [
        "<c t='s'><v>1</v></c>",  # no reference, single quotes: the exact reading
        '<c r="A{r}" t = "s" ><v>1</v></c>',
        '<c r="A{r}" t="s"><f>A1</f><v>1</v></c>',
        '<c r="A{r}" t="s"><v>01</v></c>',  # not a plain index: counted as the longest string
        '<c r="A{r}" t="s"><v>1&#48;</v></c>',
    ],
    ids=["no-reference", "spaces", "formula-first", "leading-zero", "entity"],
)
def test_shared_cells_written_any_other_way_are_counted_too(cell):
    long = "z" * 30_000
    cells = "".join(f'<row r="{r}">{cell.format(r=r)}</row>' for r in range(1, 12_000))
    assert "teks yang dipakai berulang" in refused(with_shared(cells, "a", long))


def test_rich_text_and_phonetic_runs_count_as_their_text():
    runs = "<r><t>" + "k" * 10_000 + "</t></r><r><t>" + "k" * 10_000 + "</t></r>"
    book = xlsx_made(
        worksheet(
            "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 15_000))
        ),
        extra={
            "xl/sharedStrings.xml": (
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"<si>{runs}<rPh><t>{'p' * 10}</t></rPh></si></sst>"
            ).encode()
        },
    )
    assert "teks yang dipakai berulang" in refused(book)


def test_a_doctype_in_the_shared_strings_is_refused():
    book = xlsx_made(
        worksheet(HEADER_ROW),
        extra={
            "xl/sharedStrings.xml": b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]>'
            b"<sst><si><t>&a;</t></si></sst>"
        },
    )
    assert "tidak lazim" in refused(book)


# --- a worksheet is where the workbook says -----------------------------------------------------


def workbook_pointing_at(target: str, part: str, sheet: str) -> bytes:
    rels = WORKBOOK_RELS.replace('Target="worksheets/sheet1.xml"', f'Target="{target}"')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", PACKAGE_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", rels)
        book.writestr(part, sheet)
    return out.getvalue()


@pytest.mark.parametrize(
    ("target", "part"),
    [("other/s.xml", "xl/other/s.xml"), ("/data/s.xml", "data/s.xml"), ("D\\S.XML", "xl/d/s.xml")],
    ids=["beside-worksheets", "absolute", "backslash-and-case"],
)
def test_a_worksheet_outside_xl_worksheets_is_checked_too(target, part):
    far = '<row r="1000000"><c r="Z1000000"><v>1</v></c></row>'
    data = workbook_pointing_at(target, part, worksheet(HEADER_ROW + far))
    assert "Z1000000" in refused(data)


# --- calamine in a child limited in memory ------------------------------------------------------


def test_a_sheet_that_needs_more_than_the_memory_limit_fails_at_once_with_a_clear_message(
    pair, settings
):
    # 2,000 characters in 20,000 cells: 40 MB of text, inside the check's budget, beyond a
    # reader limited to 48 MB.
    settings.PARSE_MEMORY_LIMIT_BYTES = 48 * MB
    upload = support_kept(pair, shared_string_bomb(cells=20_000, length=2_000), "b.xlsx")

    upload = support_upload_run(upload_id=upload.pk)

    assert upload.status == SupportUpload.Status.FAILED  # at once: no lease to wait for
    assert "terlalu besar untuk dibaca" in upload.failure
    assert "CSV UTF-8" in upload.failure
    assert upload.errors == [{"row": 1, "column": "", "message": upload.failure}]


def test_the_reader_gives_the_same_rows_as_before(settings):
    rows = [good_row(NIK=make_nik(serial=n)) for n in range(1, 1200)]
    table = table_open(io.BytesIO(xlsx_bytes(rows)), name="d.xlsx")
    read = list(table.rows())
    assert table.header[0] == "NIK" and len(read) == 1199
    assert read[0][0] == 2 and read[0][1][0] == rows[0]["NIK"]
    assert read[-1][0] == 1200


def test_a_workbook_calamine_cannot_open_is_the_same_clear_refusal():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:  # no xl/_rels/workbook.xml.rels: calamine gives up
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", PACKAGE_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/worksheets/sheet1.xml", worksheet(HEADER_ROW))
    broken = out.getvalue()
    with pytest.raises(FileFormatError) as caught:
        list(table_open(io.BytesIO(broken), name="x.xlsx").rows())
    assert "tidak dapat dibaca sebagai lembar kerja Excel" in str(caught.value)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bomb", list(BOMBS), ids=list(BOMBS))
def test_the_bombs_end_as_failed_uploads_with_peak_memory_under_1_gb(
    bomb, pair, tmp_path, settings
):
    cells, _megabytes = BOMBS[bomb]
    upload = support_kept(pair, shared_string_bomb(cells=cells), "bom.xlsx")

    report = run_in_child("support", upload.pk, tmp_path, settings)

    assert report["status"] == "failed"
    assert "teks yang dipakai berulang" in report["failure"]
    assert report["peak_mb"] < 1024 and report["children_peak_mb"] < 1024
    print(f"{bomb}: importer peak {report['peak_mb']} MB, reader {report['children_peak_mb']} MB")
