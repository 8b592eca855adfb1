"""Shared factory_boy factories. Objects that sit on a region expect DKI Jakarta's tree to be
loaded: use the `jakarta` fixture (tests/conftest.py) in any test that builds them."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from candidates.models import Election, Pair, Round, Supporter, SupportUpload
from electorate.models import Region, Voter, VoterRoll
from electorate.nik import (
    nik_checks,
    nik_encrypt,
    nik_group,
    nik_hash,
    nik_mask,
    nik_prefixes_known,
)

KELURAHAN = "31.71.01.1001"  # Gambir, Gambir, Jakarta Pusat
_serials = itertools.count(1)


def make_nik(
    *,
    birth: dt.date = dt.date(1990, 1, 12),
    sex: str = "L",
    region: str = "317101",
    serial: int | None = None,
) -> str:
    """A well-formed 16-digit NIK: region (6) + DDMMYY (women: day + 40) + serial (4)."""
    day = birth.day + (40 if sex == "P" else 0)
    serial = next(_serials) % 10000 if serial is None else serial
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def _region(code: str):
    return factory.LazyFunction(lambda: Region.objects.get(code=code))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "rahasia-123")


class VoterRollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoterRoll

    name = factory.Sequence(lambda n: f"DPT {n}")
    region = _region("31")
    kind = VoterRoll.Kind.DPT


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Election

    slug = factory.Sequence(lambda n: f"pilgub-dki-{n}")
    name = factory.Sequence(lambda n: f"Pemilihan Gubernur DKI Jakarta {n}")
    region = _region("31")
    level = Election.Level.GOVERNOR
    dpt_count = 8_252_897
    voting_day = dt.date(2024, 11, 27)
    roll = factory.SubFactory(VoterRollFactory)


class PairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pair

    election = factory.SubFactory(ElectionFactory)
    name = factory.Sequence(lambda n: f"Pasangan {n}")


class SupportUploadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportUpload

    pair = factory.SubFactory(PairFactory)
    round = Round.INITIAL
    original_name = "dukungan.csv"
    file = factory.LazyAttributeSequence(
        lambda o, n: ContentFile(f"NIK\n{n}\n".encode(), name=o.original_name)
    )
    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"upload-{n}".encode()).hexdigest())
    status = SupportUpload.Status.DONE


class _NikFields(factory.django.DjangoModelFactory):
    """Fields derived from a plaintext `nik` parameter (never stored as such)."""

    class Meta:
        abstract = True

    class Params:
        birth = dt.date(1990, 1, 12)
        nik = factory.LazyAttribute(lambda o: make_nik(birth=o.birth, sex=o.sex))

    nik_hash = factory.LazyAttribute(lambda o: nik_hash(o.nik))
    name = factory.Sequence(lambda n: f"Pendukung {n}")
    birth_place = "Jakarta"
    birth_date = factory.SelfAttribute("birth")
    sex = "L"
    marital_status = "S"
    address = "Jl. Merdeka No. 1"
    rt = "001"
    rw = "002"


class VoterFactory(_NikFields):
    class Meta:
        model = Voter

    roll = factory.SubFactory(VoterRollFactory)
    kelurahan_code = KELURAHAN


class SupporterFactory(_NikFields):
    class Meta:
        model = Supporter

    upload = factory.SubFactory(SupportUploadFactory)
    pair = factory.SelfAttribute("upload.pair")
    round = factory.SelfAttribute("upload.round")
    row_number = factory.Sequence(lambda n: n + 2)
    nik_cipher = factory.LazyAttribute(lambda o: nik_encrypt(o.nik))
    nik_masked = factory.LazyAttribute(lambda o: nik_mask(o.nik))
    nik_group = factory.LazyAttribute(lambda o: nik_group(o.nik))
    nik_checks = factory.LazyAttribute(
        lambda o: nik_checks(
            o.nik, birth_date=o.birth_date, sex=o.sex, prefixes=nik_prefixes_known()
        )
    )
    kelurahan = _region(KELURAHAN)
    occupation = "Karyawan Swasta"
    sheet_page = "1"


# --- upload files --------------------------------------------------------------------------

ROLL_HEADER = [
    "NIK",
    "NAMA",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
    "STATUS_PERKAWINAN",
    "ALAMAT",
    "RT",
    "RW",
    "KODE_WILAYAH",
]
SUPPORT_HEADER = [*ROLL_HEADER, "PEKERJAAN", "HALAMAN"]


def good_row(**overrides) -> dict:
    """One valid row (roll or support list) by canonical column name."""
    birth = overrides.pop("birth", dt.date(1990, 1, 12))
    sex = overrides.pop("sex", "L")
    row = {
        "NIK": make_nik(birth=birth, sex=sex),
        "NAMA": "Budi Santoso",
        "TEMPAT_LAHIR": "Jakarta",
        "TANGGAL_LAHIR": birth.strftime("%d-%m-%Y"),
        "JENIS_KELAMIN": sex,
        "STATUS_PERKAWINAN": "KAWIN",
        "ALAMAT": "Jl. Merdeka No. 1",
        "RT": "1",
        "RW": "2",
        "KODE_WILAYAH": "3171011001",
        "PEKERJAAN": "Karyawan Swasta",
        "HALAMAN": "1",
    }
    row.update(overrides)
    return row


def csv_bytes(
    rows: list[dict],
    *,
    header: list[str] = SUPPORT_HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[dict], *, header: list[str] = SUPPORT_HEADER) -> bytes:
    """A real XLSX written by openpyxl; cell types are kept (a number stays a number)."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h, "") for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
