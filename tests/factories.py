"""The one way tests build data: factory_boy factories, the one NIK helper (`make_nik`) and the
upload files (`good_row`, `csv_bytes`, `roll_csv`, `xlsx_bytes`).

Objects that sit on a region expect it to exist: use the `jakarta` fixture (the whole DKI tree)
or the `world` fixture (the few regions it needs), both in tests/conftest.py. A region is given
as an object (`region=`) or by its code (`region_code=`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools

import factory
import openpyxl
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from candidates.models import Election, Pair, Round, Supporter, SupportUpload, TeamMembership
from electorate.models import Region, Role, RollImport, StaffAssignment, Voter, VoterRoll
from keys.nik import (
    birth_decrypt,
    birth_hash,
    birth_minor,
    nik_columns,
    supporter_birth_context,
    supporter_context,
)
from keys.nik import nik_hash as keyed_hash

KELURAHAN = "31.71.01.1001"  # Gambir, Gambir, Jakarta Pusat
_serials = itertools.count(1)


def make_nik(
    *,
    birth: dt.date = dt.date(1990, 1, 12),
    sex: str = "L",
    region: str = "317101",
    serial: int | None = None,
) -> str:
    """A well-formed 16-digit NIK: region (6) + DDMMYY (women: day + 40) + serial (4). Without a
    serial, the next of a counter shared by the whole run (modulo 10,000): the NIKs one test
    makes differ."""
    day = birth.day + (40 if sex == "P" else 0)
    serial = next(_serials) % 10000 if serial is None else serial
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


class RegionFactory(factory.django.DjangoModelFactory):
    """A region by its dotted Kemendagri code; level and parent follow from the code. Creating
    one that exists returns it (the `jakarta` tree may be loaded already)."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "31"
    name = factory.LazyAttribute(lambda o: f"Wilayah {o.code}")
    level = factory.LazyAttribute(lambda o: o.code.count(".") + 1)
    parent_id = factory.LazyAttribute(lambda o: o.code.rsplit(".", 1)[0] if "." in o.code else None)


def _region_by_code():
    return factory.LazyAttribute(lambda o: Region.objects.get(pk=o.region_code))


def _sha256():
    return factory.Sequence(lambda n: hashlib.sha256(f"upload-{n}".encode()).hexdigest())


class UserFactory(factory.django.DjangoModelFactory):
    """Without a usable password: tests log in with force_login, and hashing a password per user
    (PBKDF2) would slow every test that builds the world. A test of the login form sets one."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(lambda: make_password(None))


class StaffAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAssignment

    class Params:
        region_code = "31"

    user = factory.SubFactory(UserFactory)
    role = Role.KPU_PROVINSI
    region = _region_by_code()


class VoterRollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoterRoll

    class Params:
        region_code = "31"

    name = factory.Sequence(lambda n: f"DPT {n}")
    region = _region_by_code()
    kind = VoterRoll.Kind.DPT
    voting_day = dt.date(2024, 11, 27)  # the voters' ages are judged on it (Voter.minor)


class RollImportFactory(factory.django.DjangoModelFactory):
    """An import already done: its file is named, never read again."""

    class Meta:
        model = RollImport

    roll = factory.SubFactory(VoterRollFactory)
    original_name = "dpt.csv"
    file = factory.LazyAttribute(lambda o: f"uploads/{o.original_name}")
    sha256 = _sha256()
    status = RollImport.Status.DONE


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Election

    class Params:
        region_code = "31"

    slug = factory.Sequence(lambda n: f"pilgub-dki-{n}")
    name = factory.Sequence(lambda n: f"Pemilihan Gubernur DKI Jakarta {n}")
    region = _region_by_code()
    level = "governor"  # candidates.kinds.GOVERNOR
    dpt_count = 8_252_897
    voting_day = dt.date(2024, 11, 27)
    roll = factory.SubFactory(
        VoterRollFactory,
        region=factory.SelfAttribute("..region"),
        voting_day=factory.SelfAttribute("..voting_day"),
    )
    # Tiny lists against the real threshold: the count-and-spread check (on for every election
    # created the normal way) would hold them back; its own tests turn it on.
    submission_check = False


class PairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pair

    election = factory.SubFactory(ElectionFactory)
    name = factory.Sequence(lambda n: f"Pasangan {n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    user = factory.SubFactory(UserFactory)
    pair = factory.SubFactory(PairFactory)


def birth_of(supporter: Supporter) -> dt.date:
    """A supporter's birth date, read back from its ciphertext (no clear date is stored)."""
    return birth_decrypt(
        bytes(supporter.birth_cipher),
        context=supporter_birth_context(supporter.upload_id, supporter.row_number),
    )


