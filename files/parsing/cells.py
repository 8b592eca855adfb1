"""Field parsers: each returns the clean value or raises FieldError carrying an Indonesian
message that says what to fix (NIKs that Excel has turned into numbers, dates written every
way, sex and marital status in their many spellings, kelurahan codes, RT/RW, names)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from files.parsing.errors import FieldError

EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 date system, past Excel's phantom 29-02-1900

# --- field parsers ----------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _nik_excel_message() -> str:
    return _(
        "NIK tersimpan sebagai angka, bukan teks: Excel membulatkan angka 16 digit sehingga "
        "digit terakhir NIK hilang atau berubah. Format kolom NIK sebagai Teks di Excel, lalu "
        "ketik ulang NIK dari KTP-el."
    )


def parse_nik(value: Any) -> str:
    """Exactly 16 digits, as text. Spaces, dashes and Excel's leading apostrophe are dropped;
    anything Excel has turned into a number is refused, never repaired."""
    if _is_number(value):
        raise FieldError(_nik_excel_message())
    text = value.strip() if type(value) is str else str(value).strip()
    if len(text) == 16 and text.isdigit() and text.isascii():
        return text
    if not text:
        raise FieldError(_("NIK kosong. Isi 16 angka NIK sesuai KTP-el."))
    text = text.lstrip("'").replace(" ", "").replace("-", "")
    if len(text) == 16 and text.isdigit() and text.isascii():
        return text
    upper = text.upper()
    number_like = upper.replace(".", "", 1).replace(",", "", 1)
    if "E+" in upper or "E" in upper and number_like.replace("E", "", 1).isdigit():
        raise FieldError(_nik_excel_message())
    if ("." in text or "," in text) and number_like.isdigit():
        raise FieldError(_nik_excel_message())
    if text.isdigit() and text.isascii():
        if len(text) < 16:
            return _raise(
                _(
                    "NIK hanya %(n)s angka, seharusnya 16. Bila kolom NIK berformat angka, Excel "
                    "membuang atau membulatkan digit: format kolom NIK sebagai Teks di Excel, lalu "
                    "ketik ulang NIK dari KTP-el."
                )
                % {"n": len(text)}
            )
        return _raise(
            _("NIK %(n)s angka, seharusnya tepat 16. Periksa kembali NIK pada KTP-el.")
            % {"n": len(text)}
        )
    # Never echo the value: the message is stored, shown and returned by the API, and a NIK
    # with one wrong character is still a NIK. Say what is wrong instead.
    letters = sum(ch.isalpha() for ch in text)
    others = sum(not ch.isalnum() for ch in text)
    if letters:
        raise FieldError(
            _(
                "NIK berisi %(letters)s huruf (dari %(n)s karakter); NIK hanya boleh 16 angka. "
                "Huruf O dan I sering tertukar dengan angka 0 dan 1: ketik ulang NIK dari KTP-el."
            )
            % {"letters": letters, "n": len(text)}
        )
    raise FieldError(
        _(
            "NIK berisi %(others)s tanda selain angka (dari %(n)s karakter); NIK hanya boleh 16 "
            "angka tanpa titik, koma atau tanda lain. Ketik ulang NIK dari KTP-el."
        )
        % {"others": others, "n": len(text)}
    )


# 11 or more digits, whatever spaces, dots, dashes or slashes sit between them: a NIK or a KK
# number typed as "3171 0101 0190 0009" or "3171.0101.0190.0009" is still one. So is one typed
# with letters that look like digits ("31710105O5750382": O for 0, I or l for 1, S for 5, B for
# 8, ...), as long as LONG_NUMBER_DIGITS of them are digits: a word beside a short number is not.
DIGIT_LIKE = "OoQDIiLl|SsBZzGbgq"
LONG_NUMBER = re.compile(rf"[\d{DIGIT_LIKE}](?:[\s.\-/,_]*[\d{DIGIT_LIKE}]){{10,}}")
LONG_NUMBER_DIGITS = 6


def _starred(match: re.Match) -> str:
    run = match.group()
    return "*" * len(run) if sum(ch.isdigit() for ch in run) >= LONG_NUMBER_DIGITS else run


def shown(value: Any, limit: int) -> str:
    """A cell as quoted in a message: cut to `limit`, and any run of 11+ digits starred (letters
    that look like digits among them), in case a NIK (or a KK number) sits in the wrong column:
    messages are stored and shown to users."""
    text = LONG_NUMBER.sub(_starred, str(value)[: limit * 4])
    return text[:limit]


def _raise(message: str):
    raise FieldError(message)


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("JANUARI", "JANUARY", "JAN"),
            ("FEBRUARI", "PEBRUARI", "FEBRUARY", "FEB", "PEB"),
            ("MARET", "MARCH", "MAR", "MRT"),
            ("APRIL", "APR"),
            ("MEI", "MAY"),
            ("JUNI", "JUNE", "JUN"),
            ("JULI", "JULY", "JUL"),
            ("AGUSTUS", "AUGUST", "AGU", "AGT", "AGS", "AUG", "AGUST"),
            ("SEPTEMBER", "SEP", "SEPT"),
            ("OKTOBER", "OCTOBER", "OKT", "OCT"),
            ("NOVEMBER", "NOPEMBER", "NOV", "NOP"),
            ("DESEMBER", "DECEMBER", "DES", "DEC"),
        ),
        start=1,
    )
    for name in names
}


def _date_message(value: Any) -> str:
    return _(
        "Tanggal '%(value)s' tidak dapat dibaca. Tulis sebagai hari-bulan-tahun, misalnya "
        "12-01-1990 atau 12 Januari 1990."
    ) % {"value": shown(value, 40)}


def _make_date(year: int, month: int, day: int, value: Any) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError(
            _(
                "Tanggal '%(value)s' tidak ada di kalender (hari %(day)s, bulan %(month)s). "
                "Periksa kembali tanggal dari KTP-el."
            )
            % {"value": shown(value, 40), "day": day, "month": month}
        ) from None


def _year(text: str, value: Any, today: dt.date) -> int:
    if len(text) == 4 and text.isdecimal():
        return int(text)
    if len(text) == 2 and text.isdecimal():
        # Two digits: a birth year is in the past, so the century is the latest one that fits.
        year = 2000 + int(text)
        return year if year <= today.year else year - 100
    raise FieldError(_date_message(value))


def _excel_serial(serial: float, value: Any) -> dt.date:
    if not 1 <= serial < 2958466:
        raise FieldError(_date_message(value))
    days = int(serial)
    if days < 61:  # Excel counts a 29-02-1900 that never was
        days += 1
    return EXCEL_EPOCH + dt.timedelta(days=days)


def parse_date(value: Any, *, today: dt.date | None = None) -> dt.date:
    """dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy, d/m/yy, yyyy-mm-dd, '12 Januari 1990', '12-Agu-1990',
    Excel serial numbers (cells or digit strings), date cells. Impossible dates are refused."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if _is_number(value):
        return _excel_serial(value, value)
    text = str(value).strip()
    if len(text) == 10 and (fast := _date_fast(text)) is not None:
        return fast
    if not text:
        raise FieldError(_("Tanggal kosong. Isi tanggal lahir sesuai KTP-el, misalnya 12-01-1990."))
    whole, _dot, fraction = text.partition(".")
    if len(whole) == 5 and whole.isdecimal() and (not fraction or fraction.isdecimal()):
        # A serial as text (a date column exported as General). Five digits only: "1990" is a
        # year written alone, not 12-06-1905.
        return _excel_serial(int(whole), text)
    return _date_from_parts(_date_parts(text), value, today or dt.date.today())


