"""No upload can take a worker down (files/uploads.py, parsing.py, xlsxcheck.py, vault.py).

The files that did: an XLSX of 1.5 KB whose cells A1 and XFD1048576 made calamine ask for
512 GB (SIGABRT, nothing to catch), A1 and Z1000000 (800 MB), a CSV without a newline (held
whole, copied quadratically), and no size limit. Each now ends as a failed upload (or a row
error) with the fix in Indonesian. The proof runs the real importer in a child process whose
address space is 1 GB (RLIMIT_AS): it must exit normally with the upload failed and a peak
memory under 1 GB. The rest checks each guard in this process.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from django.db import connection

from candidates.intake import support_upload_create, support_upload_run
from candidates.models import Supporter, SupportUpload
from electorate.models import RollImport
from electorate.roll_import import roll_import_create, roll_import_run
from fieldwork.models import Sheet
from fieldwork.sheets import sheet_keep, sheet_run
from files.parsing import FileFormatError, table_open
from files.uploads import UploadTooLarge, upload_open
from files.xlsxcheck import MAX_COLUMNS, MAX_MEMBERS, SheetRefused, xlsx_check
from tests.factories import (
    SUPPORT_HEADER,
    PairFactory,
    VoterRollFactory,
    csv_bytes,
    good_row,
    make_nik,
    roll_csv,
    xlsx_bytes,
)

ROOT = Path(__file__).resolve().parents[2]
GB = 1 << 30

# --- files, made by hand ----------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="B.1-KWK" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>NIK</t></is></c></row>'


def xlsx_made(sheet: str | bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook that calamine opens, its one worksheet written by hand."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", PACKAGE_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            book.writestr(name, data)
    return out.getvalue()


def worksheet(rows: str, *, dimension: str | None = None) -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{SHEET_HEAD}{declared}<sheetData>{rows}</sheetData></worksheet>"


def cells_far_apart(last: str, *, dimension: str | None = None) -> bytes:
    """Cell A1 and one number in cell `last`: calamine's rectangle spans both."""
    row = last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    far = f'<row r="{row}"><c r="{last}"><v>1</v></c></row>'
    return xlsx_made(worksheet(HEADER_ROW + far, dimension=dimension))


def inflating_part(megabytes: int) -> bytes:
    """A worksheet of `megabytes` MB of blanks between rows: deflate shrinks it ~1000 times.
    Written a megabyte at a time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", PACKAGE_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write((SHEET_HEAD + "<sheetData>" + HEADER_ROW).encode())
            for _ in range(megabytes):
                part.write(b" " * (1 << 20))
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def xlsxwriter_bytes(rows: list[dict]) -> bytes:
    """A workbook as xlsxwriter writes it in constant memory (inline strings, as the seeds)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("B.1-KWK")
    sheet.write_row(0, 0, SUPPORT_HEADER)
    for r, row in enumerate(rows, start=1):
        for c, column in enumerate(SUPPORT_HEADER):
            sheet.write_string(r, c, row[column])
    book.close()
    return out.getvalue()


