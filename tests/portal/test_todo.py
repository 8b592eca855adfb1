"""The home page's to-do list (portal/todo.py) on the demo, role by role.

Every item is a link; where the page it links to prints its number in a `data-figure`
attribute, the number on the item is that number (no second count). Then the list follows the
work: an entry on the worklist takes one supporter off the PPS's item (and off the worklist's
counter fragment, which the page asks for after each entry), an attestation one denial off the
PKD's, an answer the advice off the KPU's.
"""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from documents.models import Minutes
from fieldwork.models import Advice, Finding, Method, Stage, Task
from fieldwork.selectors import to_attest
from fieldwork.services import Entry, advice_answer, attest_denial, record_entry
from portal.todo import todo_for

pytestmark = pytest.mark.django_db

ITEM = re.compile(
    r'<li data-todo="([a-z_]+)"(?: data-todo-figure="([^"]+)")?(?: data-todo-count="(\d+)")?>'
    r'\s*<a href="([^"]+)">'
)
FIGURE = re.compile(r'data-figure="([^"]+)" data-value="(-?\d+)"')
CIDENG = "31.71.01.1002"
USERS = ("kpu_dki", "kpu_jakpus", "ppk_gambir", "pps_cideng", "pkd_cideng", "tim_a", "tim_b")


@pytest.fixture
def demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_setup", scale=0.002, stdout=io.StringIO())


def _user(name: str):
    return get_user_model().objects.get(username=name)


def _home_items(client, name: str) -> list[tuple[str, str, int | None, str]]:
    client.force_login(_user(name))
    page = client.get(reverse("home")).content.decode()
    assert "Yang perlu dikerjakan" in page
    return [
        (kind, figure, int(count) if count else None, url.replace("&amp;", "&"))
        for kind, figure, count, url in ITEM.findall(page)
    ]


def _figures(client, url: str) -> dict[str, int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {k: int(v) for k, v in FIGURE.findall(response.content.decode())}


def test_each_roles_items_count_as_the_page_they_link_to(client, demo):
    kinds: dict[str, set[str]] = {}
    for name in USERS:
        items = _home_items(client, name)
        kinds[name] = {kind for kind, *_ in items}
        for kind, figure, count, url in items:
            if figure:
                assert _figures(client, url).get(figure) == count, (name, kind, url)
            else:
                assert client.get(url).status_code == 200, (name, kind, url)
    # The KPU: the advice waiting for its answer (KPU Jakarta Pusat's too), the stage to close;
    # the PPS: supporters to meet and those who may be brought in; the PKD: denials to attest;
    # the teams: their stage, the bring-ins and the shortfall, the decided pair its decision.
    assert {"advice", "stage_close"} <= kinds["kpu_dki"]
    assert "advice" in kinds["kpu_jakpus"]
    assert "visit" in kinds["pps_cideng"]
    not_met = Task.objects.filter(kelurahan_code=CIDENG, finding=Finding.TIDAK_DITEMUI)
    assert ("bring_in" in kinds["pps_cideng"]) == not_met.filter(result="PENDING").exists()
    assert "visit" in kinds["ppk_gambir"]
    denials = Task.objects.filter(to_attest(), kelurahan_code=CIDENG, stage__status="open")
    assert kinds["pkd_cideng"] == ({"attest"} if denials.exists() else set())
    assert {"team_stage", "repair", "window"} <= kinds["tim_a"]
    waiting = Task.objects.filter(
        stage__pair__name__startswith="Andi", finding=Finding.TIDAK_DITEMUI, result="PENDING"
    )
    assert ("team_bring_in" in kinds["tim_a"]) == waiting.exists()
    assert kinds["tim_b"] == {"decision"}


def test_the_list_follows_the_work(client, demo):
    """One demo, each step in turn (the demo takes a minute and a half to build)."""
    _kpu_answers_the_advice()
    _an_entry_moves_the_pps_item_and_the_worklists_counters(client)
    _pkd_attests_and_its_item_follows(client)
    _minutes_to_issue_name_the_stage_without_them(client)


def _kpu_answers_the_advice():
    """KPU Jakarta Pusat sees every open advice of its city; answered, the item goes."""
    stage = Stage.objects.get(pair__name__startswith="Andi", number=1)
    advice = Advice.objects.filter(stage=stage, status=Advice.Status.OPEN)
    items = [i for i in todo_for(user=_user("kpu_jakpus")) if i["kind"] == "advice"]
    assert [i["count"] for i in items] == [advice.count()] and advice.count() >= 1
    assert items[0]["deadline"] == stage.closes and items[0]["days_left"] is not None
    # Answered: the item goes.
    for one in advice:
        advice_answer(advice=one, accept=False, answer="Sudah diulang.", by=_user("kpu_jakpus"))
    assert not [i for i in todo_for(user=_user("kpu_jakpus")) if i["kind"] == "advice"]


def _an_entry_moves_the_pps_item_and_the_worklists_counters(client):
    pps = _user("pps_cideng")
    visit = next(i for i in todo_for(user=pps) if i["kind"] == "visit")
    task = Task.objects.filter(kelurahan_code=CIDENG, finding="", stage__status="open").first()
    stage = task.stage
    counters = reverse("verfak-worklist-counts", args=[stage.pk, task.kelurahan_code])
    client.force_login(pps)
    before = _figures(client, counters)
    assert before["worklist.todo"] == visit["count"]
    entry = Entry(finding=Finding.SESUAI, method=Method.KUNJUNGAN, visited_on=timezone.localdate())
    record_entry(task=task, entry=entry, by=pps)
    after = _figures(client, counters)
    assert after["worklist.todo"] == visit["count"] - 1
    assert after["worklist.MS"] == before["worklist.MS"] + 1
    again = [i["count"] for i in todo_for(user=pps) if i["kind"] == "visit"]
    assert again == ([visit["count"] - 1] if visit["count"] > 1 else [])


def _pkd_attests_and_its_item_follows(client):
    pkd = _user("pkd_cideng")
    # A denial recorded by the PPS today (a finding changed while the kelurahan is open).
    task = (
        Task.objects.filter(kelurahan_code=CIDENG, stage__status="open", attested=False)
        .filter(result__in=["MS", "PENDING"])
        .order_by("pk")
        .last()
    )
    entry = Entry(finding=Finding.TOLAK, method=Method.KUNJUNGAN, visited_on=timezone.localdate())
    outcome = record_entry(task=task, entry=entry, by=_user("pps_cideng"))
    assert not getattr(outcome, "errors", None), outcome
    item = next(i for i in todo_for(user=pkd) if i["kind"] == "attest")
    client.force_login(pkd)
    assert _figures(client, item["url"])["worklist.listed"] == item["count"]
    task = Task.objects.filter(kelurahan_code=CIDENG, finding=Finding.TOLAK, attested=False).first()
    attest_denial(task=task, by=pkd, statement="Pendukung menyatakan tidak pernah mendukung.")
    left = [i["count"] for i in todo_for(user=pkd) if i["kind"] == "attest"]
    assert left in ([item["count"] - 1], [])


def _minutes_to_issue_name_the_stage_without_them(client):
    pair_b = Minutes.objects.filter(stage="decision").get().pair
    Minutes.objects.filter(pair=pair_b, stage="decision").delete()
    items = [i for i in todo_for(user=_user("kpu_dki")) if i["kind"] == "minutes"]
    # A decided pair is no longer "managed" for runs, but its minutes are still owed.
    assert [i["url"] for i in items] == [reverse("minutes-pair", args=[pair_b.pk])]
    assert items[0]["count"] == 1 and "Penetapan" in items[0]["note"]
