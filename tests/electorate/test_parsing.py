from __future__ import annotations

import datetime as dt
import io

import pytest

from files.parsing import (
    FieldError,
    FileFormatError,
    cached,
    columns_match,
    parse_birth_date,
    parse_date,
    parse_kelurahan,
    parse_marital,
    parse_name,
    parse_nik,
    parse_rt,
    parse_sex,
    table_open,
)
from tests.factories import SUPPORT_HEADER, csv_bytes, good_row, xlsx_bytes

TODAY = dt.date(2024, 11, 27)
KNOWN = frozenset({"31.71.01.1001", "31.72.01.1001"})


def error_of(parser, *args, **kwargs) -> str:
    with pytest.raises(FieldError) as info:
        parser(*args, **kwargs)
    return info.value.message


def rows_of(data: bytes, name: str = "f.csv") -> tuple[list, list]:
    table = table_open(io.BytesIO(data), name=name, size=len(data))
    return table.header, list(table.rows())


# --- NIK --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["3171011201900001", " 3171011201900001 ", "3171-0112-0190-0001", "'3171011201900001"]
)
def test_nik_as_16_digit_text_is_accepted_with_spaces_dashes_and_apostrophe_removed(value):
    assert parse_nik(value) == "3171011201900001"


@pytest.mark.parametrize(
    "value",
    [
        "3.17101E+15",
        "3,17101E+15",
        "3.171011201900001e15",
        "3171011201900001.0",
        "3171011201900000,0",
    ],
)
def test_nik_mangled_by_excel_is_rejected_telling_to_format_the_column_as_text(value):
    message = error_of(parse_nik, value)
    assert "Teks" in message
    assert "membulatkan" in message
    assert "KTP-el" in message


@pytest.mark.parametrize("value", [3171011201900001, 3171011201900001.0, 3.17101e15])
def test_nik_from_a_number_cell_is_rejected_even_when_it_looks_complete(value):
    assert "Teks" in error_of(parse_nik, value)


def test_nik_of_15_digits_is_rejected_saying_excel_drops_digits():
    message = error_of(parse_nik, "317101120190001")
    assert "15 angka" in message
    assert "Teks" in message


@pytest.mark.parametrize(
    ("value", "words"),
    [("", "kosong"), ("31710112019000011", "17 angka"), ("3171O11201900001", "hanya boleh")],
)
def test_nik_empty_too_long_or_with_letters_is_rejected(value, words):
    assert words in error_of(parse_nik, value)


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "12-01-1990",
        "12/01/1990",
        "12.01.1990",
        "1990-01-12",
        "12/1/1990",
        "12-1-90",
        "12 Januari 1990",
        "12 JANUARY 1990",
        "12 Jan 1990",
        "12-Jan-1990",
        "1990-01-12 00:00:00",
        "12/01/1990 0:00",
        "32885",
        "32885.0",
        32885,
        32885.0,
        dt.date(1990, 1, 12),
        dt.datetime(1990, 1, 12, 0, 0),
    ],
)
def test_date_in_every_usual_form_and_as_excel_serial_is_read(value):
    assert parse_date(value, today=TODAY) == dt.date(1990, 1, 12)


@pytest.mark.parametrize("value", ["12 Agt 1990", "12-Agu-1990", "12 Agustus 1990", "12 Aug 1990"])
def test_indonesian_and_english_august_abbreviations_are_read(value):
    assert parse_date(value, today=TODAY) == dt.date(1990, 8, 12)


def test_two_digit_year_is_the_latest_century_that_puts_the_birth_in_the_past():
    assert parse_date("12-01-05", today=TODAY) == dt.date(2005, 1, 12)
    assert parse_date("12-01-45", today=TODAY) == dt.date(1945, 1, 12)


def test_excel_serial_before_march_1900_skips_excels_phantom_leap_day():
    assert parse_date(1, today=TODAY) == dt.date(1900, 1, 1)
    assert parse_date(61, today=TODAY) == dt.date(1900, 3, 1)


@pytest.mark.parametrize("value", ["31-02-1990", "29-02-1991", "12-13-1990", "00-01-1990"])
def test_impossible_date_is_rejected(value):
    assert "tidak ada di kalender" in error_of(parse_date, value, today=TODAY)


@pytest.mark.parametrize("value", ["", "kemarin", "12 Foo 1990", "1990"])
def test_unreadable_date_is_rejected_with_an_example_of_the_expected_form(value):
    assert "12-01-1990" in error_of(parse_date, value, today=TODAY)