def _date_fast(text: str) -> dt.date | None:
    """The two forms that fill real files, dd-mm-yyyy (or / .) and yyyy-mm-dd, without splitting."""
    sep = text[2]
    if sep in "-/." and text[5] == sep and text[:2].isdecimal() and text[3:5].isdecimal():
        if text[6:].isdecimal():
            return _make_date(int(text[6:]), int(text[3:5]), int(text[:2]), text)
        return None
    iso = text[4] == "-" and text[7] == "-" and text[:4].isdecimal() and text[5:7].isdecimal()
    if iso and text[8:].isdecimal():
        return _make_date(int(text[:4]), int(text[5:7]), int(text[8:]), text)
    return None


def _date_parts(text: str) -> list[str]:
    """'12/01/1990 0:00' -> ['12', '01', '1990']: a time part says nothing about the day."""
    if "T" in text and text[:4].isdecimal():
        text = text.split("T", 1)[0]
    head, _sep, tail = text.partition(" ")
    if ":" in tail and head.count("-") + head.count("/") + head.count(".") == 2:
        text = head
    for ch in "/.-,":
        text = text.replace(ch, " ")
    return text.split()


def _date_from_parts(parts: list[str], value: Any, today: dt.date) -> dt.date:
    if len(parts) != 3:
        raise FieldError(_date_message(value))
    first, middle, last = parts
    if not middle.isdecimal():  # a month name: 12 Januari 1990, 12-Agu-90
        month = MONTHS.get(middle.upper())
        if month is None or not first.isdecimal():
            raise FieldError(_date_message(value))
        return _make_date(_year(last, value, today), month, int(first), value)
    if len(first) == 4 and first.isdecimal() and last.isdecimal() and len(last) <= 2:
        return _make_date(int(first), int(middle), int(last), value)
    if first.isdecimal() and len(first) <= 2 and len(middle) <= 2:
        return _make_date(_year(last, value, today), int(middle), int(first), value)
    raise FieldError(_date_message(value))


