"""Starting factual verification (fieldwork/stages.py): the handover from the administrative
check, the 14-day window, starting the same round again, and moving the window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fieldwork.models import Finding, Stage, Task, WindowChange
from fieldwork.stages import stage_start, window_change
from fieldwork.standing import standing_compute
from tests.factories import make_nik
from tests.fieldwork.field import AFTER, CLOSES, KEL2, OPENS, close_all, enter, ms, started
from tests.verification.case import KEL, KEL_UTARA, verify

pytestmark = pytest.mark.django_db


def _handed(stage: Stage) -> dict[int, tuple[str, bool]]:
    return {
        t.supporter_id: (t.kelurahan_code, t.double)
        for t in Task.objects.filter(stage=stage).order_by("supporter_id")
    }


def test_worklist_is_the_ms_supporters_and_the_external_duplicates_only(case):
    ok = case.supporter(make_nik())  # MS
    both = make_nik()
    double = case.supporter(both)  # listed for B too: only DUPLICATE_EXTERNAL, BMS
    case.supporter(both, upload=case.upload("B"))
    double_pns = make_nik()
    case.supporter(double_pns, occupation="PNS")  # DUPLICATE_EXTERNAL + occupation: BMS
    case.supporter(double_pns, upload=case.pair("B").uploads.get())
    case.supporter(make_nik(), occupation="PNS")  # BMS
    case.supporter(make_nik(), in_roll=False)  # TMS
    twice = make_nik()
    first = case.supporter(twice)
    case.supporter(twice)  # the same NIK again for A: DUPLICATE_INTERNAL, TMS
    verify(case.pair("B"))

    stage = started(case.pair("A"))

    assert _handed(stage) == {
        ok.pk: (KEL, False),
        double.pk: (KEL, True),
        first.pk: (KEL, False),
    }
    assert stage.tasks_total == 3


def test_worklist_places_the_supporter_in_the_rolls_kelurahan_not_the_forms(case):
    nik = make_nik()
    case.voter(nik, kelurahan_code=KEL2)  # the roll: Cideng
    moved = case.supporter(nik, in_roll=False, kelurahan_id=KEL_UTARA)  # the form: Penjaringan

    stage = started(case.pair("A"))

    assert _handed(stage) == {moved.pk: (KEL2, False)}


def test_window_is_fourteen_days_both_ends_included(case):
    ms(case)
    stage = started(case.pair("A"), opens=OPENS)
    assert (stage.opens, stage.closes) == (dt.date(2024, 6, 1), dt.date(2024, 6, 14))
    assert stage.closes - stage.opens == dt.timedelta(days=13)


def test_window_length_follows_the_elections_verfak_days(case):
    case.election.verfak_days = 10
    case.election.save()
    ms(case)
    stage = started(case.pair("A"), opens=OPENS)
    assert stage.closes == dt.date(2024, 6, 10)


def test_starting_the_same_round_again_returns_the_same_stage(stage):
    again = stage_start(pair=stage.pair, round=stage.round, opens=dt.date(2024, 7, 1))
    assert again.pk == stage.pk
    assert (again.opens, again.tasks_total) == (OPENS, 5)
    assert Task.objects.filter(stage=stage).count() == 5
    assert Stage.objects.filter(pair=stage.pair).count() == 1


def test_no_supporter_is_handed_to_two_stages(case):
    pair = case.pair("A")
    met = make_nik()
    case.supporter(met)
    ms(case, 2)
    stage = started(pair)
    close_all(stage, as_of=AFTER)
    repair = case.upload("A", round=1)
    new = case.supporter(make_nik(), upload=repair)
    case.supporter(make_nik(), upload=repair, in_roll=False)  # TMS: not handed
    again = case.supporter(met, upload=repair)  # MS in round 0 already: DUPLICATE_INTERNAL
    verify(pair, round=1)

    second = stage_start(pair=pair, opens=dt.date(2024, 7, 1))

    assert (second.number, second.round) == (2, 1)
    assert _handed(second) == {new.pk: (KEL, False)}
    assert not Task.objects.filter(supporter=again).exists()
    assert Task.objects.filter(pair=pair).count() == 4


def test_a_corrected_bms_record_of_the_repair_is_handed_to_the_next_stage(case):
    nik = make_nik()
    case.supporter(nik, occupation="PNS")  # BMS in the initial list: not handed
    ms(case)
    stage = started(case.pair("A"))
    assert stage.tasks_total == 1
    close_all(stage, as_of=AFTER)
    corrected = case.supporter(nik, upload=case.upload("A", round=1), occupation="Pedagang")
    verify(stage.pair, round=1)

    second = stage_start(pair=stage.pair, opens=dt.date(2024, 7, 1))

    assert _handed(second) == {corrected.pk: (KEL, False)}


def test_a_stage_starts_only_after_the_administrative_check(case):
    ms(case)
    with pytest.raises(ValidationError, match="setelah verifikasi administrasi selesai"):
        stage_start(pair=case.pair("A"), opens=OPENS)


def test_a_stage_waits_for_every_supporter_of_its_rounds_to_be_checked(case, stage):
    close_all(stage, as_of=AFTER)
    case.supporter(make_nik(), upload=case.upload("A", round=1))
    with pytest.raises(ValidationError, match="belum diverifikasi administrasi"):
        stage_start(pair=stage.pair, round=1, opens=dt.date(2024, 7, 1))


def test_a_second_stage_waits_for_the_first_to_close(case, stage):
    case.supporter(make_nik(), upload=case.upload("A", round=1))
    verify(stage.pair, round=1)
    with pytest.raises(ValidationError, match="Verifikasi faktual 1 masih berlangsung"):
        stage_start(pair=stage.pair, opens=dt.date(2024, 7, 1))


def test_window_change_keeps_the_old_and_new_dates_with_the_reason(stage):
    moved = window_change(
        stage=stage, closes=dt.date(2024, 6, 16), reason="Banjir di Gambir", today=JUNE_15
    )
    assert moved.closes == dt.date(2024, 6, 16)
    change = WindowChange.objects.get(stage=stage)
    assert (change.old_closes, change.new_closes, change.reason) == (
        CLOSES,
        dt.date(2024, 6, 16),
        "Banjir di Gambir",
    )


def test_window_change_needs_a_reason(stage):
    with pytest.raises(ValidationError, match="alasan"):
        window_change(stage=stage, closes=dt.date(2024, 6, 16), reason="  ", today=JUNE_15)
    stage.refresh_from_db()
    assert stage.closes == CLOSES and not WindowChange.objects.exists()


def test_window_cannot_close_before_it_opens(stage):
    with pytest.raises(ValidationError, match="sebelum tanggal pembukaan"):
        window_change(stage=stage, closes=dt.date(2024, 5, 31), reason="salah ketik")


JUNE_15 = dt.date(2024, 6, 15)


def test_the_window_is_not_moved_into_the_past(stage):
    """A window moved to yesterday would let the KPU close the stage today and turn every
    supporter not yet visited TMS."""
    with pytest.raises(ValidationError, match="sudah lewat: pilih hari ini"):
        window_change(stage=stage, closes=dt.date(2024, 6, 10), reason="dipercepat", today=JUNE_15)
    stage.refresh_from_db()
    assert stage.closes == CLOSES and not WindowChange.objects.exists()


def test_the_window_is_not_moved_before_an_entry_already_recorded(stage):
    enter(Task.objects.filter(stage=stage).first(), Finding.SESUAI, dt.date(2024, 6, 12))
    with pytest.raises(ValidationError, match="dicatat pada 12-06-2024"):
        window_change(
            stage=stage,
            closes=dt.date(2024, 6, 11),
            reason="dipercepat",
            today=dt.date(2024, 6, 11),
        )
    window_change(
        stage=stage, closes=dt.date(2024, 6, 12), reason="dipercepat", today=dt.date(2024, 6, 11)
    )


def test_a_closed_stage_keeps_its_window(stage):
    close_all(stage, as_of=JUNE_15)
    with pytest.raises(ValidationError, match="sudah ditutup"):
        window_change(stage=stage, closes=dt.date(2024, 6, 20), reason="terlambat", today=JUNE_15)


def test_a_double_resubmitted_after_its_field_check_is_not_handed_again(case):
    nik = make_nik()
    case.supporter(nik)
    case.supporter(nik, upload=case.upload("B"))
    verify(case.pair("B"))
    stage = started(case.pair("A"))
    enter(Task.objects.get(stage=stage), Finding.SESUAI, dt.date(2024, 6, 3), chosen=stage.pair)
    close_all(stage, as_of=AFTER)
    again = case.supporter(nik, upload=case.upload("A", round=1))  # the team sends it again
    verify(stage.pair, round=1)

    second = stage_start(pair=stage.pair, opens=dt.date(2024, 7, 1))

    assert second.tasks_total == 0 and not Task.objects.filter(supporter=again).exists()
    assert standing_compute(pair=stage.pair)["MS"] == 1  # one person, counted once


def _positions(stage: Stage) -> list[tuple[int, int]]:
    return list(
        Task.objects.filter(stage=stage)
        .order_by("position")
        .values_list("supporter_id", "position")
    )


def _listed_made(case) -> tuple[list, list[int]]:
    """Five supporters of two kelurahan, made out of order; their ids in the lists' order (by
    kelurahan, then name, then id)."""
    wati = case.supporter(make_nik(), name="WATI", kelurahan_id=KEL2)
    andi = case.supporter(make_nik(), name="ANDI", kelurahan_id=KEL2)
    siti = case.supporter(make_nik(), name="SITI", kelurahan_id=KEL)
    budi = case.supporter(make_nik(), name="BUDI", kelurahan_id=KEL)
    budi_too = case.supporter(make_nik(), name="BUDI", kelurahan_id=KEL)
    return [wati, andi, siti, budi, budi_too], [budi.pk, budi_too.pk, siti.pk, andi.pk, wati.pk]


def test_tasks_are_numbered_for_the_lists_by_kelurahan_then_name(case):
    _made, order = _listed_made(case)

    stage = started(case.pair("A"))

    assert _positions(stage) == list(zip(order, range(1, 6), strict=True))


def test_the_migration_numbers_the_tasks_of_stages_started_before_it(case):
    """fieldwork/migrations/0005_task_position.py: tasks made before it (position 0) are
    numbered as a new stage's are."""
    import importlib

    from django.db import connection

    _made, order = _listed_made(case)
    stage = started(case.pair("A"))
    Task.objects.filter(stage=stage).update(position=0)
    migration = importlib.import_module("fieldwork.migrations.0005_task_position")

    with connection.cursor() as cursor:
        cursor.execute(migration.NUMBER_EXISTING)

    assert _positions(stage) == list(zip(order, range(1, 6), strict=True))


@pytest.mark.django_db(transaction=True)
def test_a_started_stage_leaves_the_planner_statistics_of_the_tasks_fresh(case):
    """PostgreSQL: a stage hands up to a whole list to the field at once; until the tasks are
    ANALYZEd every field page's area counts are planned for the table as it was (at DKI's
    108,444 tasks: a sort spilling to disk, the home page's to-do list 186 ms at the median)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE and planner statistics: PostgreSQL")
    ms(case, 30)
    stage = started(case.pair("A"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples, (SELECT count(*) FROM fieldwork_task WHERE stage_id = %s) "
            "FROM pg_class WHERE relname = 'fieldwork_task'",
            [stage.pk],
        )
        planned, rows = cursor.fetchone()
        cursor.execute(
            "SELECT attname FROM pg_stats WHERE tablename = 'fieldwork_task' "
            "AND attname IN ('stage_id', 'kelurahan_code')"
        )
        assert {name for (name,) in cursor.fetchall()} == {"stage_id", "kelurahan_code"}
    assert planned == rows == 30
