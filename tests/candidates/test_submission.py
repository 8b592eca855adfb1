"""The count-and-spread check of the initial list (penelitian jumlah minimal dukungan dan
persebaran, DOMAIN.md step 2), before any verification.

The election: regent of Kepulauan Seribu, DPT 100 -> 10% -> 10 supports, spread over its 2
kecamatan, more than half -> both. Utara 31.01.01 (Pulau Panggang 1001, Pulau Kelapa 1002),
Selatan 31.01.02 (Pulau Untung Jawa 1001, Pulau Tidung 1002). Window 8-12 May 2024.
Every expected figure is counted by hand from the rows planted.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from candidates.check_text import check_message
from candidates.models import SubmissionCheck, SubmissionWindow, SupportSummary
from candidates.submission import submission_check_run, submission_gate
from candidates.summary import area_code_normalize, parse_count, summary_submit
from files.parsing import FieldError
from tests.factories import (
    ElectionFactory,
    PairFactory,
    SupportUploadFactory,
    VoterRollFactory,
    csv_bytes,
    good_row,
    make_nik,
)

pytestmark = pytest.mark.django_db

PANGGANG, KELAPA = "3101011001", "3101011002"
UNTUNG_JAWA, TIDUNG = "3101021001", "3101021002"
UTARA, SELATAN = "31.01.01", "31.01.02"
OPENS, CLOSES = dt.date(2024, 5, 8), dt.date(2024, 5, 12)
Status = SubmissionCheck.Status


@pytest.fixture
def seribu(jakarta):
    election = ElectionFactory(
        slug="pilbup-seribu",
        region_code="31.01",
        level="regent",
        dpt_count=100,
        roll=VoterRollFactory(region_code="31.01"),
        submission_check=True,
    )
    SubmissionWindow.objects.create(election=election, round=0, opens=OPENS, closes=CLOSES)
    return election


@pytest.fixture
def pair(seribu):
    return PairFactory(election=seribu, name="A - B")


def _rows(kelurahan: str, n: int) -> list[dict]:
    return [good_row(KODE_WILAYAH=kelurahan) for _ in range(n)]


def _b2(rows: list[list]) -> io.BytesIO:
    text = "KODE_WILAYAH,JUMLAH\r\n" + "".join(f"{c},{n}\r\n" for c, n in rows)
    return io.BytesIO(text.encode())


def test_a_short_list_is_returned_with_its_figures_and_the_windows_last_day(pair, intake):
    upload, _ = intake(csv_bytes(_rows(PANGGANG, 4) + _rows(KELAPA, 3)), target=pair)
    assert upload.accepted == 7
    check = submission_check_run(pair=pair, as_of=dt.date(2024, 5, 10))
    assert check.status == Status.DIKEMBALIKAN
    assert check.deadline == CLOSES
    f = check.figures
    assert (f["counted"], f["threshold"], f["shortfall"]) == (7, 10, 3)  # 4 + 3 in Utara
    assert (f["spread"]["achieved"], f["spread"]["required"], f["spread"]["missing"]) == (
        1,
        2,
        [SELATAN],
    )
    message = check_message(check)
    assert "7 dukungan (syarat minimal 10)" in message
    assert "Kurang 3 dukungan" in message
    assert "Kurang sebaran di 1 kecamatan" in message
    assert "paling lambat 12-05-2024" in message
    assert "B.2-KWK belum diserahkan" in message


def test_each_nik_counts_once_rows_outside_the_region_and_refused_rows_do_not_count(pair, intake):
    twice = make_nik()
    rows = [
        *_rows(PANGGANG, 5),
        good_row(NIK=twice, KODE_WILAYAH=UNTUNG_JAWA),
        good_row(NIK=twice, KODE_WILAYAH=TIDUNG),  # the same NIK again: counted at its first
        *_rows("3171011001", 2),  # Gambir, Jakarta Pusat: outside the regency
        good_row(NIK="3.17101E+15"),  # refused at intake
    ]
    upload, _ = intake(csv_bytes(rows), target=pair)
    assert (upload.accepted, upload.rejected) == (9, 1)
    f = submission_check_run(pair=pair, as_of=dt.date(2024, 5, 10)).figures
    # 9 rows; 8 persons (the NIK twice); 2 of them outside; 6 counted: 5 Utara + 1 Selatan
    assert (f["rows"], f["persons"], f["duplicates"], f["outside"], f["counted"]) == (
        9,
        8,
        1,
        2,
        6,
    )
    assert f["rejected"] == 1
    assert {u["code"]: u["listed"] for u in f["units"]} == {UTARA: 5, SELATAN: 1}


def test_the_teams_b2_summary_is_compared_per_kecamatan(pair, intake):
    intake(csv_bytes(_rows(PANGGANG, 6) + _rows(UNTUNG_JAWA, 4)), target=pair)
    # Utara declared per kelurahan (added up: 4 + 3 = 7); Selatan as a kecamatan: 4
    summary = summary_submit(
        pair=pair,
        file=_b2([[PANGGANG, 4], [KELAPA, "3"], ["310102", "4"]]),
        original_name="b2.csv",
    )
    assert (summary.status, summary.declared) == ("done", {UTARA: 7, SELATAN: 4})
    check = submission_check_run(pair=pair, as_of=dt.date(2024, 5, 10))
    assert check.status == Status.MEMENUHI  # 10 counted, both kecamatan
    assert check.summary == summary
    units = {
        u["code"]: (u["declared"], u["listed"], u["difference"]) for u in check.figures["units"]
    }
    assert units == {UTARA: (7, 6, -1), SELATAN: (4, 4, 0)}
    assert check.figures["differences"] == [UTARA]
    assert check.figures["declared_total"] == 11
    assert "berbeda dengan daftar di 1 kecamatan" in check_message(check)


def test_a_b2_row_is_refused_with_its_row_column_and_fix_and_the_good_rows_kept(pair):
    summary = summary_submit(
        pair=pair,
        file=_b2(
            [
                ["31.01.01", "5"],
                ["31.71.01", "3"],
                ["31.01", "9"],
                ["31.01.02", "dua"],
                ["310101", "1"],
            ]
        ),  # fmt: skip
        original_name="b2.csv",
    )
    assert summary.declared == {UTARA: 5}
    assert [(e["row"], e["column"]) for e in summary.errors] == [
        (3, "KODE_WILAYAH"),  # Jakarta Pusat's kecamatan: not in the regency
        (4, "KODE_WILAYAH"),  # the regency itself: above kecamatan
        (5, "JUMLAH"),  # "dua"
        (6, "KODE_WILAYAH"),  # Utara twice
    ]
    assert "rinci jumlahnya per kecamatan" in summary.errors[1]["message"]
    assert "baris 2" in summary.errors[3]["message"]
    assert summary.rejected == 4


def test_a_b2_file_without_its_columns_is_kept_as_failed_with_the_reason(pair):
    summary = summary_submit(pair=pair, file=io.BytesIO(b"A,B\r\n1,2\r\n"), original_name="b2.csv")
    assert summary.status == SupportSummary.Status.FAILED
    assert "KODE_WILAYAH" in summary.failure and "JUMLAH" in summary.failure


@pytest.mark.parametrize(
    ("value", "expected"),
    [("310101", "31.01.01"), ("31.01", "31.01"), (3101, "31.01"), ("3101011001", PANGGANG[:2]
     + "." + PANGGANG[2:4] + "." + PANGGANG[4:6] + "." + PANGGANG[6:]), ("31-01", "")],
)  # fmt: skip
def test_area_codes_are_read_dotted_or_as_digits(value, expected):
    assert area_code_normalize(value) == expected


@pytest.mark.parametrize(("value", "n"), [("1234", 1234), ("1.234", 1234), ("1,234", 1234),
                                          (1234.0, 1234), (0, 0)])  # fmt: skip
def test_counts_are_read_with_indonesian_grouping(value, n):
    assert parse_count(value) == n


@pytest.mark.parametrize("value", ["-3", "1.5", "12.34", "", 2.5])
def test_counts_that_are_no_whole_number_are_refused(value):
    with pytest.raises(FieldError):
        parse_count(value)


def test_completed_within_the_window_the_list_is_admitted_and_the_history_kept(pair, intake):
    intake(csv_bytes(_rows(PANGGANG, 7)), target=pair, name="a.csv")
    first = submission_check_run(pair=pair, as_of=dt.date(2024, 5, 9))
    assert first.status == Status.DIKEMBALIKAN
    assert submission_check_run(pair=pair, as_of=dt.date(2024, 5, 10)) == first  # nothing new
    intake(csv_bytes(_rows(TIDUNG, 3)), target=pair, name="b.csv")
    second = submission_check_run(pair=pair, as_of=dt.date(2024, 5, 11))
    assert (second.status, second.figures["counted"], second.deadline) == (
        Status.MEMENUHI,
        10,
        None,
    )
    assert list(
        SubmissionCheck.objects.filter(pair=pair).order_by("pk").values_list("status", flat=True)
    ) == [
        "dikembalikan",
        "memenuhi",
    ]
    assert "dilanjutkan ke verifikasi administrasi" in check_message(second)


def test_still_short_when_the_window_has_closed_the_pair_does_not_proceed(pair, intake):
    intake(csv_bytes(_rows(PANGGANG, 9)), target=pair)
    assert submission_check_run(pair=pair, as_of=CLOSES).status == Status.DIKEMBALIKAN
    out = submission_check_run(pair=pair, as_of=CLOSES + dt.timedelta(days=1))
    assert out.status == Status.TIDAK_LANJUT
    pair.refresh_from_db()
    assert pair.decided_at is not None and pair.decision_result == "tidak_memenuhi_syarat"
    assert "tidak dapat melanjutkan ke tahap verifikasi" in check_message(out)
    # It stays so: a later check returns it unchanged; the verification is refused.
    assert submission_check_run(pair=pair) == out
    with pytest.raises(ValidationError, match="tidak dapat melanjutkan"):
        submission_gate(pair=pair, round=0, verified=False)


def test_a_check_is_refused_for_a_day_to_come_and_while_a_file_is_still_loading(pair, intake):
    with pytest.raises(ValidationError, match="belum tiba"):
        submission_check_run(pair=pair, as_of=dt.date.today() + dt.timedelta(days=2))
    SupportUploadFactory(pair=pair, status="running")
    with pytest.raises(ValidationError, match="sedang diproses"):
        submission_check_run(pair=pair, as_of=dt.date(2024, 5, 10))


def test_verification_start_is_refused_while_the_list_is_short_and_the_check_recorded(pair, intake):
    from verification.services import verification_start

    today = dt.date.today()  # verification_start checks as of today: the window is open
    SubmissionWindow.objects.filter(election=pair.election).update(
        opens=today - dt.timedelta(days=1), closes=today + dt.timedelta(days=1)
    )
    intake(csv_bytes(_rows(PANGGANG, 10)), target=pair)
    with pytest.raises(ValidationError) as refused:
        verification_start(pair=pair, round=0)
    assert "Kurang sebaran di 1 kecamatan" in " ".join(refused.value.messages)
    assert SubmissionCheck.objects.get(pair=pair).status == Status.DIKEMBALIKAN
    intake(csv_bytes(_rows(TIDUNG, 1)), target=pair, name="b.csv")
    run = verification_start(pair=pair, round=0)  # checked again: met
    assert run.round == 0
    assert list(
        SubmissionCheck.objects.filter(pair=pair).order_by("pk").values_list("status", flat=True)
    ) == [
        "dikembalikan",
        "memenuhi",
    ]


def test_an_election_without_the_check_and_a_verified_round_are_not_held_back(pair, intake):
    intake(csv_bytes(_rows(PANGGANG, 2)), target=pair)
    assert submission_gate(pair=pair, round=0, verified=True) is None  # verified before
    pair.election.submission_check = False
    pair.election.save()
    assert submission_gate(pair=pair, round=0, verified=False) is None
    assert not SubmissionCheck.objects.exists()


# --- the surfaces: page, API, command ---------------------------------------------------------


def _kpu(username: str = "kpu_seribu"):
    from electorate.models import Role
    from tests.factories import StaffAssignmentFactory, UserFactory

    user = UserFactory(username=username)
    StaffAssignmentFactory(user=user, role=Role.KPU_KABKOTA, region_code="31.01")
    return user


def test_the_upload_page_takes_the_b2_and_shows_the_check_the_kpu_makes(client, pair, intake):
    from django.urls import reverse

    intake(csv_bytes(_rows(PANGGANG, 3)), target=pair)
    client.force_login(_kpu())
    b2 = io.BytesIO(b"KODE_WILAYAH,JUMLAH\r\n310101,3\r\n310102,x\r\n")
    b2.name = "b2.csv"
    url = reverse("upload-create", args=[pair.pk])
    response = client.post(url, {"action": "b2", "summary": b2})
    assert response.status_code == 302
    response = client.post(url, {"action": "check"})
    assert response.status_code == 302
    check = SubmissionCheck.objects.get(pair=pair)
    # Today is past the 2024 window: still short, the pair does not proceed.
    assert check.status == Status.TIDAK_LANJUT
    page = client.get(reverse("upload-create", args=[pair.pk])).content.decode()
    assert "Tidak dapat melanjutkan ke tahap verifikasi" in page
    assert "Baris 3, kolom JUMLAH" in page  # the B.2's refused row, with its fix
    assert "Kurang 7 dukungan" in page
    run_page = client.get(reverse("verification-run", args=[pair.pk])).content.decode()
    assert "Penelitian jumlah minimal dukungan dan persebaran:" in run_page


def test_only_the_kpu_running_the_election_checks_the_list(client, pair):
    from django.urls import reverse

    from electorate.models import Role
    from tests.factories import StaffAssignmentFactory, TeamMembershipFactory, UserFactory

    team = UserFactory(username="tim_ab")
    StaffAssignmentFactory(user=team, role=Role.TIM, region_code="31.01")
    TeamMembershipFactory(user=team, pair=pair)
    client.force_login(team)
    url = reverse("upload-create", args=[pair.pk])
    assert client.post(url, {"action": "check"}).status_code == 403  # the team hands in, only
    assert not SubmissionCheck.objects.exists()
    pps = UserFactory(username="pps_panggang")
    StaffAssignmentFactory(user=pps, role=Role.PPS, region_code="31.01.01.1001")
    client.force_login(pps)
    assert client.post(url, {"action": "check"}).status_code == 403
    # Its figures are the whole list's: not for a PPS (whose figures are its kelurahan's).
    assert client.get(reverse("api-submission-check", args=[pair.pk])).status_code == 403


def test_the_api_and_the_command_print_the_same_check(client, pair, intake, tmp_path):
    import json

    from django.core.management import call_command
    from django.urls import reverse

    intake(csv_bytes(_rows(PANGGANG, 6) + _rows(TIDUNG, 4)), target=pair)
    summary = tmp_path / "b2.csv"
    summary.write_bytes(b"KODE_WILAYAH,JUMLAH\r\n31.01.01,6\r\n31.01.02,5\r\n")
    out = io.StringIO()
    call_command(
        "submission_check", "--pair", str(pair.pk), "--summary", str(summary),
        "--as-of", "2024-05-10", "--json", stdout=out,
    )  # fmt: skip
    printed = json.loads(out.getvalue())
    assert (printed["status"], printed["counted"], printed["declared_total"]) == (
        "memenuhi",
        10,
        11,
    )
    assert printed["summary_upload"]["accepted"] == 2
    client.force_login(_kpu())
    answer = client.get(reverse("api-submission-check", args=[pair.pk])).json()["check"]
    printed.pop("summary_upload")
    assert answer == printed


# --- the count itself, for any list ------------------------------------------------------------

KELURAHAN_DRAWN = ["31.01.01.1001", "31.01.01.1002", "31.01.02.1001", "31.71.01.1001"]


@pytest.fixture
def blank(pair):
    from tests.factories import SupportUploadFactory

    return pair, SupportUploadFactory(pair=pair), SupportUploadFactory(pair=pair)


def test_each_person_counts_once_where_first_listed_for_any_list(blank):
    """For any list (NIKs repeated across rows and files, kelurahan in and out of the
    regency), the per-kecamatan counts are the NIKs at their first listing, the counted and
    the outside add up to the persons, and a file's own count is its own first listings."""
    from django.db import transaction
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from candidates.spread import election_units, list_counts
    from tests.factories import SupporterFactory

    pair, first, second = blank
    units = election_units(pair.election)
    niks = [make_nik() for _ in range(6)]

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.lists(
            st.tuples(st.integers(0, 1), st.integers(0, 5), st.sampled_from(KELURAHAN_DRAWN)),
            max_size=14,
        )
    )
    def check(rows):
        with transaction.atomic():
            first_seen: dict[str, str] = {}
            for position, (which, who, kelurahan) in enumerate(sorted(rows, key=lambda r: r[0])):
                upload = (first, second)[which]
                SupporterFactory(upload=upload, row_number=position + 2, nik=niks[who],
                                 kelurahan_id=kelurahan)  # fmt: skip
                first_seen.setdefault(niks[who], kelurahan)
            listed = list_counts(pair=pair, round=0, units=units)
            expected: dict[str, int] = {}
            for kelurahan in first_seen.values():
                unit = kelurahan[:8] if kelurahan.startswith("31.01.") else ""
                expected[unit] = expected.get(unit, 0) + 1
            assert {u: n for u, n in listed.persons.items() if n} == expected
            assert listed.total_rows() == len(rows)
            assert listed.counted() + listed.outside() == len(first_seen)
            own = list_counts(pair=pair, round=0, units=units, upload_id=second.pk)
            assert own.total_persons() == len({who for which, who, _k in rows if which == 1})
            transaction.set_rollback(True)

    check()