def test_birth_date_in_the_future_is_rejected():
    assert "tidak mungkin" in error_of(parse_birth_date, "01-01-2030", today=TODAY)


# --- coded fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "sex"),
    [
        ("L", "L"),
        ("l", "L"),
        ("LAKI-LAKI", "L"),
        ("Laki laki", "L"),
        ("PRIA", "L"),
        ("LK", "L"),
        ("P", "P"),
        ("PEREMPUAN", "P"),
        ("wanita", "P"),
        ("PR", "P"),
    ],
)
def test_sex_spellings_map_to_l_or_p(value, sex):
    assert parse_sex(value) == sex


@pytest.mark.parametrize("value", ["X", "", "1"])
def test_unknown_sex_is_rejected_naming_l_and_p(value):
    assert "L (laki-laki) atau P (perempuan)" in error_of(parse_sex, value)


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("BELUM KAWIN", "B"),
        ("B", "B"),
        ("BK", "B"),
        ("KAWIN", "S"),
        ("K", "S"),
        ("S", "S"),
        ("CERAI HIDUP", "P"),
        ("Cerai Mati", "P"),
        ("PERNAH KAWIN", "P"),
        ("P", "P"),
        ("", ""),
    ],
)
def test_marital_status_spellings_map_to_voter_marital_codes(value, status):
    assert parse_marital(value) == status


def test_unknown_marital_status_is_rejected():
    assert "B (belum kawin)" in error_of(parse_marital, "JOMBLO")


@pytest.mark.parametrize("value", ["3171011001", "31.71.01.1001", 3171011001.0, " 3171011001 "])
def test_kelurahan_code_ten_digit_or_dotted_becomes_dotted(value):
    assert parse_kelurahan(value, KNOWN) == "31.71.01.1001"


@pytest.mark.parametrize("value", ["3171019999", "31.71.01", "Gambir", ""])
def test_unknown_kelurahan_code_is_rejected_with_the_expected_forms(value):
    message = error_of(parse_kelurahan, value, KNOWN)
    assert "3171011001" in message and "31.71.01.1001" in message


@pytest.mark.parametrize(
    ("value", "rt"),
    [("1", "001"), ("01", "001"), ("012", "012"), (5.0, "005"), ("RT 3", "003"), ("", "")],
)
def test_rt_is_zero_padded_to_three_digits(value, rt):
    assert parse_rt(value) == rt


@pytest.mark.parametrize("value", ["1234", "1A"])
def test_rt_that_is_not_up_to_three_digits_is_rejected(value):
    assert "3 digit" in error_of(parse_rt, value)


def test_name_whitespace_is_collapsed_and_spelling_kept():
    assert parse_name("  Siti   Nurhaliza\tDœ ") == "Siti Nurhaliza Dœ"
    assert "kosong" in error_of(parse_name, "   ")


def test_cached_parser_repeats_errors_as_well_as_values():
    calls = []

    def parser(value):
        calls.append(value)
        return parse_sex(value)

    parse = cached(parser)
    assert parse("L") == parse("L") == "L"
    with pytest.raises(FieldError):
        parse("X")
    with pytest.raises(FieldError):
        parse("X")
    assert calls == ["L", "X"]


# --- header -----------------------------------------------------------------------------------


def test_header_names_match_loosely_with_synonyms():
    header = ["No.", "No KTP", "Nama Lengkap", "tgl. lahir", "L/P", "Kode_Kelurahan", "HAL"]
    found = columns_match(
        header, ["NIK", "NAMA", "TANGGAL_LAHIR", "JENIS_KELAMIN", "KODE_WILAYAH", "HALAMAN"]
    )
    assert found == {
        "NIK": 1,
        "NAMA": 2,
        "TANGGAL_LAHIR": 3,
        "JENIS_KELAMIN": 4,
        "KODE_WILAYAH": 5,
        "HALAMAN": 6,
    }


def test_missing_column_is_one_error_naming_the_column_not_its_spellings():
    with pytest.raises(FileFormatError) as info:
        columns_match(["NIK", "NAMA"], ["NIK", "NAMA", "KODE_WILAYAH"])
    message = str(info.value)
    assert message == (
        "Kolom wajib tidak ditemukan di baris judul (baris 1): KODE_WILAYAH. Ganti judul kolom "
        "sesuai nama yang diterima di panduan pengisian, lalu unggah ulang berkasnya."
    )
    assert info.value.missing == ["KODE_WILAYAH"] and info.value.unknown == []


