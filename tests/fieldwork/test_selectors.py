"""Who sees and does what in the field (fieldwork/selectors.py), one test per rule: a PPS and a
PKD only in their kelurahan, Bawaslu above a kelurahan without names, a team only its own pair,
and who closes and reopens each level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from electorate.models import Role
from fieldwork import selectors
from fieldwork.models import Task
from fieldwork.supervision import advice_create, report_create
from tests.factories import UserFactory
from tests.fieldwork.field import KABKOTA, KEC, KEL2, PROVINCE, kpu, pkd, pps, staff
from tests.verification.case import KEL

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(case, stage):
    """Everyone around pair A's stage (Gambir: 3 supporters, Cideng: 2)."""
    return {
        "pps_gambir": pps(KEL, "pps_gambir"),
        "pps_cideng": pps(KEL2, "pps_cideng"),
        "ppk": staff("ppk_gambir", Role.PPK, KEC),
        "pkd_gambir": pkd(KEL, "pkd_gambir"),
        "bawaslu": staff("bawaslu_pusat", Role.BAWASLU, KABKOTA),
        "kpu_kab": kpu(KABKOTA, "kpu_pusat"),
        "kpu_utara": kpu("31.72", "kpu_utara"),
        "kpu_prov": kpu(PROVINCE, "kpu_dki"),
        "tim_a": staff("tim_a", Role.TIM, PROVINCE, pair=case.pair("A")),
        "tim_b": staff("tim_b", Role.TIM, PROVINCE, pair=case.pair("B")),
        "su": UserFactory(username="su", is_superuser=True),
    }


def _kelurahan(users, who, stage) -> dict[str, int]:
    tasks = selectors.tasks_visible(user=users[who], stage=stage)
    found: dict[str, int] = {}
    for code in tasks.values_list("kelurahan_code", flat=True):
        found[code] = found.get(code, 0) + 1
    return found


def test_a_pps_sees_the_worklist_of_its_kelurahan_only(users, stage):
    assert _kelurahan(users, "pps_gambir", stage) == {KEL: 3}
    assert _kelurahan(users, "pps_cideng", stage) == {KEL2: 2}


def test_a_pkd_sees_the_worklist_of_its_kelurahan_only(users, stage):
    assert selectors.is_pkd(users["pkd_gambir"]) and not selectors.is_pkd(users["bawaslu"])
    assert _kelurahan(users, "pkd_gambir", stage) == {KEL: 3}


def test_bawaslu_above_a_kelurahan_sees_no_names(users, stage):
    assert _kelurahan(users, "bawaslu", stage) == {}


def test_ppk_and_kpu_see_every_worklist_of_their_area(users, stage):
    assert _kelurahan(users, "ppk", stage) == {KEL: 3, KEL2: 2}
    assert _kelurahan(users, "kpu_kab", stage) == {KEL: 3, KEL2: 2}
    assert _kelurahan(users, "kpu_utara", stage) == {}


def test_the_home_page_lists_a_ppk_every_worklist_of_its_kecamatan(users, stage):
    """A PPK reaches its kelurahan's worklists from home, as a PPS reaches its own."""
    rows = selectors.worklists_for(user=users["ppk"])
    assert [(r["code"], r["total"], r["todo"]) for r in rows] == [(KEL, 3, 3), (KEL2, 2, 2)]
    assert rows[1]["name"] == "Cideng"
    assert [r["code"] for r in selectors.worklists_for(user=users["pps_gambir"])] == [KEL]
    assert selectors.worklists_for(user=users["bawaslu"]) == []
    assert selectors.worklists_for(user=users["kpu_kab"]) == []  # the KPU's is the pair page


def test_a_team_sees_its_own_pair_only(users, stage):
    assert _kelurahan(users, "tim_a", stage) == {KEL: 3, KEL2: 2}
    assert _kelurahan(users, "tim_b", stage) == {}
    assert list(selectors.stages_visible(user=users["tim_a"], pair=stage.pair)) == [stage]
    assert not selectors.stages_visible(user=users["tim_b"], pair=stage.pair).exists()


