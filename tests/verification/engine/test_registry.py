"""Civil-registry confirmation (DOMAIN.md step 3) and the DP4 as a second roll, in the engine's
one SQL: a NIK not on the roll is NOT_IN_ROLL, BMS while the election waits for Dukcapil; the
registry's answer settles it at the next run (found alive: checked like a roll record; not
found: REGISTRY_NOT_FOUND; deceased: REGISTRY_DECEASED; domicile outside: OUTSIDE_REGION).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from electorate.models import VoterRoll
from tests.factories import VoterFactory, birth_of, make_nik
from tests.verification.case import KEL, KEL_OUTSIDE, KEL_UTARA, verdict, verify
from verification.models import RegistryAnswer, VerificationResult
from verification.registry import REQUEST_COLUMNS, registry_export, registry_import
from verification.rules import reason_outcomes

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirming(case):
    case.election.registry_confirmation = True
    case.election.save()
    return case


def _answer(rows: list[dict]) -> io.BytesIO:
    header = ["NIK", "DITEMUKAN", "HIDUP", "KODE_WILAYAH", "TANGGAL_LAHIR"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return io.BytesIO(out.getvalue().encode())


def _export(election, **kwargs) -> list[dict]:
    out = io.StringIO()
    registry_export(election=election, out=out, **kwargs)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_not_on_the_roll_is_bms_pending_while_the_election_asks_dukcapil(confirming):
    s = confirming.supporter(make_nik(), in_roll=False)
    verify(confirming.pair("A"))
    assert verdict(s) == ("BMS", {"NOT_IN_ROLL"})


def test_without_confirmation_not_on_the_roll_stays_tms_and_answers_are_not_read(case):
    nik = make_nik()
    s = case.supporter(nik, in_roll=False)
    registry_import(
        election=case.election,
        file=_answer([{"NIK": nik, "DITEMUKAN": "Y", "HIDUP": "Y", "KODE_WILAYAH": KEL}]),
        original_name="jawaban.csv",
    )
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"NOT_IN_ROLL"})


def test_confirmation_and_a_tms_override_of_not_in_roll_contradict(confirming):
    confirming.election.reason_outcomes = {"NOT_IN_ROLL": "TMS"}
    with pytest.raises(ValidationError, match="Konfirmasi Dukcapil"):
        reason_outcomes(confirming.election)


def test_the_request_holds_each_pending_nik_once_with_its_data(confirming):
    pending, answered, twice = make_nik(), make_nik(), make_nik()
    on_roll = make_nik()
    confirming.supporter(on_roll)
    confirming.supporter(pending, in_roll=False, name="=HYPERLINK(1)")
    confirming.supporter(answered, in_roll=False)
    confirming.supporter(twice, in_roll=False, name="SITI AMINAH")
    confirming.supporter(twice, upload=confirming.upload("B"), in_roll=False, name="SITI AMINAH")
    registry_import(
        election=confirming.election,
        file=_answer([{"NIK": answered, "DITEMUKAN": "N"}]),
        original_name="jawaban-1.csv",
    )
    verify(confirming.pair("A"))
    verify(confirming.pair("B"))
    rows = _export(confirming.election)
    assert list(rows[0]) == list(REQUEST_COLUMNS)
    # The answered NIK is settled (TMS) and not asked again; the NIK of two pairs once.
    assert [r["NIK"] for r in rows] == [pending, twice]
    first = rows[0]
    assert first["NAMA"] == "'=HYPERLINK(1)"  # a spreadsheet reads it as text
    assert (first["JENIS_KELAMIN"], first["KODE_WILAYAH"], first["NO"]) == ("L", KEL, "1")
    assert [r["NIK"] for r in _export(confirming.election, pair=confirming.pair("B"))] == [twice]
    event = Event.objects.filter(action="registry.exported").order_by("pk").first()
    assert event.data["rows"] == 2 and len(event.data["sha256"]) == 64
    assert pending not in str(event.data)


def test_the_answer_settles_each_supporter_at_the_next_run(confirming):  # noqa: PLR0915
    alive, missing, dead, moved_out, other_birth, young = (make_nik() for _ in range(6))
    s_alive = confirming.supporter(alive, in_roll=False, kelurahan_id=KEL_UTARA)
    s_missing = confirming.supporter(missing, in_roll=False)
    s_dead = confirming.supporter(dead, in_roll=False)
    s_out = confirming.supporter(moved_out, in_roll=False)
    s_birth = confirming.supporter(other_birth, in_roll=False)
    s_young = confirming.supporter(young, in_roll=False, marital_status="B")
    pair = confirming.pair("A")
    verify(pair)
    assert {verdict(s)[0] for s in (s_alive, s_missing, s_dead, s_out)} == {"BMS"}
    done = registry_import(
        election=confirming.election,
        file=_answer(
            [
                {"NIK": alive, "DITEMUKAN": "Y", "HIDUP": "Y", "KODE_WILAYAH": "3171011001"},
                {"NIK": missing, "DITEMUKAN": "N"},
                {"NIK": dead, "DITEMUKAN": "YA", "HIDUP": "TIDAK"},
                {"NIK": moved_out, "DITEMUKAN": "Y", "HIDUP": "Y", "KODE_WILAYAH": KEL_OUTSIDE},
                {
                    "NIK": other_birth,
                    "DITEMUKAN": "Y",
                    "HIDUP": "Y",
                    "KODE_WILAYAH": KEL,
                    "TANGGAL_LAHIR": "01-01-1961",
                },
                {
                    "NIK": young,
                    "DITEMUKAN": "Y",
                    "HIDUP": "Y",
                    "KODE_WILAYAH": KEL,
                    "TANGGAL_LAHIR": "05-03-2010",
                },
            ]  # fmt: skip
        ),
        original_name="jawaban.csv",
    )
    assert (done.job.accepted, done.found, done.not_found, done.deceased, done.outside) == (
        6,
        4,
        1,
        1,
        1,
    )
    verify(pair)
    # Found alive in Gambir: no longer NOT_IN_ROLL, placed where the registry says.
    assert verdict(s_alive) == ("MS", set())
    result = VerificationResult.objects.get(pk=s_alive.pk)
    assert (result.kelurahan_code, result.moved) == (KEL, True)
    assert verdict(s_missing) == ("TMS", {"NOT_IN_ROLL", "REGISTRY_NOT_FOUND"})
    assert verdict(s_dead) == ("TMS", {"NOT_IN_ROLL", "REGISTRY_DECEASED"})
    assert verdict(s_out) == ("TMS", {"OUTSIDE_REGION"})
    assert verdict(s_birth) == ("BMS", {"DATA_MISMATCH"})  # the registry's birth date differs
    assert verdict(s_young)[1] >= {"UNDERAGE"}  # 14 on voting day by the registry, unmarried
    assert verdict(s_young)[0] == "TMS"
    # Nothing pending is left to ask.
    assert _export(confirming.election) == []


def test_answers_are_kept_by_hash_and_a_later_answer_replaces_the_earlier(confirming):
    nik = make_nik()
    s = confirming.supporter(nik, in_roll=False)
    registry_import(
        election=confirming.election,
        file=_answer([{"NIK": nik, "DITEMUKAN": "N"}]),
        original_name="a.csv",
    )
    registry_import(
        election=confirming.election,
        file=_answer([{"NIK": nik, "DITEMUKAN": "Y", "HIDUP": "Y", "KODE_WILAYAH": KEL}]),
        original_name="b.csv",
    )
    answer = RegistryAnswer.objects.get()
    assert (answer.found, answer.alive, answer.kelurahan_code) == (True, True, KEL)
    assert nik.encode() not in bytes(answer.nik_hash)
    verify(confirming.pair("A"))
    assert verdict(s) == ("MS", set())


def test_a_bad_answer_row_is_refused_with_its_row_column_and_fix(confirming):
    good, dup = make_nik(), make_nik()
    done = registry_import(
        election=confirming.election,
        file=_answer(
            [
                {"NIK": good, "DITEMUKAN": "N"},
                {"NIK": "3.17101E+15", "DITEMUKAN": "N"},
                {"NIK": make_nik(), "DITEMUKAN": "MUNGKIN"},
                {"NIK": make_nik(), "DITEMUKAN": "Y"},  # found: alive or not?
                {"NIK": make_nik(), "DITEMUKAN": "Y", "HIDUP": "Y"},  # alive: where?
                {"NIK": dup, "DITEMUKAN": "N"},
                {"NIK": dup, "DITEMUKAN": "Y", "HIDUP": "N"},
            ]
        ),
        original_name="jawaban.csv",
    )
    job = done.job
    assert (job.status, job.accepted, job.rejected) == ("done", 2, 5)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "NIK"),
        (4, "DITEMUKAN"),
        (5, "HIDUP"),
        (6, "KODE_WILAYAH"),
        (8, "NIK"),
    ]
    assert "baris 7" in job.errors[-1]["message"]
    assert not any(dup in e["message"] or good in e["message"] for e in job.errors)


def test_an_answer_file_without_its_columns_fails_and_the_same_file_is_one_import(confirming):
    data = b"NOMOR,STATUS\r\n1,Y\r\n"
    first = registry_import(
        election=confirming.election, file=io.BytesIO(data), original_name="x.csv"
    ).job
    assert first.status == "failed" and "DITEMUKAN" in first.failure
    good = _answer([{"NIK": make_nik(), "DITEMUKAN": "N"}]).getvalue()
    one = registry_import(election=confirming.election, file=io.BytesIO(good), original_name="y")
    two = registry_import(election=confirming.election, file=io.BytesIO(good), original_name="y")
    assert one.job.pk == two.job.pk and RegistryAnswer.objects.count() == 1


# --- the DP4 as a second roll ------------------------------------------------------------------


@pytest.fixture
def with_dp4(case):
    dp4 = VoterRoll.objects.create(
        name="DP4 DKI", region=case.election.region, kind="DP4",
        voting_day=case.election.voting_day,
    )  # fmt: skip
    case.election.dp4_roll = dp4
    case.election.save()
    return dp4


def test_a_nik_the_dpt_lacks_but_the_dp4_holds_is_on_the_roll(case, with_dp4):
    nik = make_nik()
    s = case.supporter(nik, in_roll=False, kelurahan_id=KEL_UTARA)
    VoterFactory(roll=with_dp4, nik=nik, name="BUDI SANTOSO", birth_date=birth_of(s),
                 sex=s.sex, kelurahan_code=KEL)  # fmt: skip
    run = verify(case.pair("A"))
    assert verdict(s) == ("MS", set())
    assert VerificationResult.objects.get(pk=s.pk).kelurahan_code == KEL  # the DP4's place
    assert run.dp4_roll_id == with_dp4.pk


def test_a_dp4_record_is_checked_as_a_dpt_record_is(case, with_dp4):
    nik = make_nik(sex="L")
    s = case.supporter(nik, in_roll=False, name="BUDI SANTOSO")
    VoterFactory(roll=with_dp4, nik=nik, name="AGUS SALIM", birth_date=birth_of(s),
                 sex="P", kelurahan_code=KEL)  # fmt: skip
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"DATA_MISMATCH"})


def test_where_both_rolls_hold_a_nik_the_dpt_record_is_read(case, with_dp4):
    nik = make_nik()
    s = case.supporter(nik, kelurahan_id=KEL)  # on the DPT in Gambir
    VoterFactory(roll=with_dp4, nik=nik, name="BUDI SANTOSO", birth_date=birth_of(s),
                 sex=s.sex, kelurahan_code=KEL_UTARA)  # fmt: skip
    verify(case.pair("A"))
    result = VerificationResult.objects.get(pk=s.pk)
    assert (result.outcome, result.kelurahan_code) == ("MS", KEL)


def test_without_a_dp4_a_nik_off_the_dpt_is_not_in_roll(case):
    other = VoterRoll.objects.create(name="DP4 lain", region=case.election.region, kind="DP4")
    nik = make_nik()
    s = case.supporter(nik, in_roll=False)
    VoterFactory(roll=other, nik=nik, kelurahan_code=KEL, birth_date=dt.date(1990, 1, 12))
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"NOT_IN_ROLL"})
