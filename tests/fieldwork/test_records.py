"""Recording what the PPS found (fieldwork/records.py): one test per finding code, a double
supporter's choice, the window rules (bring-in, 14 days, reopened window, future dates), the
history of every change, idempotency, and corrections of a closed kelurahan."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError

from fieldwork.closing import area_close
from fieldwork.models import Choice, Closure, Finding, Method, Record, Task
from fieldwork.records import attest_denial
from fieldwork.stages import stage_start, window_change
from tests.factories import make_nik
from tests.fieldwork.field import (
    AFTER,
    KABKOTA,
    KEC,
    KEL2,
    OPENS,
    close_all,
    enter,
    messages,
    ms,
    pkd,
    pps,
    started,
    task,
)
from tests.verification.case import KEL, verify

pytestmark = pytest.mark.django_db

JUNE = {day: dt.date(2024, 6, day) for day in range(1, 31)}


def _tasks(stage, kelurahan: str = KEL) -> list[Task]:
    return list(Task.objects.filter(stage=stage, kelurahan_code=kelurahan).order_by("pk"))


def _state(t: Task) -> tuple[str, str, str]:
    t.refresh_from_db()
    return t.finding, t.result, t.note


# --- one test per finding code ---------------------------------------------------------------


def test_sesuai_is_ms(stage):
    t = _tasks(stage)[0]
    assert enter(t, Finding.SESUAI).changed
    assert _state(t) == ("SESUAI", "MS", "CONFIRMED")


def test_tolak_ttd_is_tms(stage):
    t = _tasks(stage)[0]
    enter(t, Finding.TOLAK_TTD)
    assert _state(t) == ("TOLAK_TTD", "TMS", "DENIED_SIGNED")


def test_tolak_without_signature_stays_ms_until_a_pkd_attests_the_denial(stage):
    t = _tasks(stage)[0]
    enter(t, Finding.TOLAK)
    assert _state(t) == ("TOLAK", "MS", "DENIED")

    supervisor = pkd()
    outcome = attest_denial(task=t, by=supervisor, statement="Saya hadir: pendukung menolak.")

    assert outcome.changed
    assert _state(t) == ("TOLAK", "TMS", "DENIED_ATTESTED")
    record = t.records.latest("pk")
    assert (record.source, record.by, record.reason) == (
        "attestation",
        supervisor,
        "Saya hadir: pendukung menolak.",
    )
    assert record.before == {"attested": False, "result": "MS"}
    assert not attest_denial(task=t, by=supervisor, statement="lagi").changed  # once


def test_attesting_needs_a_denial_without_signature_and_a_statement(stage):
    t = _tasks(stage)[0]
    enter(t, Finding.SESUAI)
    outcome = attest_denial(task=t, by=pkd(), statement="")
    texts = [message for _column, message in messages(outcome)]
    assert any("hanya untuk pendukung yang tercatat TOLAK" in m for m in texts)
    assert any("Tuliskan keterangan" in m for m in texts)
    assert _state(t) == ("SESUAI", "MS", "CONFIRMED")


def test_tidak_ditemui_is_pending_then_tms_when_the_stage_closes_after_the_bring_in_time(stage):
    t = _tasks(stage)[0]
    enter(t, Finding.TIDAK_DITEMUI, JUNE[10])
    assert _state(t) == ("TIDAK_DITEMUI", "PENDING", "NOT_MET")

    close_all(stage, as_of=AFTER)  # the bring-in time ended on 13 June

    assert _state(t) == ("TIDAK_DITEMUI", "TMS", "NOT_MET_EXPIRED")
    assert t.records.latest("pk").source == "close"


def test_meninggal_with_a_date_is_tms(stage):
    t = _tasks(stage)[0]
    enter(t, Finding.MENINGGAL, JUNE[3], deceased_on=dt.date(2024, 5, 20))
    assert _state(t) == ("MENINGGAL", "TMS", "DECEASED")
    assert t.deceased_on == dt.date(2024, 5, 20)


def test_meninggal_without_a_date_is_refused(stage):
    t = _tasks(stage)[0]
    outcome = enter(t, Finding.MENINGGAL)
    assert messages(outcome) == [
        ("TANGGAL_MENINGGAL", "Isi tanggal meninggal (dd-mm-yyyy) untuk hasil MENINGGAL.")
    ]
    assert _state(t) == ("", "PENDING", "UNRECORDED") and not t.records.exists()


def test_death_after_the_visit_is_refused(stage):
    outcome = enter(_tasks(stage)[0], Finding.MENINGGAL, JUNE[3], deceased_on=JUNE[4])
    assert [column for column, _m in messages(outcome)] == ["TANGGAL_MENINGGAL"]


def test_a_death_date_without_meninggal_is_refused(stage):
    outcome = enter(_tasks(stage)[0], Finding.SESUAI, deceased_on=JUNE[1])
    assert [column for column, _m in messages(outcome)] == ["TANGGAL_MENINGGAL"]


def test_pindah_is_tms(stage):
    t = _tasks(stage)[0]
    enter(t, Finding.PINDAH)
    assert _state(t) == ("PINDAH", "TMS", "MOVED")


def test_unknown_codes_and_a_missing_date_are_refused_naming_the_column(stage):
    outcome = enter(_tasks(stage)[0], "KETEMU", None, method="TELEPON")
    columns = [column for column, _m in messages(outcome)]
    assert columns == ["HASIL", "METODE", "TANGGAL"]
    assert "Kode hasil KETEMU tidak dikenal" in messages(outcome)[0][1]


# --- a double supporter's choice --------------------------------------------------------------


@pytest.fixture
def double(case):
    """One person listed by pairs A and B (each also has one plain MS supporter); both
    verified. Returns A's and B's supporter rows of that person."""
    nik = make_nik()
    a = case.supporter(nik)
    ms(case)
    b_upload = case.upload("B")
    b = case.supporter(nik, upload=b_upload)
    ms(case, upload=b_upload)
    verify(case.pair("B"))
    verify(case.pair("A"))
    return a, b


def test_double_choosing_this_pair_follows_the_finding_and_the_other_pair_loses_it(case, double):
    a, b = double
    started(case.pair("A"))
    stage_start(pair=case.pair("B"), opens=OPENS)
    assert task(a).double and task(b).double

    enter(a, Finding.SESUAI, JUNE[3], chosen=case.pair("A"))

    assert _state(task(a)) == ("SESUAI", "MS", "CONFIRMED")
    other = task(b)
    assert (other.result, other.note, other.chosen_pair_id) == ("TMS", "CHOSE_OTHER", a.pair_id)
    assert other.records.get().source == "choice"
    assert Choice.objects.get(election=case.election).pair_id == a.pair_id


def test_double_choosing_the_other_pair_is_tms_here_and_ms_there(case, double):
    a, b = double
    started(case.pair("A"))
    stage_start(pair=case.pair("B"), opens=OPENS)

    enter(a, Finding.SESUAI, JUNE[3], chosen=case.pair("B"))

    assert (task(a).result, task(a).note) == ("TMS", "CHOSE_OTHER")
    there = task(b)
    assert (there.finding, there.visited_on, there.result) == ("SESUAI", JUNE[3], "MS")


@pytest.mark.parametrize(("chosen", "expected"), [("A", "TMS"), ("B", "MS")])
def test_the_choice_reaches_the_other_pair_whose_stage_starts_later(case, double, chosen, expected):
    a, b = double
    started(case.pair("A"))
    enter(a, Finding.SESUAI, JUNE[3], chosen=case.pair(chosen))

    stage_start(pair=case.pair("B"), opens=JUNE[20])

    assert task(b).result == expected
    assert task(b).note == ("CHOSE_OTHER" if chosen == "A" else "CONFIRMED")


def test_double_confirming_without_a_choice_is_refused(case, double):
    started(case.pair("A"))
    outcome = enter(double[0], Finding.SESUAI)
    assert [column for column, _m in messages(outcome)] == ["PASLON_PILIHAN"]


def test_a_chosen_pair_outside_the_election_is_refused(case, double):
    started(case.pair("A"))
    outcome = enter(double[0], Finding.SESUAI, chosen=999_999)
    assert messages(outcome) == [
        ("PASLON_PILIHAN", "Bakal pasangan calon 999999 tidak ada pada pemilihan ini.")
    ]


def test_a_chosen_pair_on_a_supporter_listed_once_is_refused(stage):
    outcome = enter(_tasks(stage)[0], Finding.SESUAI, chosen=stage.pair)
    assert [column for column, _m in messages(outcome)] == ["PASLON_PILIHAN"]


# --- the window rules -------------------------------------------------------------------------


@pytest.fixture
def not_met(stage):
    """A supporter not met on 3 June: the team may bring them in until 6 June."""
    t = _tasks(stage)[0]
    enter(t, Finding.TIDAK_DITEMUI, JUNE[3])
    return t


def test_brought_in_on_the_third_day_after_the_not_met_record_is_accepted(not_met):
    outcome = enter(not_met, Finding.SESUAI, JUNE[6], method=Method.DIHADIRKAN)
    assert outcome.changed and not outcome.errors
    not_met.refresh_from_db()
    assert (not_met.finding, not_met.method, not_met.result) == ("SESUAI", "DIHADIRKAN", "MS")
    assert not_met.not_met_on == JUNE[3]  # the not-met record stays known


def test_brought_in_on_the_fourth_day_is_refused_with_the_deadline(not_met):
    outcome = enter(not_met, Finding.SESUAI, JUNE[7], method=Method.DIHADIRKAN)
    assert messages(outcome) == [
        (
            "TANGGAL",
            "Dihadirkan 07-06-2024, lewat batas 3 hari setelah tidak ditemui pada 03-06-2024 "
            "(batas 06-06-2024): pendukung ini TMS.",
        )
    ]
    assert _state(not_met) == ("TIDAK_DITEMUI", "PENDING", "NOT_MET")


def test_brought_in_before_the_not_met_date_is_refused(not_met):
    outcome = enter(not_met, Finding.SESUAI, JUNE[2], method=Method.DIHADIRKAN)
    assert [column for column, _m in messages(outcome)] == ["TANGGAL"]
    assert "sebelum tanggal tidak ditemui" in messages(outcome)[0][1]


def test_brought_in_without_a_not_met_record_is_refused(stage):
    outcome = enter(_tasks(stage)[0], Finding.SESUAI, JUNE[3], method=Method.DIHADIRKAN)
    assert messages(outcome) == [
        ("METODE", "DIHADIRKAN hanya untuk pendukung yang sebelumnya tercatat TIDAK_DITEMUI.")
    ]


def test_brought_in_supporter_can_only_be_met(not_met):
    outcome = enter(not_met, Finding.PINDAH, JUNE[4], method=Method.DIHADIRKAN)
    assert [column for column, _m in messages(outcome)] == ["HASIL"]


def test_the_bring_in_time_follows_the_elections_setting(case, stage):
    case.election.bring_in_days = 1
    case.election.save()
    t = _tasks(stage)[0]
    enter(t, Finding.TIDAK_DITEMUI, JUNE[3])
    assert enter(t, Finding.SESUAI, JUNE[5], method=Method.DIHADIRKAN).errors
    assert enter(t, Finding.SESUAI, JUNE[4], method=Method.DIHADIRKAN).changed


@pytest.mark.parametrize("day", [1, 14])
def test_first_and_last_day_of_the_window_are_accepted(stage, day):
    assert enter(_tasks(stage)[0], Finding.SESUAI, JUNE[day]).changed


@pytest.mark.parametrize("day", [dt.date(2024, 5, 31), dt.date(2024, 6, 15)])
def test_a_day_outside_the_window_is_refused_as_a_late_entry(stage, day):
    outcome = enter(_tasks(stage)[0], Finding.SESUAI, day)
    assert [column for column, _m in messages(outcome)] == ["TANGGAL"]
    message = messages(outcome)[0][1]
    assert "di luar masa verifikasi faktual (01-06-2024 s.d. 14-06-2024)" in message
    assert "Entri yang terlambat hanya dapat diterima bila KPU membuka kembali" in message


def test_a_reopened_window_lets_the_late_entry_in(stage):
    t = _tasks(stage)[0]
    with pytest.raises(ValidationError):
        window_change(stage=stage, closes=JUNE[16], reason="", today=JUNE[15])
    assert enter(t, Finding.SESUAI, JUNE[15]).errors  # no reason, no new window

    window_change(
        stage=stage, closes=JUNE[16], reason="Banjir rob di Gambir 10-14 Juni", today=JUNE[15]
    )

    outcome = enter(t, Finding.SESUAI, JUNE[15])
    assert outcome.changed and not outcome.errors
    assert enter(_tasks(stage)[1], Finding.SESUAI, JUNE[17]).errors  # still a window


def test_a_date_in_the_future_is_refused(stage):
    outcome = enter(_tasks(stage)[0], Finding.SESUAI, JUNE[6], today=JUNE[5])
    assert messages(outcome) == [("TANGGAL", "Tanggal 06-06-2024 belum terjadi.")]


# --- history and idempotency ------------------------------------------------------------------


def test_every_change_is_a_record_with_the_values_before_and_after(stage):
    officer = pps()
    t = _tasks(stage)[0]
    enter(t, Finding.TIDAK_DITEMUI, JUNE[3], by=officer)
    enter(t, Finding.SESUAI, JUNE[5], method=Method.DIHADIRKAN, by=officer)

    first, second = t.records.order_by("pk")
    assert (first.source, first.by) == ("form", officer)
    assert first.values == {
        "finding": "TIDAK_DITEMUI",
        "method": "KUNJUNGAN",
        "visited_on": "2024-06-03",
    }
    assert first.before == {"finding": "", "method": "", "visited_on": None}
    assert second.values == {
        "finding": "SESUAI",
        "method": "DIHADIRKAN",
        "visited_on": "2024-06-05",
        "result": "MS",
    }
    assert second.before == {
        "finding": "TIDAK_DITEMUI",
        "method": "KUNJUNGAN",
        "visited_on": "2024-06-03",
        "result": "PENDING",
    }
    t.refresh_from_db()
    assert t.version == 2


def test_an_entry_that_changes_nothing_writes_no_record(stage):
    t = _tasks(stage)[0]
    enter(t, Finding.SESUAI, JUNE[3])
    again = enter(t, Finding.SESUAI, JUNE[3])
    assert not again.changed and not again.errors
    assert t.records.count() == 1
    t.refresh_from_db()
    assert t.version == 1


def test_the_same_phone_entry_sent_twice_is_kept_once(stage):
    t = _tasks(stage)[0]
    sent = uuid.uuid4()
    assert enter(t, Finding.SESUAI, JUNE[3], client_id=sent).changed
    # A retry of the same entry (even if the phone garbled it) changes nothing.
    assert not enter(t, Finding.PINDAH, JUNE[4], client_id=sent).changed
    assert Record.objects.filter(client_id=sent).count() == 1
    assert _state(t) == ("SESUAI", "MS", "CONFIRMED")


@pytest.fixture
def closed_gambir(stage):
    """Every supporter of kecamatan Gambir recorded MS; both kelurahan and the kecamatan closed."""
    for kelurahan in (KEL, KEL2):
        for t in _tasks(stage, kelurahan):
            enter(t, Finding.SESUAI, JUNE[3])
        area_close(stage=stage, region_code=kelurahan, as_of=JUNE[4])
    area_close(stage=stage, region_code=KEC, as_of=JUNE[4])
    return stage


def test_a_closed_kelurahan_refuses_an_entry(closed_gambir):
    t = _tasks(closed_gambir)[0]
    outcome = enter(t, Finding.PINDAH, JUNE[5])
    assert "sudah ditutup oleh PPS" in messages(outcome)[0][1]
    assert _state(t) == ("SESUAI", "MS", "CONFIRMED")


def test_a_kpu_correction_needs_a_reason(closed_gambir):
    outcome = enter(_tasks(closed_gambir)[0], Finding.PINDAH, JUNE[5], source="correction")
    assert messages(outcome) == [("", "Tuliskan alasan koreksi.")]


def test_a_kpu_correction_of_a_closed_kelurahan_moves_the_frozen_counts_above_it(closed_gambir):
    stage = closed_gambir
    t = _tasks(stage)[0]
    before = Closure.objects.get(stage=stage, region_code=KEL).counts
    assert (before["MS"], before["TMS"]) == (3, 0)

    outcome = enter(
        t, Finding.PINDAH, JUNE[5], source="correction", reason="Salah catat: pindah ke Bogor"
    )

    assert outcome.changed
    assert _state(t) == ("PINDAH", "TMS", "MOVED")
    record = t.records.latest("pk")
    assert (record.source, record.reason) == ("correction", "Salah catat: pindah ke Bogor")
    kel = Closure.objects.get(stage=stage, region_code=KEL, reopened_at=None).counts
    kel2 = Closure.objects.get(stage=stage, region_code=KEL2, reopened_at=None).counts
    kec = Closure.objects.get(stage=stage, region_code=KEC, reopened_at=None).counts
    assert (kel["MS"], kel["TMS"], kel["by_finding"]["PINDAH"]) == (2, 1, 1)
    assert (kec["MS"], kec["TMS"]) == (kel["MS"] + kel2["MS"], kel["TMS"] + kel2["TMS"]) == (4, 1)


def test_no_correction_once_the_kabkota_is_closed(closed_gambir):
    area_close(stage=closed_gambir, region_code=KABKOTA, as_of=JUNE[4])
    outcome = enter(
        _tasks(closed_gambir)[0], Finding.PINDAH, JUNE[5], source="correction", reason="x"
    )
    assert "kabupaten/kota sudah ditutup" in messages(outcome)[0][1]


def test_a_closed_stage_refuses_every_entry(stage):
    close_all(stage, as_of=AFTER)
    outcome = enter(_tasks(stage)[0], Finding.SESUAI, JUNE[3], source="correction", reason="x")
    assert messages(outcome) == [("", "Verifikasi faktual 1 sudah ditutup.")]


# --- many officers at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_entry_locks_its_task_alone_not_the_stage_its_pair_or_election(stage):
    """200 PPS officers post into one stage at once: an entry that locked the stage row (FOR
    UPDATE over the join to stage, pair and election) made each wait for the one before, and
    so did one audit chain for every event. Here another session holds those three rows and
    the main audit chain's lock, as a slow entry elsewhere would, and the entry still goes
    through at once (its event is a link of its kelurahan's chain)."""
    from django.db import connection
    from psycopg import connect

    from audit.trail import LOCK_KEY

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite has one writer and no FOR UPDATE)")
    t = _tasks(stage)[0]
    election = stage.pair.election_id
    other = connect(**connection.get_connection_params(), autocommit=False)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1 FROM fieldwork_stage WHERE id = %s FOR UPDATE", [stage.pk])
            cursor.execute(
                "SELECT 1 FROM candidates_pair WHERE id = %s FOR UPDATE", [stage.pair_id]
            )
            cursor.execute("SELECT 1 FROM candidates_election WHERE id = %s FOR UPDATE", [election])
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        try:
            assert enter(t, Finding.SESUAI).changed
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
        assert _state(t) == ("SESUAI", "MS", "CONFIRMED")
    finally:
        other.rollback()
        other.close()
