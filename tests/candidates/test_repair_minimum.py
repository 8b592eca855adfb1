"""A repair round holds at least the repair the pair owes (PKPU 8/2024 Art. 77(2); twice the
shortfall under the 2015-2020 rules) and reaches the spread it lacks: checked at each upload of
the round and for the round as a whole, told to the team with the upload's result, flagged
(2024) or refused (2015-2020) as the rule set says.

The election: regent of Kepulauan Seribu, DPT 100 -> threshold 10, spread over both
kecamatan (Utara 31.01.01, Selatan 31.01.02). The initial list: 7 voters of Pulau Panggang
(Utara), all MS -> short by 3, Selatan missing (spread short by 1): the repair owed is 3
(2024) or 6 (2015).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from candidates.check_text import check_message
from candidates.models import SubmissionCheck, SubmissionWindow
from candidates.standing import standing_read
from candidates.submission import REPAIR_SHORT, check_latest, upload_check
from tests.factories import (
    ElectionFactory,
    PairFactory,
    VoterFactory,
    VoterRollFactory,
    csv_bytes,
    good_row,
)
from verification.engine import run_create, verification_run
from verification.services import verification_start

pytestmark = pytest.mark.django_db

PANGGANG, TIDUNG = "3101011001", "3101021002"
UTARA, SELATAN = "31.01.01", "31.01.02"
Status = SubmissionCheck.Status


@pytest.fixture
def seribu(jakarta):
    return ElectionFactory(
        slug="pilbup-seribu",
        region_code="31.01",
        level="regent",
        dpt_count=100,
        roll=VoterRollFactory(region_code="31.01"),
    )


def _people(roll, kelurahan: str, n: int) -> list[dict]:
    """n rows of voters on the roll (each MS at the verification)."""
    rows = [good_row(KODE_WILAYAH=kelurahan) for _ in range(n)]
    code = f"{kelurahan[:2]}.{kelurahan[2:4]}.{kelurahan[4:6]}.{kelurahan[6:]}"
    for row in rows:
        VoterFactory(
            roll=roll,
            nik=row["NIK"],
            name=row["NAMA"],
            birth_date=dt.date(1990, 1, 12),
            sex="L",
            marital_status="S",
            kelurahan_code=code,
        )
    return rows


@pytest.fixture
def short(seribu, intake):
    """A pair verified on its initial list: 7 MS in Utara; the standing says what it owes."""
    pair = PairFactory(election=seribu, name="A - B")
    intake(csv_bytes(_people(seribu.roll, PANGGANG, 7)), target=pair, name="awal.csv")
    verification_run(run_id=run_create(pair=pair, round=0).pk)
    standing = standing_read(pair=pair)
    assert (standing["shortfall"], standing["repair_required"]) == (3, 3)
    assert standing["spread"]["missing"] == [SELATAN]
    return pair


def test_the_rule_sets_say_flag_or_refuse():
    assert REPAIR_SHORT == {"2024": "flag", "2015": "refuse"}


def test_a_short_repair_upload_is_told_at_once_and_flagged_under_2024(short, intake):
    upload, _ = intake(
        csv_bytes(_people(short.election.roll, PANGGANG, 2)), target=short, round=1,
        name="perbaikan-1.csv",
    )  # fmt: skip
    check = upload_check(upload)
    assert check.status == Status.DICATAT
    f = check.figures
    assert (f["owed"]["repair_required"], f["counted"], f["shortfall"]) == (3, 2, 1)
    assert (f["covered"], f["spread_left"]) == ([], 1)
    assert (f["upload"]["counted"], f["upload"]["covered"]) == (2, [])
    message = check_message(check)
    assert "kewajiban perbaikan paling sedikit 3" in message
    assert "Kurang 1 dukungan" in message and "Kurang sebaran di 1 kecamatan" in message
    assert "verifikasi administrasi tetap dilanjutkan" in message
    run = verification_start(pair=short, round=1)  # flagged, not refused
    assert run.round == 1


def test_each_upload_has_its_part_and_the_round_its_whole(short, intake):
    roll = short.election.roll
    first, _ = intake(csv_bytes(_people(roll, PANGGANG, 2)), target=short, round=1, name="a.csv")
    second, _ = intake(csv_bytes(_people(roll, TIDUNG, 1)), target=short, round=1, name="b.csv")
    check = upload_check(second)
    # The round: 2 + 1 = 3 = the repair owed, and Selatan reached: met.
    assert (check.status, check.figures["counted"], check.figures["covered"]) == (
        Status.MEMENUHI,
        3,
        [SELATAN],
    )
    assert (check.figures["upload"]["counted"], check.figures["upload"]["covered"]) == (
        1,
        [SELATAN],
    )
    assert upload_check(first).status == Status.DICATAT  # what the first upload was told
    assert check_latest(pair=short, round=1) == check


def test_under_the_2015_rules_a_short_round_is_refused_until_it_holds_twice(short, intake):
    short.election.rule_set = "2015"
    short.election.save()
    from fieldwork.standing import standing_refresh

    standing_refresh(pair=short)  # the standing under the 2015 rules: twice the shortfall
    today = dt.date.today()
    SubmissionWindow.objects.create(
        election=short.election, round=1, opens=today - dt.timedelta(days=2),
        closes=today + dt.timedelta(days=2),
    )  # fmt: skip
    roll = short.election.roll
    upload, _ = intake(csv_bytes(_people(roll, TIDUNG, 4)), target=short, round=1, name="a.csv")
    check = upload_check(upload)
    assert (check.status, check.figures["owed"]["repair_required"], check.figures["counted"]) == (
        Status.DIKEMBALIKAN,
        6,
        4,
    )
    assert "Ditolak untuk diverifikasi" in check_message(check)
    with pytest.raises(ValidationError, match="Kurang 2 dukungan"):
        verification_start(pair=short, round=1)
    intake(csv_bytes(_people(roll, PANGGANG, 2)), target=short, round=1, name="b.csv")
    assert verification_start(pair=short, round=1).round == 1


def test_under_the_2015_rules_still_short_when_the_window_closed_the_pair_is_out(short, intake):
    short.election.rule_set = "2015"
    short.election.save()
    from fieldwork.standing import standing_refresh

    standing_refresh(pair=short)
    SubmissionWindow.objects.create(
        election=short.election, round=1, opens=dt.date(2024, 6, 1), closes=dt.date(2024, 6, 5)
    )
    intake(csv_bytes(_people(short.election.roll, TIDUNG, 4)), target=short, round=1)
    with pytest.raises(ValidationError, match="tidak dapat melanjutkan"):
        verification_start(pair=short, round=1)  # checked today: the window has closed
    short.refresh_from_db()
    assert short.decided_at is not None
    assert check_latest(pair=short, round=1).status == Status.TIDAK_LANJUT


def test_the_requirement_is_kept_once_the_round_is_counted_in_the_standing(short, intake):
    intake(csv_bytes(_people(short.election.roll, PANGGANG, 2)), target=short, round=1)
    verification_run(run_id=run_create(pair=short, round=1).pk)  # now counted: 9 MS
    assert standing_read(pair=short)["stage"]["round"] == 1
    from candidates.submission import submission_check_run

    check = submission_check_run(pair=short, round=1)
    assert check.figures["owed"]["repair_required"] == 3  # what the round owed, not what's left
    assert check.status == Status.DICATAT


def test_the_command_and_the_api_tell_the_upload_result_with_its_check(short, tmp_path, client):
    from django.urls import reverse

    from electorate.models import Role
    from tests.factories import StaffAssignmentFactory, UserFactory

    path = tmp_path / "perbaikan.csv"
    path.write_bytes(csv_bytes(_people(short.election.roll, TIDUNG, 3)))
    out = io.StringIO()
    call_command(
        "import_support", "--pair", str(short.pk), "--round", "1", str(path), "--json",
        stdout=out,
    )  # fmt: skip
    printed = json.loads(out.getvalue())
    assert printed["repair_check"]["status"] == "memenuhi"
    assert (printed["repair_check"]["counted"], printed["repair_check"]["covered"]) == (
        3,
        [SELATAN],
    )
    kpu = UserFactory(username="kpu_seribu")
    StaffAssignmentFactory(user=kpu, role=Role.KPU_KABKOTA, region_code="31.01")
    client.force_login(kpu)
    api = client.get(reverse("api-upload-detail", args=[printed["upload_id"]])).json()
    assert api["repair_check"] == printed["repair_check"]
    page = client.get(reverse("upload-detail", args=[printed["upload_id"]])).content.decode()
    assert "Kewajiban perbaikan" in page and "Memenuhi kewajiban perbaikan." in page