def one_line_csv(megabytes: int) -> bytes:
    """A 'CSV' with no newline at all: what a file saved with the wrong line ending looks
    like, or one made to exhaust memory."""
    return b"NIK," + b"3171011201900001;" * (megabytes * (1 << 20) // 17)


def long_line_csv(length: int) -> tuple[bytes, int]:
    """Two good rows around a line of `length` bytes; returns the file and that line's row."""
    good = csv_bytes([good_row(NIK=make_nik(serial=1)), good_row(NIK=make_nik(serial=2))])
    head, first, second = good.split(b"\r\n")[:3]
    return b"\r\n".join([head, first, b"x" * length, second, b""]), 3


def nul_csv() -> tuple[bytes, int]:
    rows = [good_row(NIK=make_nik(serial=n)) for n in range(1, 4)]
    lines = csv_bytes(rows).split(b"\r\n")
    lines[2] = lines[2].replace(b"Budi", b"Bu\x00di")
    return b"\r\n".join(lines), 3


def refused(data: bytes) -> str:
    with pytest.raises(SheetRefused) as caught:
        xlsx_check(io.BytesIO(data))
    return str(caught.value)


# --- running the real importer in a child limited to 1 GB -------------------------------------


@contextlib.contextmanager
def database_shared(tmp_path: Path):
    """A database URL the child can open and that ends up in this test's database: the test
    database itself on PostgreSQL; on SQLite (in memory here) a file copied there and back."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        yield (
            f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:"
            f"{s['PORT'] or 5432}/{s['NAME']}"
        )
        return
    path = tmp_path / "child.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    yield f"sqlite:///{path}"
    with contextlib.closing(sqlite3.connect(path)) as copy:
        copy.backup(connection.connection)


def parent_keys(settings) -> dict[str, str]:
    """The parent's keys for a child process: a child given its own PILKADA_VAR_DIR would draw
    demo keys of its own and could not open the parent's encrypted uploads."""

    def ring(keys: list[tuple[str, str]]) -> str:
        return ",".join(f"{key_id}:{secret}" for key_id, secret in keys)

    return {
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "NIK_HMAC_KEYS": ring(settings.NIK_HMAC_KEYS),
        "NIK_ENCRYPTION_KEYS": ring(settings.NIK_ENCRYPTION_KEYS),
        "AUDIT_KEYS": ring(settings.AUDIT_KEYS),
    }


def run_in_child(importer: str, pk: int, tmp_path: Path, settings, **env: str) -> dict:
    """Run `importer` on upload `pk` in a child with 1 GB of address space; its report."""
    with database_shared(tmp_path) as url:
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.electorate.upload_child",
                json.dumps({"importer": importer, "id": pk, "limit": GB}),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "CELERY_TASK_ALWAYS_EAGER": "1",
                "PILKADA_VAR_DIR": str(tmp_path / "var"),
                **parent_keys(settings),
                **env,
            },
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert child.returncode == 0, f"child ended with {child.returncode}: {child.stderr[-3000:]}"
    report = json.loads(child.stdout.strip().splitlines()[-1])
    assert report["peak_mb"] < 1024
    return report


@pytest.fixture
def pair(jakarta):
    return PairFactory()


def support_kept(pair, data: bytes, name: str) -> SupportUpload:
    upload, _ = support_upload_create(pair=pair, file=io.BytesIO(data), original_name=name)
    return upload


CHILD_CASES = {
    # name: (file, file name, extra environment, status, words the message must hold)
    "cells A1 and XFD1048576": (
        lambda: cells_far_apart("XFD1048576"),
        "bom.xlsx",
        {},
        "failed",
        ["kolom XFD", "hapus kolom kosong"],
    ),
    "cells A1 and Z1000000 under a dimension of A1:B2": (
        lambda: cells_far_apart("Z1000000", dimension="A1:B2"),
        "dusta.xlsx",
        {},
        "failed",
        ["Z1000000", "26.000.000 sel", "hapus baris dan kolom kosong"],
    ),
    "a part that inflates a thousandfold": (
        lambda: inflating_part(300),
        "kembang.xlsx",
        {},
        "failed",
        ["mengembang lebih dari 100 kali"],
    ),
    "20 MB CSV without a newline": (
        lambda: one_line_csv(20),
        "satu-baris.csv",
        {},
        "failed",
        ["Baris judul (baris 1) lebih dari 64 KB", "CSV UTF-8"],
    ),
    "a file over the limit": (
        lambda: csv_bytes([good_row()] * 12_000),
        "besar.csv",
        {"UPLOAD_MAX_BYTES": str(1 << 20)},
        "failed",
        ["melebihi batas 1,0 MB", "Bagi daftar"],
    ),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", list(CHILD_CASES), ids=list(CHILD_CASES))
def test_a_bad_file_fails_its_upload_in_a_child_limited_to_1_gb(case, pair, tmp_path, settings):
    make, name, env, status, words = CHILD_CASES[case]
    upload = support_kept(pair, make(), name)

    report = run_in_child("support", upload.pk, tmp_path, settings, **env)

    assert report["status"] == status
    for word in words:
        assert word in report["failure"]
    assert report["errors"] == [{"row": 1, "column": "", "message": report["failure"]}]
    assert SupportUpload.objects.get(pk=upload.pk).status == status


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "make", [lambda: long_line_csv(100 * 1024), nul_csv], ids=["a 100 KB line", "a NUL byte"]
)
def test_a_bad_row_is_a_row_error_in_a_child_limited_to_1_gb(make, pair, tmp_path, settings):
    data, bad_row = make()
    upload = support_kept(pair, data, "dukungan.csv")

    report = run_in_child("support", upload.pk, tmp_path, settings)

    assert (report["status"], report["rejected"]) == ("done", 1)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(bad_row, "")]
    assert report["accepted"] == Supporter.objects.filter(upload=upload).count() >= 2


