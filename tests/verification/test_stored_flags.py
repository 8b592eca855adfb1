"""Red flags derived once (verification/derived.py): computed when a run ends (the task, the
command), stored, and read by the recap without computing them again; a new run replaces them;
a decided objection refreshes the flags of the apps above (the misuse flag) alone."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from electorate.models import Role
from tests.factories import make_nik
from tests.fieldwork.field import staff
from tests.verification.case import Counting
from verification.derived import red_flags_stored, run_derive
from verification.engine import run_create, verification_run
from verification.models import RunDerived
from verification.redflags import red_flags_compute
from verification.selectors import red_flags_for
from verification.tasks import verification_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def flags_conf(settings):
    settings.VERIFICATION_RED_FLAGS = {**settings.VERIFICATION_RED_FLAGS, "address_min": 4}


def _at_one_address(case, n: int, address: str = "Jl. Kenari 5") -> None:
    for _ in range(n):
        case.supporter(make_nik(), address=address, rt="001", rw="002")


def _addresses(flags) -> list[int]:
    return [f["supporters"] for f in flags if f["kind"] == "address"]


def test_the_task_stores_the_flags_when_the_run_ends_and_pages_only_read_them(
    case, flags_conf, monkeypatch, eager
):
    _at_one_address(case, 5)
    pair = case.pair("A")
    counting = Counting(monkeypatch)
    run = run_create(pair=pair)

    verification_task.delay(run.pk)

    assert counting.calls == 1
    stored = RunDerived.objects.get(pair=pair)
    assert stored.run_id == run.pk and _addresses(stored.flags) == [5]
    for _ in range(3):
        assert _addresses(red_flags_stored(pair=pair)) == [5]
    assert counting.calls == 1
    assert red_flags_stored(pair=pair) == red_flags_compute(pair=pair)


def test_verify_admin_stores_them_too(case, flags_conf, monkeypatch):
    _at_one_address(case, 4)
    counting = Counting(monkeypatch)
    call_command("verify_admin", "--pair", str(case.pair("A").pk), "--json")
    assert counting.calls == 1
    assert RunDerived.objects.filter(pair=case.pair("A"), run__isnull=False).exists()


def test_a_run_that_ended_elsewhere_is_derived_on_first_read_then_kept(
    case, flags_conf, monkeypatch
):
    _at_one_address(case, 4)
    pair = case.pair("A")
    verification_run(run_id=run_create(pair=pair).pk)  # no task: no derive
    counting = Counting(monkeypatch)
    assert _addresses(red_flags_stored(pair=pair)) == [4]
    assert _addresses(red_flags_stored(pair=pair)) == [4]
    assert counting.calls == 1


def test_a_new_run_replaces_the_flags_of_the_last(case, flags_conf, eager):
    _at_one_address(case, 4)
    pair = case.pair("A")
    verification_task.delay(run_create(pair=pair).pk)
    assert _addresses(red_flags_stored(pair=pair)) == [4]

    # A repair upload adds two more at the address: the flags follow the next run.
    _at_one_address(case, 2)
    assert _addresses(red_flags_stored(pair=pair)) == [4]  # as the last run left them
    run = verification_run(run_id=run_create(pair=pair).pk)
    run_derive(run=run)
    assert _addresses(red_flags_stored(pair=pair)) == [6]
    assert RunDerived.objects.filter(pair=pair).count() == 1


def test_flags_of_a_pair_never_verified_go_when_a_new_upload_is_loaded(case, flags_conf):
    from candidates.models import SupportUpload
    from candidates.signals import support_upload_done

    _at_one_address(case, 4)
    pair = case.pair("A")
    assert _addresses(red_flags_stored(pair=pair)) == [4]
    _at_one_address(case, 1)
    support_upload_done.send(sender=SupportUpload, upload=case.default_upload())
    assert _addresses(red_flags_stored(pair=pair)) == [5]


def test_the_recap_page_reads_the_stored_flags_in_the_users_area(
    client, case, flags_conf, monkeypatch, eager
):
    _at_one_address(case, 4)
    pair = case.pair("A")
    verification_task.delay(run_create(pair=pair).pk)
    bawaslu = staff("bawaslu_utara", Role.BAWASLU, "31.72")
    province = staff("bawaslu_dki", Role.BAWASLU, "31")
    counting = Counting(monkeypatch)
    client.force_login(province)
    page = client.get(reverse("verification-recap", args=[pair.pk])).content.decode()
    assert "4 pendukung pada satu alamat" in page
    assert red_flags_for(user=bawaslu, pair=pair) == []  # Gambir is not Jakarta Utara's
    assert counting.calls == 0
