"""Bawaslu in the field (fieldwork/supervision.py): the Form A report, correction advice on a
supporter, an area or the procedure, and the KPU's answer: accepted (with the corrected entry,
whose record points to the advice) or rejected (with a reason), never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fieldwork.closing import area_close
from fieldwork.models import Advice, Finding, Method, Report, Task
from fieldwork.records import Entry
from fieldwork.supervision import advice_answer, advice_create, advice_owner, report_create
from tests.fieldwork.field import AFTER, KEC, KEL2, close_all, enter, kpu, pkd
from tests.verification.case import KEL, KEL_OUTSIDE

pytestmark = pytest.mark.django_db

JUNE_3 = dt.date(2024, 6, 3)


def _task(stage) -> Task:
    return Task.objects.filter(stage=stage, kelurahan_code=KEL).order_by("pk").first()


def _observed_at():
    return timezone.now() - dt.timedelta(hours=2)


def test_form_a_report_keeps_what_was_seen_where_and_when(stage):
    supervisor = pkd()
    when = _observed_at()
    report = report_create(
        stage=stage,
        region_code=KEL,
        observed_at=when,
        place=" RW 03 Kelurahan Gambir ",
        observed="PPS mengunjungi 3 pendukung; 1 tidak ditemui.",
        by=supervisor,
        task=_task(stage),
    )
    assert Report.objects.get() == report
    assert (report.place, report.by, report.observed_at, report.task) == (
        "RW 03 Kelurahan Gambir",
        supervisor,
        when,
        _task(stage),
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"place": " "}, "Isi tempat dan hasil pengawasan."),
        ({"observed": ""}, "Isi tempat dan hasil pengawasan."),
        ({"observed_at": timezone.now() + dt.timedelta(days=1)}, "belum terjadi"),
        ({"region_code": KEL_OUTSIDE}, "di dalam wilayah pemilihan"),
    ],
)
def test_form_a_report_is_refused_without_place_text_past_time_or_area(stage, changes, message):
    values = {
        "region_code": KEL,
        "observed_at": _observed_at(),
        "place": "Kantor PPS",
        "observed": "Diamati.",
        **changes,
    }
    with pytest.raises(ValidationError, match=message):
        report_create(stage=stage, **values)
    assert not Report.objects.exists()


def test_advice_on_a_supporter_lies_in_the_supporters_kelurahan(stage):
    advice = advice_create(
        stage=stage, target="supporter", task=_task(stage), text="Kunjungi ulang.", by=pkd()
    )
    assert (advice.region_code, advice.status, advice.target) == (KEL, "open", "supporter")
    assert advice_owner(advice) == "31.71"  # the KPU of Jakarta Pusat answers


def test_advice_on_an_area_and_on_the_procedure(stage):
    area = advice_create(stage=stage, target="area", region_code=KEC, text="Rekap ulang.")
    procedure = advice_create(
        stage=stage, target="procedure", region_code="31", text="Jadwalkan video call."
    )
    assert (area.region_code, area.task) == (KEC, None)
    assert advice_owner(procedure) == "31"  # the whole province: the KPU Provinsi answers


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"target": "rumor"}, "Pilih sasaran"),
        ({"target": "supporter"}, "Pilih pendukung"),
        ({"target": "area", "region_code": KEL_OUTSIDE}, "di dalam wilayah pemilihan"),
        ({"target": "area", "region_code": KEL, "text": " "}, "Tuliskan saran"),
    ],
)
def test_advice_is_refused_without_a_target_a_place_inside_or_a_text(stage, values, message):
    with pytest.raises(ValidationError, match=message):
        advice_create(stage=stage, **{"text": "Saran.", **values})


def test_no_advice_on_a_closed_stage(stage):
    close_all(stage, as_of=AFTER)
    with pytest.raises(ValidationError, match="sudah ditutup"):
        advice_create(stage=stage, target="area", region_code=KEL, text="Terlambat.")


def test_accepted_advice_corrects_the_supporter_and_the_record_points_to_it(stage):
    t = _task(stage)
    enter(t, Finding.SESUAI, JUNE_3)
    advice = advice_create(
        stage=stage, target="supporter", task=t, text="Pendukung ternyata pindah ke Bogor."
    )
    officer = kpu()

    answered = advice_answer(
        advice=advice,
        accept=True,
        answer="Diterima: dikoreksi menjadi PINDAH.",
        by=officer,
        correction=Entry(finding=Finding.PINDAH, method=Method.KUNJUNGAN, visited_on=JUNE_3),
    )

    assert (answered.status, answered.answered_by, answered.answer) == (
        "accepted",
        officer,
        "Diterima: dikoreksi menjadi PINDAH.",
    )
    assert answered.answered_at is not None
    t.refresh_from_db()
    assert (t.finding, t.result) == ("PINDAH", "TMS")
    record = t.records.latest("pk")
    assert (record.source, record.advice, record.by) == ("advice", advice, officer)
    assert record.reason == "Diterima: dikoreksi menjadi PINDAH."


def test_accepted_advice_corrects_a_closed_kelurahan(stage):
    for t in Task.objects.filter(stage=stage, kelurahan_code=KEL):
        enter(t, Finding.SESUAI, JUNE_3)
    closure = area_close(stage=stage, region_code=KEL, as_of=JUNE_3)
    t = _task(stage)
    advice = advice_create(stage=stage, target="supporter", task=t, text="Menolak, ada saksi.")

    advice_answer(
        advice=advice,
        accept=True,
        answer="Diterima.",
        correction=Entry(finding=Finding.TOLAK_TTD, method=Method.KUNJUNGAN, visited_on=JUNE_3),
    )

    closure.refresh_from_db()
    assert (closure.counts["MS"], closure.counts["TMS"]) == (2, 1)


def test_a_correction_that_is_refused_leaves_the_advice_open(stage):
    t = _task(stage)
    advice = advice_create(stage=stage, target="supporter", task=t, text="Periksa.")
    with pytest.raises(ValidationError, match="Isi tanggal meninggal"):
        advice_answer(
            advice=advice,
            accept=True,
            answer="Diterima.",
            correction=Entry(finding=Finding.MENINGGAL, method="KUNJUNGAN", visited_on=JUNE_3),
        )
    advice.refresh_from_db()
    assert advice.status == "open" and not t.records.exists()


def test_a_correction_needs_an_advice_about_a_supporter(stage):
    advice = advice_create(stage=stage, target="area", region_code=KEL2, text="Periksa.")
    with pytest.raises(ValidationError, match="hanya untuk saran tentang seorang pendukung"):
        advice_answer(
            advice=advice,
            accept=True,
            answer="Diterima.",
            correction=Entry(finding="SESUAI", method="KUNJUNGAN", visited_on=JUNE_3),
        )


def test_rejecting_an_advice_needs_a_reason(stage):
    advice = advice_create(stage=stage, target="area", region_code=KEL, text="Ulangi.")
    with pytest.raises(ValidationError, match="alasan bila ditolak"):
        advice_answer(advice=advice, accept=False, answer="  ")
    advice.refresh_from_db()
    assert advice.status == "open"

    rejected = advice_answer(advice=advice, accept=False, answer="Sudah diulang 4 Juni.")

    assert (rejected.status, rejected.answer) == ("rejected", "Sudah diulang 4 Juni.")


def test_an_advice_is_answered_once(stage):
    advice = advice_create(stage=stage, target="area", region_code=KEL, text="Ulangi.")
    advice_answer(advice=advice, accept=True, answer="Diterima.")
    with pytest.raises(ValidationError, match="sudah dijawab"):
        advice_answer(advice=advice, accept=False, answer="Berubah pikiran.")
    assert Advice.objects.get().status == "accepted"