@pytest.mark.django_db(transaction=True)
def test_a_voter_roll_without_a_newline_fails_in_a_child_limited_to_1_gb(
    jakarta, tmp_path, settings
):
    job, _ = roll_import_create(
        roll=VoterRollFactory(), file=io.BytesIO(one_line_csv(20)), original_name="dpt.csv"
    )

    report = run_in_child("roll", job.pk, tmp_path, settings)

    assert report["status"] == "failed" and "lebih dari 64 KB" in report["failure"]


@pytest.mark.django_db(transaction=True)
def test_a_pps_sheet_bomb_fails_in_a_child_limited_to_1_gb(pair, tmp_path, settings):
    sheet, _ = sheet_keep(
        pair=pair, file=io.BytesIO(cells_far_apart("XFD1048576")), original_name="lembar.xlsx"
    )

    report = run_in_child("sheet", sheet.pk, tmp_path, settings)

    assert report["status"] == "failed" and "kolom XFD" in report["failure"]


# --- the size limit ---------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_before_anything_is_stored(pair, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    data = csv_bytes([good_row()]) + b"x" * (2 * 1024 * 1024)

    with pytest.raises(UploadTooLarge) as caught:
        support_upload_create(pair=pair, file=io.BytesIO(data), original_name="besar.csv")

    assert "Berkas 2,0 MB melebihi batas 1,0 MB" in caught.value.messages[0]
    assert not SupportUpload.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_a_kept_file_over_a_lowered_limit_fails_when_run(pair, settings):
    upload = support_kept(pair, csv_bytes([good_row()] * 12_000), "dukungan.csv")
    settings.UPLOAD_MAX_BYTES = 1 << 20

    upload = support_upload_run(upload_id=upload.pk)

    assert upload.status == "failed"
    assert "melebihi batas 1,0 MB" in upload.failure
    assert not Supporter.objects.filter(upload=upload).exists()


def test_a_voter_roll_has_its_own_larger_limit(jakarta, settings):
    settings.UPLOAD_MAX_BYTES = 100
    settings.ROLL_UPLOAD_MAX_BYTES = 100_000
    job, created = roll_import_create(
        roll=VoterRollFactory(), file=io.BytesIO(roll_csv([good_row()])), original_name="dpt.csv"
    )
    assert created and roll_import_run(import_id=job.pk).status == "done"

    settings.ROLL_UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadTooLarge):
        roll_import_create(
            roll=VoterRollFactory(), file=io.BytesIO(roll_csv([good_row()])), original_name="b.csv"
        )
    assert RollImport.objects.count() == 1


# --- spreadsheets: checked before calamine reads them -----------------------------------------


