"""The decision page (decisions/views.py): the standing, what blocks the decision, and the KPU's
decision once recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision
from fieldwork.models import Stage
from fieldwork.supervision import advice_answer
from tests.fieldwork.field import close_all
from tests.fieldwork.world import fieldwork_objects_add


@pytest.fixture
def verfak(world):
    return fieldwork_objects_add(world)


def _url(pair) -> str:
    return reverse("decision-pair", kwargs={"pk": pair.pk})


def _close(verfak) -> None:
    """Verfak 1 of side A answered and closed after its window."""
    stage = verfak.objects["a"]["stage"]
    advice_answer(advice=verfak.objects["a"]["advice"], accept=False, answer="Sudah ditemui")
    Stage.objects.filter(pk=stage.pk).update(closes=timezone.localdate() - dt.timedelta(days=1))
    stage.refresh_from_db()
    close_all(stage)


def test_kpu_sees_the_standing_and_what_blocks_the_decision(client, verfak):
    pair = verfak.objects["a"]["pair"]
    client.force_login(verfak.users["kpu_a"])
    page = client.get(_url(pair)).content.decode()
    assert "Kedudukan sesudah verifikasi faktual 1" in page
    assert "Verifikasi faktual 1 masih berlangsung" in page
    assert "1 saran perbaikan pengawas belum dijawab KPU." in page
    assert "Tetapkan keputusan" in page and " disabled>" in page
    # A mayor election with 800.000 voters on its roll: 7,5% of them.
    assert "60.000" in page
    response = client.post(_url(pair), follow=True)
    assert not Decision.objects.exists()
    assert any("masih berlangsung" in str(m) for m in response.context["messages"])


def test_kpu_records_the_decision_once_everything_is_closed(client, verfak):
    pair = verfak.objects["a"]["pair"]
    _close(verfak)
    client.force_login(verfak.users["kpu_a"])
    page = client.get(_url(pair)).content.decode()
    # Short after verfak 1: repair 1 is owed, unless the pair renounces it in writing.
    assert "masih berhak atas Perbaikan 1" in page and "Catat surat pernyataan" in page
    client.post(_url(pair), {"action": "renounce", "round": "1", "letter": "Nomor 3/2024"})
    page = client.get(_url(pair)).content.decode()
    assert "Tidak ada yang menghalangi" in page
    client.post(_url(pair))
    decision = Decision.objects.get(pair=pair)
    assert (decision.result, decision.ms, decision.threshold) == (
        "tidak_memenuhi_syarat",
        1,
        60_000,
    )
    assert decision.decided_by == verfak.users["kpu_a"]
    page = client.get(_url(pair)).content.decode()
    assert "Tidak memenuhi syarat dukungan" in page and "Ditetapkan oleh kpu_a" in page
    assert "Tetapkan keputusan" not in page
    # Decided, the page no longer asks for a repair (the standing's status before a decision).
    assert "Wajib menyerahkan perbaikan" not in page and "Perbaikan wajib" not in page
    assert "Ditetapkan: tidak memenuhi syarat dukungan" in page
    response = client.post(_url(pair), follow=True)
    assert Decision.objects.count() == 1
    assert any("sudah ditetapkan" in str(m) for m in response.context["messages"])


@pytest.mark.parametrize("username", ["tim_a", "bawaslu_a", "pkd_a"])
def test_the_team_and_bawaslu_read_the_standing_and_may_not_decide(client, verfak, username):
    pair = verfak.objects["a"]["pair"]
    _close(verfak)
    client.force_login(verfak.users[username])
    page = client.get(_url(pair)).content.decode()
    assert "MS akhir terhadap syarat minimal" in page
    assert "Tetapkan keputusan" not in page
    assert client.post(_url(pair)).status_code == 403
    assert not Decision.objects.exists()


def test_committees_do_not_open_the_decision_page(client, verfak):
    client.force_login(verfak.users["pps_a"])
    assert client.get(_url(verfak.objects["a"]["pair"])).status_code == 403