def parse_birth_date(value: Any, *, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    date = parse_date(value, today=today)
    if not dt.date(1900, 1, 1) <= date <= today:
        raise FieldError(
            _("Tanggal lahir %(date)s tidak mungkin. Periksa kembali tanggal dari KTP-el.")
            % {"date": date_format(date, "SHORT_DATE_FORMAT")}
        )
    return date


def _squash(value: Any) -> str:
    return "".join(ch for ch in str(value).upper() if ch.isalpha())


SEXES = {
    "L": "L",
    "LK": "L",
    "LAKILAKI": "L",
    "LAKI": "L",
    "PRIA": "L",
    "M": "L",
    "MALE": "L",
    "P": "P",
    "PR": "P",
    "PEREMPUAN": "P",
    "WANITA": "P",
    "W": "P",
    "F": "P",
    "FEMALE": "P",
}


def parse_sex(value: Any) -> str:
    """L/P, LAKI-LAKI/PEREMPUAN, PRIA/WANITA, LK/PR -> "L" or "P"."""
    sex = SEXES.get(_squash(value))
    if sex is None:
        raise FieldError(
            _("Jenis kelamin '%(value)s' tidak dikenal. Isi L (laki-laki) atau P (perempuan).")
            % {"value": shown(value, 30)}
        )
    return sex


MARITAL = {
    "B": "B",
    "BK": "B",
    "BELUMKAWIN": "B",
    "BELUMMENIKAH": "B",
    "BELUM": "B",
    "TIDAKKAWIN": "B",
    "K": "S",
    "S": "S",
    "KAWIN": "S",
    "SUDAHKAWIN": "S",
    "MENIKAH": "S",
    "SUDAHMENIKAH": "S",
    "P": "P",
    "PERNAHKAWIN": "P",
    "CERAIHIDUP": "P",
    "CERAIMATI": "P",
    "CERAI": "P",
    "CH": "P",
    "CM": "P",
    "JANDA": "P",
    "DUDA": "P",
}


def parse_marital(value: Any) -> str:
    """B (belum kawin), S (kawin), P (pernah kawin: cerai hidup or mati); blank stays blank."""
    if value is None or not str(value).strip():
        return ""
    # Something that is not a word (digits, a stray NIK) is an error, not a blank.
    status = MARITAL.get(_squash(value))
    if status is None:
        raise FieldError(
            _(
                "Status perkawinan '%(value)s' tidak dikenal. Isi B (belum kawin), S (kawin) atau "
                "P (pernah kawin/cerai)."
            )
            % {"value": shown(value, 30)}
        )
    return status


def _digits(value: Any) -> str:
    if _is_number(value):
        if not math.isfinite(value) or value != int(value):  # NaN and infinities have no int
            return str(value)
        return str(int(value))
    return str(value).strip()


# Kemendagri region codes are fixed width per level: 2 digits, then 2, 2 and 4 (31.71.01.1001).
# The one reader of a code as a file or a form writes it: electorate.areas (the codes'
# arithmetic, a layer above) gives these two names to every app.
CODE_DIGITS = (2, 2, 2, 4)


def code_normalize(value: Any, depths: tuple[int, ...] = (1, 2, 3, 4)) -> str:
    """'3171011001', 3171011001.0, '31.71.01.1001' -> '31.71.01.1001': a dotted code of one of
    `depths` from its digits or its dotted form ('' if it is not that shape)."""
    text = _digits(value).replace(" ", "")
    if text.isdigit():
        for depth in depths:
            if len(text) == sum(CODE_DIGITS[:depth]):
                cuts, start = [], 0
                for width in CODE_DIGITS[:depth]:
                    cuts.append(text[start : start + width])
                    start += width
                return ".".join(cuts)
        return ""
    parts = text.split(".")
    if len(parts) in depths and all(p.isdigit() for p in parts):
        return text
    return ""


def kelurahan_code_normalize(value: Any) -> str:
    """'3171011001', 3171011001.0 or '31.71.01.1001' -> '31.71.01.1001' ('' if not that shape)."""
    return code_normalize(value, depths=(4,))


def parse_kelurahan(value: Any, known: set[str] | frozenset[str]) -> str:
    """A kelurahan/desa code that exists in the region tree (`known`: the level-4 codes)."""
    code = kelurahan_code_normalize(value)
    if code and code in known:
        return code
    raise FieldError(
        _(
            "Kode wilayah '%(value)s' bukan kode kelurahan/desa yang dikenal. Isi kode kelurahan "
            "Kemendagri 10 angka (misalnya 3171011001) atau bertitik (31.71.01.1001)."
        )
        % {"value": shown(value, 30)}
    )


def parse_rt(value: Any, column: str = "RT") -> str:
    """Up to 3 digits, zero padded: 1 -> '001'. Blank stays blank."""
    text = _digits(value).upper()
    if text.startswith(column):
        text = text[len(column) :].strip(" .:")
    if not text:
        return ""
    if text.isdigit() and text.isascii() and len(text) <= 3:
        return text.zfill(3)
    raise FieldError(
        _(
            "%(column)s '%(value)s' tidak valid. Isi angka %(column)s, paling banyak 3 digit "
            "(misalnya 001)."
        )
        % {"column": column, "value": shown(value, 20)}
    )


def parse_text(value: Any, *, max_length: int, column: str) -> str:
    """Whitespace collapsed, otherwise kept as written."""
    text = " ".join(value.split()) if type(value) is str else " ".join(_digits(value).split())
    if len(text) > max_length:
        raise FieldError(
            _("%(column)s terlalu panjang (%(n)s karakter, paling banyak %(max)s). Singkat isinya.")
            % {"column": column, "n": len(text), "max": max_length}
        )
    return text


def parse_name(value: Any, *, max_length: int = 200) -> str:
    name = parse_text(value, max_length=max_length, column="NAMA")
    if not name:
        raise FieldError(_("Nama kosong. Isi nama lengkap sesuai KTP-el."))
    return name


def cached(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Memoise a parser over one import: dates, sexes, codes repeat endlessly in a roll, and a
    dict hit is far cheaper than parsing again. Errors are cached too (as FieldError)."""
    memo: dict[Any, Any] = {}

    def parse(value: Any) -> Any:
        try:
            result = memo[value]
        except KeyError:
            try:
                result = parser(value)
            except FieldError as exc:
                result = exc
            except TypeError:  # unhashable: never in CSV, never from calamine
                return parser(value)
            if len(memo) < 200_000:
                memo[value] = result
        if type(result) is FieldError:
            raise result
        return result

    return parse


def person_parsers(*, known: frozenset[str], today: dt.date) -> dict[str, Callable[[Any], Any]]:
    """The parsers of the columns a voter roll and a support list share, by column, memoised
    for one import (`cached`): each importer takes them into locals for its unrolled loop and
    passes them, in its column order, to `row_errors` for a failed row."""
    return {
        "NIK": parse_nik,
        "NAMA": parse_name,
        "TEMPAT_LAHIR": cached(partial(parse_text, max_length=100, column="TEMPAT_LAHIR")),
        "TANGGAL_LAHIR": cached(lambda v: parse_birth_date(v, today=today).isoformat()),
        "JENIS_KELAMIN": cached(parse_sex),
        "STATUS_PERKAWINAN": cached(parse_marital),
        "ALAMAT": partial(parse_text, max_length=300, column="ALAMAT"),
        "RT": cached(parse_rt),
        "RW": cached(partial(parse_rt, column="RW")),
        "KODE_WILAYAH": cached(partial(parse_kelurahan, known=known)),
    }