def test_the_bomb_is_1_5_kb_and_is_refused_by_its_cell_reference():
    data = cells_far_apart("XFD1048576")
    assert len(data) < 2000
    assert "kolom XFD (kolom ke-16.384; paling banyak 64 kolom dibaca)" in refused(data)


def test_a_declared_dimension_beyond_the_limits_is_refused():
    message = refused(cells_far_apart("B2", dimension="A1:XFD1048576"))
    assert "menyatakan ukuran A1:XFD1048576" in message


def test_a_file_lying_in_its_dimension_is_judged_by_its_cells():
    message = refused(cells_far_apart("Z1000000", dimension="A1:B2"))
    assert "sampai Z1000000" in message and "26.000.000 sel" in message


def test_a_few_cells_far_apart_are_refused_even_inside_the_limits():
    # 12 columns x 1,000,000 rows is inside MAX_CELLS, but 1.5 KB of XML does not fill it:
    # calamine would spend 380 MB on empty cells.
    assert "terpencil" in refused(cells_far_apart("L1000000"))


def test_cells_placed_by_counting_are_followed_like_calamine_does():
    # No `r` on the cells: the 26th cell of row 1,000,000 is Z1000000.
    far = '<row r="1000000">' + "<c><v>1</v></c>" * 26 + "</row>"
    message = refused(xlsx_made(worksheet(HEADER_ROW + far)))
    assert "1000000" in message and "hapus baris dan kolom kosong" in message


def test_a_sheet_written_without_cell_references_is_read():
    def text(value: str) -> str:
        return f'<c t="inlineStr"><is><t>{value}</t></is></c>'

    rows = "".join(
        "<row>" + "".join(map(text, values)) + "</row>"
        for values in (["NIK", "NAMA"], ["3171011201900001", "Budi"])
    )
    table = table_open(io.BytesIO(xlsx_made(worksheet(rows))), name="x.xlsx")
    assert table.header == ["NIK", "NAMA"]
    assert list(table.rows()) == [(2, ["3171011201900001", "Budi"])]


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="A2" r="XFD2"><v>1</v></c>',  # calamine takes the last `r`
        '<c r="A2" s=">" r="XFD2"><v>1</v></c>',  # a '>' inside a value hides the second
        '<c\tr="XFD2"><v>1</v></c>',
        "<c r='XFD2'><v>1</v></c>",
        '<c r="xfd2"><v>1</v></c>',
    ],
    ids=["second-r", "quoted-gt", "tab", "single-quotes", "lower-case"],
)
def test_a_cell_reference_written_any_other_way_is_still_found(cell):
    message = refused(xlsx_made(worksheet(HEADER_ROW + f'<row r="2">{cell}</row>')))
    assert "kolom XFD" in message


def test_namespace_prefixes_do_not_hide_cells():
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
        '<x:c r="XFD1"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    assert "kolom XFD" in refused(xlsx_made(sheet))


@pytest.mark.parametrize(
    "markup",
    ['<!-- <row r="1"> -->', '<![CDATA[<c r="A1">]]>', '<?pi <row r="1">?>'],
    ids=["comment", "cdata", "processing-instruction"],
)
def test_markup_a_scanner_and_calamine_could_read_differently_is_refused(markup):
    assert "tidak lazim" in refused(xlsx_made(worksheet(markup + HEADER_ROW)))


def test_a_part_that_inflates_too_much_is_stopped_early():
    assert "mengembang lebih dari 100 kali" in refused(inflating_part(200))


def test_a_zip_with_thousands_of_parts_is_refused():
    parts = {f"xl/media/{n}.xml": b"<a/>" for n in range(MAX_MEMBERS)}
    assert "bagian (paling banyak 1.000)" in refused(xlsx_made(worksheet(HEADER_ROW), extra=parts))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "XLS lama"),
        (b"PK\x03\x04 not really", "bukan lembar kerja XLSX yang utuh"),
    ],
    ids=["xls-or-locked", "broken-zip"],
)
def test_files_that_are_not_xlsx_are_refused_with_the_way_out(data, words):
    assert words in refused(data)