class SupportUploadFactory(factory.django.DjangoModelFactory):
    """An upload already loaded: its file is named, never read again. A test that needs a real
    file goes through the intake (tests/candidates/conftest.py: `intake`)."""

    class Meta:
        model = SupportUpload

    pair = factory.SubFactory(PairFactory)
    round = Round.INITIAL
    original_name = "dukungan.csv"
    file = factory.LazyAttribute(lambda o: f"uploads/{o.original_name}")
    sha256 = _sha256()
    status = SupportUpload.Status.DONE


class _PersonFields(factory.django.DjangoModelFactory):
    """A person's fields. The plaintext `nik` and `birth_date` are parameters, never stored as
    such; by default the NIK encodes `birth` and `sex`, as a real one does."""

    class Meta:
        abstract = True

    class Params:
        birth = dt.date(1990, 1, 12)
        nik = factory.LazyAttribute(lambda o: make_nik(birth=o.birth, sex=o.sex))
        birth_date = factory.SelfAttribute("birth")

    name = factory.Sequence(lambda n: f"Pendukung {n}")
    birth_place = "Jakarta"
    sex = "L"
    marital_status = "S"
    address = "Jl. Merdeka No. 1"
    rt = "001"
    rw = "002"


class VoterFactory(_PersonFields):
    class Meta:
        model = Voter

    roll = factory.SubFactory(VoterRollFactory)
    nik_hash = factory.LazyAttribute(lambda o: keyed_hash(o.nik))
    # As the roll import keeps the birth date (electorate.roll_import.voter_rows).
    birth_hash = factory.LazyAttribute(
        lambda o: None if o.birth_date is None else birth_hash(o.nik, o.birth_date)
    )
    minor = factory.LazyAttribute(
        lambda o: birth_minor(o.birth_date, voting_day=o.roll.voting_day, marital=o.marital_status)
    )
    kelurahan_code = KELURAHAN


class SupporterFactory(_PersonFields):
    """A supporter row as the intake leaves it: the NIK as keyed hash, ciphertext, mask, group
    hash, shifted serial and check bits, the birth date as keyed hash, ciphertext and age flag
    on the election's voting day (keys.nik.nik_columns), nothing else of them."""

    class Meta:
        model = Supporter

    class Params:
        nik_stored = factory.LazyAttribute(
            lambda o: nik_columns(
                o.nik,
                birth_date=o.birth_date,
                sex=o.sex,
                context=supporter_context(o.upload.pk, o.row_number),
                birth_context=supporter_birth_context(o.upload.pk, o.row_number),
                voting_day=o.upload.pair.election.voting_day,
                marital=o.marital_status,
            )
        )

    upload = factory.SubFactory(SupportUploadFactory)
    pair = factory.SelfAttribute("upload.pair")
    round = factory.SelfAttribute("upload.round")
    row_number = factory.Sequence(lambda n: n + 2)
    kelurahan_id = KELURAHAN
    occupation = "Karyawan Swasta"
    sheet_page = "1"
    nik_hash = factory.LazyAttribute(lambda o: o.nik_stored["nik_hash"])
    nik_cipher = factory.LazyAttribute(lambda o: o.nik_stored["nik_cipher"])
    nik_masked = factory.LazyAttribute(lambda o: o.nik_stored["nik_masked"])
    nik_group = factory.LazyAttribute(lambda o: o.nik_stored["nik_group"])
    nik_serial = factory.LazyAttribute(lambda o: o.nik_stored["nik_serial"])
    nik_checks = factory.LazyAttribute(lambda o: o.nik_stored["nik_checks"])
    birth_hash = factory.LazyAttribute(lambda o: o.nik_stored["birth_hash"])
    birth_cipher = factory.LazyAttribute(lambda o: o.nik_stored["birth_cipher"])
    minor = factory.LazyAttribute(lambda o: o.nik_stored["minor"])


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
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def roll_csv(rows: list[dict], **kwargs) -> bytes:
    """A voter-roll file: the roll's columns only."""
    return csv_bytes(rows, header=ROLL_HEADER, **kwargs)


def xlsx_bytes(rows: list[dict], *, header: list[str] = SUPPORT_HEADER) -> bytes:
    """A real XLSX written by openpyxl; cell types are kept (a number stays a number)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h, "") for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def accepted_recount(upload) -> None:
    """An upload's `accepted` is what it loaded, as the intake records it: the supporter list's
    pages count the whole list by it (candidates.selectors.supporters_loaded)."""
    from candidates.models import Supporter, SupportUpload

    n = Supporter.objects.filter(upload_id=upload.pk).count()
    SupportUpload.objects.filter(pk=upload.pk).update(accepted=n)
