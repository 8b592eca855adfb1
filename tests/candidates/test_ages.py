"""Ages without clear birth dates (issue 19 item 1): a supporter row keeps whether its person is
under 17 and unmarried on the election's voting day, set at intake (the date itself only as a
keyed hash and a ciphertext). The voting day moved: tests/verification/engine/test_ages.py."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates.models import Supporter
from tests.factories import csv_bytes, good_row

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("birth", "marital", "minor"),
    [
        (dt.date(2007, 11, 27), "BELUM KAWIN", False),  # 17 that very day
        (dt.date(2007, 11, 28), "BELUM KAWIN", True),  # a day short
        (dt.date(2008, 6, 1), "KAWIN", False),  # married at 16: of age
    ],
)
def test_intake_keeps_whether_a_supporter_is_under_17_and_unmarried_on_voting_day(
    intake, birth, marital, minor
):
    row = good_row(birth=birth, STATUS_PERKAWINAN=marital)
    upload, _ = intake(csv_bytes([row]))
    assert upload.accepted == 1
    assert Supporter.objects.get(upload=upload).minor is minor
