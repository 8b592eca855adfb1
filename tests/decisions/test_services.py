"""The KPU's decision (decisions/services.py): refused while anything is still open (an upload,
an unverified supporter, a stage, an unanswered advice, administrative MS not yet met in the
field), then recorded once from the final counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from candidates.models import Election, SupportUpload
from decisions.models import Decision
from decisions.services import decision_blockers, decision_record, renunciation_record
from fieldwork.models import Finding, Task
from fieldwork.supervision import advice_answer, advice_create
from tests.factories import make_nik
from tests.fieldwork.field import AFTER, close_all, enter, kpu, ms, started
from tests.verification.case import KEL, KEL_BARAT, KEL_UTARA, verify

pytestmark = pytest.mark.django_db

KEL_SELATAN = "31.74.01.1001"  # Tebet Timur, Jakarta Selatan
JUNE_3 = dt.date(2024, 6, 3)


@pytest.fixture
def pair(case):
    """The governor election with DPT 40 (threshold 4, spread 4 of 6 kab/kota); pair A has one
    MS supporter in each of Jakarta Pusat, Utara, Barat and Selatan."""
    Election.objects.filter(pk=case.election.pk).update(dpt_count=40)
    case.election.refresh_from_db()
    for kelurahan in (KEL, KEL_UTARA, KEL_BARAT, KEL_SELATAN):
        ms(case, 1, kelurahan=kelurahan)
    return case.pair("A")


def _refused(pair) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        decision_record(pair=pair)
    assert not Decision.objects.exists()
    return refused.value.messages


def _verfak(pair, finding=Finding.SESUAI):
    stage = started(pair)
    for t in Task.objects.filter(stage=stage):
        enter(t, finding, JUNE_3)
    return stage


def test_refused_while_administrative_ms_are_still_due_in_the_field(pair):
    verify(pair)
    assert _refused(pair) == ["4 pendukung MS belum diverifikasi faktual."]


def test_refused_while_a_supporter_is_not_verified_or_an_upload_is_in_flight(case, pair):
    case.upload("A", round=1)
    SupportUpload.objects.filter(round=1).update(status=SupportUpload.Status.RUNNING)
    messages = _refused(pair)
    assert "Masih ada unggahan daftar dukungan yang sedang diproses." in messages
    assert "Masih ada pendukung yang belum diverifikasi administrasi." in messages


def test_refused_while_a_stage_is_open_and_while_an_advice_is_unanswered(pair):
    stage = _verfak(pair)
    advice = advice_create(stage=stage, target="area", region_code=KEL, text="Ulangi kunjungan.")

    assert _refused(pair) == [
        "Verifikasi faktual 1 masih berlangsung: tutup dulu semua tingkatannya.",
        "1 saran perbaikan pengawas belum dijawab KPU.",
    ]

    advice_answer(advice=advice, accept=False, answer="Sudah diulang.")
    assert decision_blockers(pair=pair) == [
        "Verifikasi faktual 1 masih berlangsung: tutup dulu semua tingkatannya."
    ]


def test_a_pair_meeting_threshold_and_spread_is_decided_memenuhi_syarat(pair):
    close_all(_verfak(pair), as_of=AFTER)
    officer = kpu("31", "kpu_dki")

    decision = decision_record(pair=pair, by=officer)

    assert decision.result == Decision.Result.MEMENUHI
    assert (decision.ms, decision.threshold) == (4, 4)
    assert (decision.spread_achieved, decision.spread_required) == (4, 4)
    assert decision.decided_by == officer
    assert decision.standing["final"]["MS"] == 4 and decision.standing["verfak"]["MS"] == 4


def test_a_pair_short_of_the_spread_is_decided_tidak_memenuhi_syarat(case, pair):
    ms(case, 3, kelurahan=KEL)  # 7 MS, enough in number, but one denies in Jakarta Selatan
    stage = _verfak(pair)
    enter(Task.objects.get(stage=stage, kelurahan_code=KEL_SELATAN), Finding.TOLAK_TTD, JUNE_3)
    close_all(stage, as_of=AFTER)
    # Short of the spread after verfak 1: owed repair 1 unless renounced in writing.
    assert "masih berhak atas Perbaikan 1" in " ".join(decision_blockers(pair=pair))
    renunciation_record(pair=pair, round=1, letter="Nomor 7/2024, 1 Juli 2024")

    decision = decision_record(pair=pair)

    assert decision.result == Decision.Result.TIDAK_MEMENUHI
    assert (decision.ms, decision.spread_achieved) == (6, 3)


def test_a_pair_is_decided_once(pair):
    close_all(_verfak(pair), as_of=AFTER)
    decision_record(pair=pair)
    assert _refused_again(pair) == ["Keputusan untuk pasangan ini sudah ditetapkan."]


def _refused_again(pair) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        decision_record(pair=pair)
    assert Decision.objects.count() == 1
    return refused.value.messages


def test_an_unverified_repair_blocks_the_decision(case, pair):
    close_all(_verfak(pair), as_of=AFTER)
    case.supporter(make_nik(), upload=case.upload("A", round=1))
    assert _refused(pair) == ["Masih ada pendukung yang belum diverifikasi administrasi."]
