"""No NIK can be rebuilt from what is stored or shown in the clear (ENGINEERING.md: at least
10,000 candidate NIKs for every row), tried as an attacker with a copy of the database and no
key would: for each row, count the 16-digit NIKs consistent with its clear columns."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from candidates.intake import support_upload_create, support_upload_run
from candidates.models import Supporter
from electorate.models import Voter
from electorate.nik import NikCheck, nik_decrypt, nik_prefixes_known, supporter_context
from electorate.roll_import import roll_import_create, roll_import_run
from seeds.population import roll_generate
from seeds.support import support_generate
from tests.factories import PairFactory

VOTING_DAY = dt.date(2024, 11, 27)
MIN_CANDIDATES = 10_000
SERIALS = 9_999  # 0001-9999


def _date_digits(birth: dt.date, sex: str) -> str:
    return f"{birth.day + (40 if sex == 'P' else 0):02d}{birth.month:02d}{birth.year % 100:02d}"


def candidates(*, shown: str, birth: dt.date, sex: str, checks: int, prefixes: frozenset[str]):
    """How many NIKs agree with a row's clear columns: the digits the mask shows, the date
    digits its birth date and sex give (unless its check bits say they differ), a prefix known
    or unknown as its check bits say, any serial the mask hides. Yields the count and a
    predicate, so that a test can also check the true NIK is among them."""
    known_digits = {i: ch for i, ch in enumerate(shown) if ch.isdigit()}
    date_known = not checks & (NikCheck.BIRTH_DATE_DIFFERS | NikCheck.DATE_IMPOSSIBLE)
    prefix_known = not checks & NikCheck.PREFIX_UNKNOWN
    if checks & NikCheck.SEX_DIFFERS:  # the day's +40 says the other sex
        sex = "L" if sex == "P" else "P"

    def fits(nik: str) -> bool:
        if any(nik[i] != ch for i, ch in known_digits.items()):
            return False
        if date_known and nik[6:12] != _date_digits(birth, sex):
            return False
        return (nik[:6] in prefixes) == prefix_known

    region_digits = {i: ch for i, ch in known_digits.items() if i < 6}
    all_regions = [f"{n:06d}" for n in range(1_000_000)] if not prefix_known else sorted(prefixes)
    regions = [
        p
        for p in all_regions
        if all(p[i] == ch for i, ch in region_digits.items()) and (p in prefixes) == prefix_known
    ]
    serial_shown = [i for i in known_digits if i >= 12]
    serials = 10 ** (4 - len(serial_shown)) if serial_shown else SERIALS
    dates = 1 if date_known else 31 * 12 * 100 * 2
    return len(regions) * serials * dates, fits


@pytest.fixture
def stored(jakarta, tmp_path):
    """A generated roll and a support list of DKI, through the real importers."""
    from electorate.regions import regions_load

    regions_load(province="36")  # Kota Tangerang: where the out-of-region rows live
    roll_path = tmp_path / "dpt.csv"
    spec = roll_generate(
        path=roll_path,
        per_kabkota={"31.01": 300, "31.71": 1500, "31.75": 1200},
        voting_day=VOTING_DAY,
        seed=11,
    )
    pair = PairFactory()
    with roll_path.open("rb") as fh:
        job, _ = roll_import_create(roll=pair.election.roll, file=fh, original_name="dpt.csv")
    roll_import_run(import_id=job.pk)
    support_path = tmp_path / "dukungan.csv"
    support_generate(
        path=support_path, roll=spec, per_kabkota={"31.01": 40, "31.71": 260, "31.75": 120},
        defects={"NIK_INVALID": 8, "NOT_IN_ROLL": 30, "DATA_MISMATCH": 60, "UNDERAGE": 5,
                 "DUPLICATE_INTERNAL": 10, "OUTSIDE_REGION": 5, "DUPLICATE_EXTERNAL": 0,
                 "RESTRICTED_OCCUPATION": 12},
        election_region="31", voting_day=VOTING_DAY, seed=5,
    )  # fmt: skip
    upload, _ = support_upload_create(
        pair=pair, file=io.BytesIO(support_path.read_bytes()), original_name="dukungan.csv"
    )
    support_upload_run(upload_id=upload.pk)
    return pair


def test_every_supporter_row_leaves_at_least_ten_thousand_candidate_niks(stored):
    prefixes = nik_prefixes_known()
    rows = list(Supporter.objects.filter(pair=stored))
    assert len(rows) > 400
    fewest = None
    for row in rows:
        count, fits = candidates(
            shown=row.nik_masked,
            birth=row.birth_date,
            sex=row.sex,
            checks=row.nik_checks,
            prefixes=prefixes,
        )
        assert fits(
            nik_decrypt(row.nik_cipher, context=supporter_context(row.upload_id, row.row_number))
        )  # the enumeration holds the truth
        fewest = count if fewest is None else min(fewest, count)
    assert fewest >= MIN_CANDIDATES, fewest


def test_the_old_mask_with_the_serial_would_fail_this_check(stored):
    """The same count on the mask kept before (3171********0001): a handful of candidates,
    so the check above can fail and is not true by construction."""
    prefixes = nik_prefixes_known()
    row = Supporter.objects.filter(pair=stored, nik_checks=0).first()
    nik = nik_decrypt(row.nik_cipher, context=supporter_context(row.upload_id, row.row_number))
    count, fits = candidates(
        shown=nik[:4] + "*" * 8 + nik[12:],
        birth=row.birth_date,
        sex=row.sex,
        checks=0,
        prefixes=prefixes,
    )
    assert fits(nik) and count < 100


def test_the_shifted_serial_does_not_give_the_serial_away(stored):
    rows = [
        (
            nik_decrypt(r.nik_cipher, context=supporter_context(r.upload_id, r.row_number)),
            r.nik_serial,
        )
        for r in Supporter.objects.all()
    ]
    same = sum(1 for nik, shifted in rows if int(nik[12:]) == shifted)
    assert same <= len(rows) // 100  # about 1 in 10,000 by chance


def test_every_voter_row_leaves_at_least_ten_thousand_candidate_niks(stored):
    """A voter row keeps no NIK digit at all: any known kecamatan and any serial."""
    prefixes = nik_prefixes_known()
    voter = Voter.objects.first()
    count, _fits = candidates(
        shown="*" * 16, birth=voter.birth_date, sex=voter.sex, checks=0, prefixes=prefixes
    )
    assert count >= MIN_CANDIDATES
    stored_fields = {f.name for f in Voter._meta.concrete_fields}
    assert not stored_fields & {"nik", "nik_masked", "nik_cipher", "nik_serial"}