def test_a_misspelt_column_is_named_as_unknown_beside_the_missing_one():
    header = ["NIK", "NAMA", "KODE WILYAH", "Catatan 3171010101900001"]
    with pytest.raises(FileFormatError) as info:
        columns_match(header, ["NIK", "NAMA", "KODE_WILAYAH"])
    message = str(info.value)
    assert "tidak ditemukan di baris judul (baris 1): KODE_WILAYAH." in message
    assert "Judul kolom yang tidak dikenali: “KODE WILYAH”, “Catatan ****************”." in message
    assert "KODE KELURAHAN" not in message  # no list of accepted spellings


def test_a_header_row_that_is_data_says_the_header_is_missing():
    with pytest.raises(FileFormatError) as info:
        columns_match(["3171010101900001", "BUDI"], ["NIK", "NAMA"])
    message = str(info.value)
    assert message.startswith("Baris 1 harus berisi judul kolom")
    assert "(kolom wajib: NIK, NAMA)" in message and "3171" not in message


# --- files ------------------------------------------------------------------------------------


def test_csv_with_utf8_bom_reads_the_first_header_cleanly():
    header, rows = rows_of(csv_bytes([good_row(NAMA="José")], bom=True))
    assert header[0] == "NIK"
    assert rows[0][1][1] == "José"


def test_csv_in_windows_1252_reads_names_right():
    data = csv_bytes([good_row(NAMA="Siti Nurhaliza Dœ"), good_row(NAMA="José")], encoding="cp1252")
    _, rows = rows_of(data)
    assert [cells[1] for _, cells in rows] == ["Siti Nurhaliza Dœ", "José"]


def test_csv_mixing_utf8_and_cp1252_lines_reads_both():
    data = csv_bytes([good_row(NAMA="José")]) + "x;Dœ\r\n".encode("cp1252").replace(b";", b",")
    _, rows = rows_of(data)
    assert rows[0][1][1] == "José"
    assert rows[1][1][1] == "Dœ"


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_csv_delimiter_is_sniffed_from_the_header(delimiter):
    header, rows = rows_of(csv_bytes([good_row(ALAMAT="Jl. A; B, C")], delimiter=delimiter))
    assert header == SUPPORT_HEADER
    assert rows[0][1][6] == "Jl. A; B, C"


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_file():
    data = b"NIK,NAMA\r\n1,a\r\n\r\n,\r\n2,b\r\n"
    _, rows = rows_of(data)
    assert rows == [(2, ["1", "a"]), (5, ["2", "b"])]


def test_csv_bytes_read_reaches_the_file_size():
    data = csv_bytes([good_row() for _ in range(10)])
    table = table_open(io.BytesIO(data), name="f.csv", size=len(data))
    list(table.rows())
    assert table.bytes_read == len(data)


def test_xlsx_is_read_with_typed_cells_and_file_row_numbers():
    data = xlsx_bytes(
        [good_row(NIK=3171011201900001, TANGGAL_LAHIR=dt.date(1990, 1, 12)), {}, good_row()]
    )
    header, rows = rows_of(data, name="dukungan.xlsx")
    assert header == SUPPORT_HEADER
    assert [number for number, _ in rows] == [2, 4]
    first = rows[0][1]
    assert isinstance(first[0], float)
    assert first[3] == dt.date(1990, 1, 12)


def test_spreadsheet_is_recognised_by_content_when_the_name_says_nothing():
    header, _ = rows_of(xlsx_bytes([good_row()]), name="unggahan")
    assert header == SUPPORT_HEADER


def test_broken_spreadsheet_is_a_file_error():
    with pytest.raises(FileFormatError):
        table_open(io.BytesIO(b"PK\x03\x04 not really"), name="x.xlsx")


@pytest.mark.parametrize(
    "value",
    ["3171O12345678901", "3171-0112-0190-000X", "31710112019000011", "317101120190001", "31/71/01"],
)
def test_nik_error_never_repeats_the_nik_digits(value):
    message = error_of(parse_nik, value)

    digits = "".join(ch for ch in value if ch.isdigit())
    assert not any(digits[i : i + 6] in message for i in range(len(digits) - 5))


def test_nik_with_letters_says_how_many_letters_and_the_o_for_zero_mixup():
    message = error_of(parse_nik, "3171O1I201900001")

    assert "2 huruf" in message and "Huruf O dan I" in message


def test_a_nik_in_another_column_is_starred_in_that_columns_error():
    message = error_of(parse_kelurahan, "3171011201900001", KNOWN)

    assert "3171011201900001" not in message and "****************" in message