def test_ods_and_xlsb_are_refused_with_the_advice_to_save_as_xlsx_or_csv():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", "<office:document-content/>")
    assert "Format ODS" in refused(out.getvalue())
    xlsb = xlsx_made(worksheet(HEADER_ROW), extra={"xl/workbook.bin": b"\x00"})
    assert "Format XLSB" in refused(xlsb)


def test_a_workbook_with_a_password_is_refused():
    data = bytearray(xlsx_made(worksheet(HEADER_ROW)))
    central = data.find(b"PK\x01\x02")  # the first part's directory entry: flag "encrypted"
    data[central + 8] |= 0x1
    assert "kata sandi" in refused(bytes(data))


def test_64_columns_are_read_and_65_are_not():
    def wide(columns: int) -> bytes:
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out)
        book.add_worksheet().write_row(0, 0, [f"K{n}" for n in range(columns)])
        book.close()
        return out.getvalue()

    xlsx_check(io.BytesIO(wide(MAX_COLUMNS)))
    assert "A1:BM1 (65 kolom" in refused(wide(MAX_COLUMNS + 1))


@pytest.mark.parametrize("write", [xlsx_bytes, xlsxwriter_bytes], ids=["openpyxl", "xlsxwriter"])
def test_real_workbooks_pass_the_check_and_are_imported(write, pair):
    rows = [good_row(NIK=make_nik(serial=n)) for n in range(1, 6)]
    upload = support_upload_run(upload_id=support_kept(pair, write(rows), "dukungan.xlsx").pk)
    assert (upload.status, upload.accepted, upload.rejected) == ("done", 5, 0)


# --- CSV: bounded memory for any line ---------------------------------------------------------


def csv_table(data: bytes):
    return table_open(io.BytesIO(data), name="dukungan.csv", size=len(data))


def test_a_line_over_64_kb_is_a_row_error_and_the_next_rows_are_read():
    data, bad = long_line_csv(3 * (1 << 20))  # spans several 1 MB blocks
    table = csv_table(data)
    rows = list(table.rows())
    assert [number for number, _ in rows] == [2, 4]
    assert [(row, column) for row, column, _ in table.row_errors] == [(bad, "")]
    assert "lebih dari 64 KB tanpa pindah baris" in table.row_errors[0][2]


def test_a_line_over_64_kb_at_the_end_without_a_newline_is_a_row_error():
    data, _ = long_line_csv(10)
    table = csv_table(data + b"y" * (200 * 1024))
    assert [number for number, _ in table.rows()] == [2, 3, 4]
    assert [row for row, _, _ in table.row_errors] == [5]


def test_a_nul_byte_is_a_row_error_and_the_other_rows_are_kept():
    data, bad = nul_csv()
    table = csv_table(data)
    assert [number for number, _ in table.rows()] == [2, 4]
    assert [(row, column) for row, column, _ in table.row_errors] == [(bad, "")]
    assert "NUL" in table.row_errors[0][2]


def test_a_quote_left_open_swallows_at_most_64_kb_and_reading_goes_on():
    good = csv_bytes([good_row(NIK=make_nik(serial=1))])
    lines = [b'3171011201900002,"Budi'] + [b"y" * 1000] * 100 + [good.split(b"\r\n")[1]]
    table = csv_table(good + b"\r\n".join(lines) + b"\r\n")
    rows = list(table.rows())
    assert rows[0][0] == 2 and rows[-1][1][0] == good.split(b"\r\n")[1].decode().split(",")[0]
    assert [row for row, _, _ in table.row_errors] == [3]
    assert "Tanda kutip" in table.row_errors[0][2]


