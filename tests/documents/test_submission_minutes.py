"""The minutes of the count-and-spread check say what `submission_check --json` says, and a
repair round's administrative minutes state the repair it owed and what it held (read back
from the PDF with pdftotext).

The election: regent of Kepulauan Seribu, threshold 10, spread over both kecamatan.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from candidates.models import SubmissionCheck
from candidates.submission import submission_check_run
from candidates.summary import summary_submit
from tests.documents.conftest import command, line_with, numbers, pdf_text, value
from tests.factories import (
    ElectionFactory,
    PairFactory,
    VoterFactory,
    VoterRollFactory,
    csv_bytes,
    good_row,
)
from verification.engine import run_create, verification_run

pytestmark = pytest.mark.django_db

PANGGANG, TIDUNG = "3101011001", "3101021002"


@pytest.fixture
def pair(jakarta):
    election = ElectionFactory(
        slug="pilbup-seribu", region_code="31.01", level="regent", dpt_count=100,
        roll=VoterRollFactory(region_code="31.01"), submission_check=True,
    )  # fmt: skip
    return PairFactory(election=election, name="A - B")


@pytest.fixture
def intake():
    """Load `data` as an upload of the pair (the intake, in this process)."""
    from candidates.intake import support_upload_create, support_upload_run

    def run(data: bytes, *, target, name: str = "dukungan.csv", round: int = 0):
        upload, _created = support_upload_create(
            pair=target, round=round, file=io.BytesIO(data), original_name=name
        )
        return support_upload_run(upload_id=upload.pk)

    return run


def _people(pair, kelurahan: str, n: int, *, on_roll: bool = True) -> bytes:
    rows = [good_row(KODE_WILAYAH=kelurahan) for _ in range(n)]
    dotted = f"{kelurahan[:2]}.{kelurahan[2:4]}.{kelurahan[4:6]}.{kelurahan[6:]}"
    for row in rows if on_roll else []:
        VoterFactory(roll=pair.election.roll, nik=row["NIK"], name=row["NAMA"],
                     birth_date=dt.date(1990, 1, 12), sex="L", marital_status="S",
                     kelurahan_code=dotted)  # fmt: skip
    return csv_bytes(rows)


def _minutes(pair, stage: str, tmp_path, *extra: str) -> str:
    out = tmp_path / f"{stage}.pdf"
    command(
        "minutes", "--pair", str(pair.pk), "--stage", stage, "--out", str(out),
        "--date", "2024-05-13", "--place", "Kantor KPU Kepulauan Seribu", *extra,
    )  # fmt: skip
    return pdf_text(out)


def test_the_minutes_of_the_check_carry_its_figures_per_kecamatan(pair, intake, tmp_path):
    intake(_people(pair, PANGGANG, 7), target=pair, name="a.csv")
    intake(_people(pair, TIDUNG, 3), target=pair, name="b.csv")
    summary_submit(
        pair=pair,
        file=io.BytesIO(b"KODE_WILAYAH,JUMLAH\r\n31.01.01,7\r\n31.01.02,5\r\n"),
        original_name="b2.csv",
    )
    check = command("submission_check", "--pair", str(pair.pk), "--as-of", "2024-05-10")
    assert check["status"] == "memenuhi"
    text = _minutes(pair, "penelitian", tmp_path)
    assert "PENELITIAN JUMLAH MINIMAL DUKUNGAN DAN PERSEBARAN" in text
    assert "MEMENUHI JUMLAH MINIMAL DUKUNGAN DAN PERSEBARAN: DILANJUTKAN KE" in text  # result
    assert value(text, "Syarat minimal dukungan") == check["threshold"] == 10
    assert value(text, "Dukungan yang dihitung dari daftar") == check["counted"] == 10
    assert value(text, "Kekurangan dukungan") == 0
    assert numbers(line_with(text, "Sebaran wajib"))[-2:] == [2, 2]
    assert value(text, "menurut formulir B.2-KWK") == check["declared_total"] == 12
    # The attachment: per kecamatan, B.2-KWK | list | difference.
    assert numbers(line_with(text, "31.01.01"))[-3:] == [7, 7, 0]
    selatan = next(line for line in text.splitlines() if "31.01.02" in line)
    assert selatan.split()[-3:] == ["5", "3", "-2"]  # declared 5, listed 3
    assert "berbeda dengan daftar dukungan di: Kepulauan Seribu Selatan" in text


def test_minutes_of_a_check_are_refused_before_any_check(pair, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Belum ada penelitian"):
        _minutes(pair, "penelitian", tmp_path)


def test_a_repair_rounds_minutes_state_the_repair_owed_and_held(pair, intake, tmp_path):
    intake(_people(pair, PANGGANG, 7), target=pair, name="awal.csv")
    assert submission_check_run(pair=pair, as_of=dt.date(2024, 5, 10)).status == "dikembalikan"
    pair.election.submission_check = False  # the rest of the story is the repair
    pair.election.save()
    verification_run(run_id=run_create(pair=pair, round=0).pk)  # 7 MS: owes 3 and Selatan
    intake(_people(pair, PANGGANG, 2), target=pair, round=1, name="perbaikan.csv")
    assert SubmissionCheck.objects.filter(pair=pair, round=1).get().status == "dicatat"
    verification_run(run_id=run_create(pair=pair, round=1).pk)
    text = _minutes(pair, "vermin", tmp_path, "--round", "1")
    assert "Kewajiban jumlah dukungan perbaikan" in text
    # Owed when the round was submitted (3), beside what the standing asks after it (1 more).
    assert value(text, "wajib diserahkan pada perbaikan ini") == 3
    assert value(text, "Dukungan yang diserahkan pada perbaikan ini") == 2
    assert value(text, "Dukungan perbaikan yang wajib diserahkan") == 1
    assert value(text, "Kekurangan dari kewajiban perbaikan") == 1
    assert value(text, "Sebaran yang wajib dipenuhi perbaikan") == 1
    assert value(text, "Sebaran yang dipenuhi perbaikan") == 0
    assert "verifikasi berlanjut" in text
