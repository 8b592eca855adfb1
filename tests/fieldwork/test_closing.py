"""Closing a stage up the hierarchy (fieldwork/closing.py): a kelurahan closes once everyone is
recorded and no one can still be brought in; each level above once every area below with
supporters is closed and no advice inside it is open; the counts add up exactly; reopening
takes the level above and a reason; the KPU closes the whole stage after its window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fieldwork.closing import area_close, area_reopen, stage_close_all, stage_close_preview
from fieldwork.counts import active_closures, area_counts
from fieldwork.models import Advice, Finding, Stage, Task
from fieldwork.stages import stage_start
from fieldwork.supervision import advice_answer, advice_create
from tests.factories import make_nik
from tests.fieldwork.field import (
    AFTER,
    CLOSES,
    KABKOTA,
    KEC,
    KEL2,
    OPENS,
    PROVINCE,
    close_all,
    enter,
    ms,
    started,
)
from tests.verification.case import KEL, KEL_UTARA, verify

pytestmark = pytest.mark.django_db

JUNE = {day: dt.date(2024, 6, day) for day in range(1, 31)}
KEC_UTARA = "31.72.01"  # Penjaringan
KAB_UTARA = "31.72"


def _record_all(stage, kelurahan: str, finding: str = Finding.SESUAI) -> None:
    for t in Task.objects.filter(stage=stage, kelurahan_code=kelurahan):
        enter(t, finding, JUNE[3])


def _close(stage, code: str, on: dt.date = JUNE[5]):
    return area_close(stage=stage, region_code=code, as_of=on)


@pytest.fixture
def two_cities(case):
    """Pair A: 3 supporters in Gambir, 2 in Cideng (kecamatan Gambir, Jakarta Pusat), 1 in
    Penjaringan (Jakarta Utara). In Gambir one is confirmed, one denies (signed), one is not met
    and not brought in; every other supporter is confirmed."""
    ms(case, 3, kelurahan=KEL)
    ms(case, 2, kelurahan=KEL2)
    ms(case, 1, kelurahan=KEL_UTARA)
    stage = started(case.pair("A"))
    gambir = list(Task.objects.filter(stage=stage, kelurahan_code=KEL).order_by("pk"))
    enter(gambir[0], Finding.SESUAI, JUNE[2])
    enter(gambir[1], Finding.TOLAK_TTD, JUNE[2])
    enter(gambir[2], Finding.TIDAK_DITEMUI, JUNE[2])  # may be brought in until 5 June
    _record_all(stage, KEL2)
    _record_all(stage, KEL_UTARA)
    return stage


def test_a_kelurahan_with_unrecorded_supporters_cannot_close(stage):
    enter(Task.objects.filter(stage=stage, kelurahan_code=KEL).first(), Finding.SESUAI, JUNE[2])
    with pytest.raises(ValidationError) as refused:
        _close(stage, KEL)
    assert refused.value.messages == [
        "2 pendukung belum diverifikasi: catat hasilnya dulu sebelum menutup kelurahan."
    ]
    assert not active_closures(stage)


def test_a_kelurahan_cannot_close_while_someone_may_still_be_brought_in(two_cities):
    with pytest.raises(ValidationError) as refused:
        _close(two_cities, KEL, JUNE[5])  # the last day of the bring-in time
    assert refused.value.messages == [
        "1 pendukung yang tidak ditemui masih dapat dihadirkan tim sampai 05-06-2024: "
        "tutup sesudah tanggal itu."
    ]


def test_a_kelurahan_closing_after_the_bring_in_time_makes_the_not_met_tms(two_cities):
    closure = _close(two_cities, KEL, JUNE[6])
    assert (closure.counts["MS"], closure.counts["TMS"], closure.counts["PENDING"]) == (1, 2, 0)
    assert closure.counts["by_finding"]["TIDAK_DITEMUI"] == 1
    not_met = Task.objects.get(stage=two_cities, finding=Finding.TIDAK_DITEMUI)
    assert (not_met.result, not_met.note) == ("TMS", "NOT_MET_EXPIRED")


def test_each_level_closes_only_after_every_area_below_with_supporters(two_cities):
    stage = two_cities
    _close(stage, KEL, JUNE[6])
    with pytest.raises(ValidationError) as refused:
        _close(stage, KEC, JUNE[6])
    assert refused.value.messages == ["1 kelurahan/desa belum ditutup: Cideng (31.71.01.1002)."]

    _close(stage, KEL2, JUNE[6])
    _close(stage, KEC, JUNE[6])  # the other kelurahan of Gambir have no supporters
    _close(stage, KABKOTA, JUNE[6])  # the other kecamatan of Jakarta Pusat neither
    with pytest.raises(ValidationError, match="1 kabupaten/kota belum ditutup"):
        _close(stage, PROVINCE, JUNE[6])
    with pytest.raises(ValidationError, match="1 kecamatan belum ditutup"):
        _close(stage, KAB_UTARA, JUNE[6])
    with pytest.raises(ValidationError, match="sudah ditutup"):
        _close(stage, KEL, JUNE[6])


def test_closing_the_province_closes_the_stage_and_every_level_adds_up(two_cities):
    stage = two_cities
    for code in (KEL, KEL2, KEC, KABKOTA, KEL_UTARA, KEC_UTARA, KAB_UTARA):
        _close(stage, code, JUNE[6])
    stage.refresh_from_db()
    assert stage.status == Stage.Status.OPEN

    top = _close(stage, PROVINCE, JUNE[6])

    stage.refresh_from_db()
    assert stage.status == Stage.Status.CLOSED and stage.closed_at is not None
    counts = {code: c.counts for code, c in active_closures(stage).items()}
    # Gambir: 1 MS, 2 TMS; Cideng: 2 MS; Penjaringan: 1 MS.
    assert [(counts[c]["MS"], counts[c]["TMS"]) for c in (KEL, KEL2, KEL_UTARA)] == [
        (1, 2),
        (2, 0),
        (1, 0),
    ]
    for parent, children in (
        (KEC, [KEL, KEL2]),
        (KABKOTA, [KEC]),
        (KEC_UTARA, [KEL_UTARA]),
        (KAB_UTARA, [KEC_UTARA]),
        (PROVINCE, [KABKOTA, KAB_UTARA]),
    ):
        for key in ("MS", "TMS", "PENDING", "total"):
            assert counts[parent][key] == sum(counts[c][key] for c in children), (parent, key)
        for finding, n in counts[parent]["by_finding"].items():
            assert n == sum(counts[c]["by_finding"][finding] for c in children), (parent, finding)
    assert (top.counts["MS"], top.counts["TMS"], top.counts["total"]) == (4, 2, 6)
    assert top.counts == area_counts(stage, PROVINCE)


def test_an_open_advice_inside_an_area_blocks_closing_it_until_answered(two_cities):
    stage = two_cities
    for code in (KEL, KEL2):
        _close(stage, code, JUNE[6])
    advice = advice_create(
        stage=stage, target=Advice.Target.AREA, region_code=KEL2, text="Ulangi kunjungan RW 03."
    )
    with pytest.raises(ValidationError) as refused:
        _close(stage, KEC, JUNE[6])
    assert refused.value.messages == [
        "1 saran perbaikan pengawas di wilayah ini belum dijawab KPU: jawab dulu."
    ]

    advice_answer(advice=advice, accept=False, answer="Kunjungan sudah diulang pada 4 Juni.")

    assert _close(stage, KEC, JUNE[6]).counts["total"] == 5


def test_an_open_advice_elsewhere_does_not_block(two_cities):
    stage = two_cities
    advice_create(stage=stage, target="area", region_code=KEL_UTARA, text="Periksa RW 01.")
    for code in (KEL, KEL2, KEC, KABKOTA, KEL_UTARA):
        _close(stage, code, JUNE[6])  # Jakarta Pusat closes: the advice is in Jakarta Utara
    with pytest.raises(ValidationError, match="saran perbaikan"):
        _close(stage, KEC_UTARA, JUNE[6])


def test_reopening_needs_the_level_above_open_and_a_reason(two_cities):
    stage = two_cities
    for code in (KEL, KEL2, KEC):
        _close(stage, code, JUNE[6])

    with pytest.raises(ValidationError, match="buka kembali yang di atas dulu"):
        area_reopen(stage=stage, region_code=KEL, reason="Salah catat")
    with pytest.raises(ValidationError, match="Tuliskan alasan"):
        area_reopen(stage=stage, region_code=KEC, reason=" ")

    area_reopen(stage=stage, region_code=KEC, reason="Saran Panwaslu diterima")
    reopened = area_reopen(stage=stage, region_code=KEL, reason="Salah catat")

    assert reopened.reopen_reason == "Salah catat" and reopened.reopened_at is not None
    assert set(active_closures(stage)) == {KEL2}
    assert enter(Task.objects.filter(stage=stage, kelurahan_code=KEL).first(), "PINDAH").changed
    with pytest.raises(ValidationError, match="belum ditutup"):
        area_reopen(stage=stage, region_code=KEL, reason="lagi")
    assert _close(stage, KEL, JUNE[6]).counts["TMS"] == 3  # closed again: a new closure


def test_reopening_the_top_level_opens_the_stage_again(stage):
    close_all(stage, as_of=AFTER)
    area_reopen(stage=stage, region_code=PROVINCE, reason="Sengketa di Bawaslu")
    stage.refresh_from_db()
    assert stage.status == Stage.Status.OPEN and stage.closed_at is None


def test_stage_close_all_turns_the_never_visited_into_tms(stage):
    first = Task.objects.filter(stage=stage, kelurahan_code=KEL).order_by("pk").first()
    enter(first, Finding.SESUAI, JUNE[3])

    counts = close_all(stage, as_of=AFTER)

    assert (counts["MS"], counts["TMS"], counts["PENDING"], counts["total"]) == (1, 4, 0, 5)
    assert counts["by_finding"][""] == 4
    notes = set(Task.objects.filter(stage=stage, finding="").values_list("note", flat=True))
    assert notes == {"UNRECORDED_EXPIRED"}
    stage.refresh_from_db()
    assert stage.status == Stage.Status.CLOSED
    assert set(active_closures(stage)) == {KEL, KEL2, KEC, KABKOTA, PROVINCE}


def test_stage_close_all_keeps_areas_closed_before(stage):
    _record_all(stage, KEL2)
    kept = _close(stage, KEL2, JUNE[4])
    close_all(stage, as_of=AFTER)
    assert active_closures(stage)[KEL2].pk == kept.pk


@pytest.mark.parametrize("as_of", [JUNE[13], CLOSES])
def test_stage_close_all_waits_for_the_end_of_the_window(stage, as_of):
    with pytest.raises(ValidationError) as refused:
        close_all(stage, as_of=as_of)
    assert refused.value.messages == [
        "Masa verifikasi faktual berakhir 14-06-2024: tahap ditutup sesudah tanggal itu."
    ]


def test_stage_close_all_waits_for_a_bring_in_still_possible(stage):
    last_day = Task.objects.filter(stage=stage).first()
    enter(last_day, Finding.TIDAK_DITEMUI, CLOSES)  # may be brought in until 17 June
    with pytest.raises(ValidationError, match="sampai 17-06-2024"):
        close_all(stage, as_of=AFTER)
    assert close_all(stage, as_of=JUNE[18])["TMS"] == 5


def test_a_stage_of_a_kabkota_election_closes_at_the_kabkota(jakarta):
    from tests.factories import ElectionFactory, VoterRollFactory
    from tests.verification.case import Case

    roll = VoterRollFactory(region_code=KABKOTA)
    election = ElectionFactory(region_code=KABKOTA, level="mayor", dpt_count=1000, roll=roll)
    local = Case(election)
    ms(local, 2, kelurahan=KEL)
    stage = started(local.pair("A"))

    close_all(stage, as_of=AFTER)

    stage.refresh_from_db()
    assert stage.status == Stage.Status.CLOSED
    assert set(active_closures(stage)) == {KEL, KEC, KABKOTA}


def test_a_double_struck_off_by_a_choice_elsewhere_does_not_hold_up_the_kelurahan(case):
    nik = make_nik()
    a = case.supporter(nik)
    b_upload = case.upload("B")
    b = case.supporter(nik, upload=b_upload)
    case.supporter(make_nik(), upload=b_upload)
    verify(case.pair("B"))
    started(case.pair("A"))
    b_stage = stage_start(pair=case.pair("B"), opens=OPENS)
    enter(Task.objects.get(supporter=a), Finding.SESUAI, JUNE[3], chosen=case.pair("A"))
    for t in Task.objects.filter(stage=b_stage).exclude(supporter=b):
        enter(t, Finding.SESUAI, JUNE[3])

    closure = _close(b_stage, KEL, JUNE[4])  # the double chose A: nothing to visit for B

    assert (closure.counts["MS"], closure.counts["TMS"]) == (1, 1)
    assert Task.objects.get(supporter=b).note == "CHOSE_OTHER"


def test_closing_the_whole_stage_needs_the_number_it_turns_tms(stage):
    """Three never visited and one not brought in: the KPU states that 4 become TMS."""
    tasks = list(Task.objects.filter(stage=stage).order_by("pk"))
    enter(tasks[0], Finding.SESUAI)
    enter(tasks[1], Finding.TIDAK_DITEMUI, OPENS)  # its three days ended on 4 June
    assert stage_close_preview(stage=stage, as_of=AFTER) == {
        "unvisited": 3,
        "not_brought_in": 1,
        "total": 4,
    }
    for confirm in (None, 3, 5):
        with pytest.raises(ValidationError, match="menjadikan 4 pendukung TMS tanpa didatangi"):
            stage_close_all(stage=stage, as_of=AFTER, confirm=confirm)
    stage.refresh_from_db()
    assert stage.status == "open" and not Task.objects.filter(stage=stage, result="TMS").exists()
    assert stage_close_all(stage=stage, as_of=AFTER, confirm=4)["TMS"] == 4