def test_a_csv_without_a_newline_is_refused_after_reading_64_kb():
    source = io.BytesIO(one_line_csv(20))
    with pytest.raises(FileFormatError) as caught:
        table_open(source, name="x.csv")
    assert "lebih dari 64 KB tanpa pindah baris" in str(caught.value)
    assert source.tell() <= 64 * 1024 + 1


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("NIK,NAMA\r\n1,2\r\n".encode("utf-16"), "UTF-16"),
        (b"NIK,NAMA\r" + b"3171011201900001,Budi\r" * 5000, "tanda CR saja"),
        (xlsx_bytes([good_row()]), "lembar kerja Excel, bukan CSV"),
    ],
    ids=["utf-16", "old-mac", "xlsx-named-csv"],
)
def test_csv_in_a_form_we_cannot_read_says_how_to_save_it(data, words):
    with pytest.raises(FileFormatError) as caught:
        table_open(io.BytesIO(data), name="x.csv")
    assert words in str(caught.value)


def test_an_intake_counts_the_bad_lines_with_the_bad_cells(pair):
    data, bad = long_line_csv(100 * 1024)
    rows = csv_bytes([good_row(NIK="123")]).split(b"\r\n", 1)[1]  # row 5: a NIK error
    upload = support_upload_run(upload_id=support_kept(pair, data + rows, "d.csv").pk)
    assert (upload.status, upload.accepted, upload.rejected, upload.rows_read) == ("done", 2, 2, 4)
    assert [(e["row"], e["column"]) for e in upload.errors] == [(bad, ""), (5, "NIK")]


# --- the plaintext copy of a spreadsheet ------------------------------------------------------


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """The temporary directory, watched: nothing of an upload may be left in it."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_parser_that_raises_leaves_no_plaintext_behind(pair, private_tmp):
    upload = support_kept(pair, cells_far_apart("XFD1048576"), "bom.xlsx")
    before = open_files()

    with pytest.raises(FileFormatError), upload_open(upload) as fh:
        assert not list(private_tmp.iterdir())  # nameless while in use
        table_open(fh, name=upload.original_name)

    assert fh.closed and open_files() == before
    assert not list(private_tmp.iterdir())
    assert support_upload_run(upload_id=upload.pk).status == "failed"
    assert not list(private_tmp.iterdir())


def test_an_error_while_decrypting_leaves_no_plaintext_behind(pair, private_tmp):
    upload = support_kept(pair, xlsx_bytes([good_row()]), "d.xlsx")
    blob = Path(upload.file.path)
    blob.write_bytes(blob.read_bytes()[:-20])  # cut: the last chunk no longer decrypts
    before = open_files()

    with pytest.raises(ValueError), upload_open(upload):
        pass

    assert open_files() == before and not list(private_tmp.iterdir())


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_reading_leaves_no_plaintext_behind(pair, tmp_path, settings):
    upload = support_kept(pair, xlsx_bytes([good_row()]), "d.xlsx")
    directory = tmp_path / "tmp"
    directory.mkdir()
    with database_shared(tmp_path) as url:
        child = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(upload.pk)],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": url,
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "TMPDIR": str(directory),
                "PILKADA_VAR_DIR": str(tmp_path / "var"),
                **parent_keys(settings),
            },
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout.readline().strip() == "open"  # the plaintext copy exists now
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert not list(directory.iterdir())


HOLD = """
import sys, time, django
django.setup()
from candidates.models import SupportUpload
from files.uploads import upload_open
with upload_open(SupportUpload.objects.get(pk=int(sys.argv[1]))) as fh:
    assert fh.read(2) == b"PK"
    print("open", flush=True)
    time.sleep(600)
"""


# --- the other importers share it -------------------------------------------------------------


def test_a_pps_sheet_bomb_fails_in_process_too(pair):
    sheet, _ = sheet_keep(
        pair=pair, file=io.BytesIO(cells_far_apart("XFD1048576")), original_name="lembar.xlsx"
    )
    sheet = sheet_run(sheet_id=sheet.pk)
    assert sheet.status == Sheet.Status.FAILED and "kolom XFD" in sheet.failure