def test_a_pps_records_only_in_its_kelurahan_and_a_supervisor_never(users, stage):
    gambir = Task.objects.filter(stage=stage, kelurahan_code=KEL).first()
    assert selectors.may_record(user=users["pps_gambir"], task=gambir)
    assert not selectors.may_record(user=users["pps_cideng"], task=gambir)
    assert selectors.may_record(user=users["kpu_kab"], task=gambir)
    assert not selectors.may_record(user=users["pkd_gambir"], task=gambir)
    assert not selectors.may_record(user=users["tim_a"], task=gambir)


def test_the_supervisor_of_the_area_attests_a_denial(users, stage):
    gambir = Task.objects.filter(stage=stage, kelurahan_code=KEL).first()
    cideng = Task.objects.filter(stage=stage, kelurahan_code=KEL2).first()
    assert selectors.may_attest(user=users["pkd_gambir"], task=gambir)
    assert not selectors.may_attest(user=users["pkd_gambir"], task=cideng)
    assert not selectors.may_attest(user=users["pps_gambir"], task=gambir)


def test_corrections_and_the_stage_are_the_kpu_running_the_election(users, stage):
    # The governor election is run by the KPU Provinsi.
    assert selectors.may_correct(user=users["kpu_prov"], stage=stage)
    assert selectors.may_manage_stage(user=users["kpu_prov"], pair=stage.pair)
    assert not selectors.may_correct(user=users["pps_gambir"], stage=stage)
    assert not selectors.may_manage_stage(user=users["tim_a"], pair=stage.pair)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("pps_gambir", {KEL}),
        ("pps_cideng", {KEL2}),
        ("ppk", {KEC}),
        ("kpu_kab", {KEL, KEL2, KEC, KABKOTA}),
        ("kpu_prov", {KEL, KEL2, KEC, KABKOTA, PROVINCE}),
        ("bawaslu", set()),
        ("pkd_gambir", set()),
        ("tim_a", set()),
    ],
)
def test_each_level_closes_its_own_area(users, who, allowed):
    codes = {KEL, KEL2, KEC, KABKOTA, PROVINCE}
    assert {c for c in codes if selectors.may_close(user=users[who], region_code=c)} == allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("pps_gambir", set()),
        ("ppk", {KEL, KEL2}),
        ("kpu_kab", {KEL, KEL2, KEC}),
        ("kpu_prov", {KEL, KEL2, KEC, KABKOTA}),
        ("su", {KEL, KEL2, KEC, KABKOTA, PROVINCE}),
        ("bawaslu", set()),
    ],
)
def test_the_level_above_reopens(users, who, allowed):
    codes = {KEL, KEL2, KEC, KABKOTA, PROVINCE}
    assert {c for c in codes if selectors.may_reopen(user=users[who], region_code=c)} == allowed


def test_advice_is_seen_in_its_area_and_above_never_by_a_team(users, stage):
    advice = advice_create(stage=stage, target="area", region_code=KEL2, text="Ulangi.")
    seen = {
        who for who in users if advice in selectors.advice_visible(user=users[who], stage=stage)
    }
    assert seen == {"pps_cideng", "ppk", "bawaslu", "kpu_kab", "kpu_prov", "su"}


def test_the_kpu_of_the_advices_kabkota_answers_it(users, stage):
    local = advice_create(stage=stage, target="area", region_code=KEL, text="Ulangi.")
    province = advice_create(stage=stage, target="procedure", region_code=PROVINCE, text="Ulangi.")
    assert selectors.may_answer(user=users["kpu_kab"], advice=local)
    assert not selectors.may_answer(user=users["kpu_utara"], advice=local)
    assert not selectors.may_answer(user=users["kpu_kab"], advice=province)
    assert selectors.may_answer(user=users["kpu_prov"], advice=province)
    assert not selectors.may_answer(user=users["bawaslu"], advice=local)


def test_form_a_reports_are_kpu_and_bawaslu_business(users, stage):
    report_create(
        stage=stage,
        region_code=KEL,
        observed_at=timezone.now() - dt.timedelta(hours=1),
        place="Kantor PPS",
        observed="Diamati.",
    )
    seen = {
        who for who in users if selectors.reports_visible(user=users[who], stage=stage).exists()
    }
    assert seen == {"pkd_gambir", "bawaslu", "kpu_kab", "kpu_prov", "su"}
