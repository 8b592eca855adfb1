from __future__ import annotations

import datetime as dt

from keys.nik import (
    NikCheck,
    nik_checks,
    nik_decode,
    nik_decrypt,
    nik_encrypt,
    nik_group,
    nik_hash,
    nik_mask,
    nik_prefixes_known,
)

KNOWN = nik_prefixes_known()


def test_a_womans_nik_has_forty_added_to_the_day():
    info = nik_decode("3171014505900001")
    assert (info.region, info.birth_date, info.sex) == ("317101", dt.date(1990, 5, 5), "P")
    assert nik_decode("3171010505900001").sex == "L"


def test_impossible_encoded_dates_decode_to_none():
    assert nik_decode("3171013213900001").birth_date is None  # day 32, month 13
    assert nik_decode("3171017202900001").birth_date is None  # a woman born 32 February


def test_prefixes_of_all_provinces_are_known_and_the_region_tree_adds_newer_ones():
    assert {"317101", "110101", "920301"} <= KNOWN
    assert "317199" not in KNOWN and "999999" not in KNOWN
    assert "317199" in nik_prefixes_known(extra=["31.71.99"])


def test_checks_compare_what_the_nik_encodes_with_the_row():
    nik = "3171014505900001"
    same = dict(birth_date=dt.date(1990, 5, 5), sex="P", prefixes=KNOWN)
    assert nik_checks(nik, **same) == 0
    assert nik_checks(nik, **{**same, "sex": "L"}) == NikCheck.SEX_DIFFERS
    assert nik_checks(nik, **{**same, "birth_date": dt.date(1990, 5, 6)}) == (
        NikCheck.BIRTH_DATE_DIFFERS
    )
    # A NIK cannot tell 1890 from 1990: the century is not compared.
    assert nik_checks(nik, **{**same, "birth_date": dt.date(1890, 5, 5)}) == 0
    assert nik_checks("9999994505900001", **same) == NikCheck.PREFIX_UNKNOWN
    assert nik_checks("3171017213900001", **same) & NikCheck.DATE_IMPOSSIBLE


def test_nik_is_kept_as_keyed_hash_ciphertext_and_mask_only(db):
    nik = "3171014505900001"
    assert len(nik_hash(nik)) == 32 and nik_hash(nik) == nik_hash(nik)
    cipher = nik_encrypt(nik, context="supporter:1:2")
    assert nik.encode() not in cipher
    assert cipher != nik_encrypt(nik, context="supporter:1:2")  # fresh nonce
    assert nik_decrypt(cipher, context="supporter:1:2") == nik
    assert nik_mask(nik) == "3171************"


def test_group_hash_is_shared_by_niks_that_differ_only_in_serial(db):
    assert nik_group("3171014505900001") == nik_group("3171014505900002")
    assert nik_group("3171014505900001") != nik_group("3171014505910001")
