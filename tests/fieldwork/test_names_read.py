"""Names read on the field pages leave a trace: every worklist page and every task page a PPS,
PKD or KPU opens is a `names.read` event in the audit trail (who, which pair, which page, how
many rows), as the results list's pages are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import Event
from fieldwork.models import Task
from tests.fieldwork.world import KELURAHAN

pytestmark = pytest.mark.django_db


def _reads(user) -> list[dict]:
    return list(
        Event.objects.filter(action="names.read", actor_id=user.pk)
        .order_by("pk")
        .values("data", "target", "area")
    )


@pytest.mark.parametrize("username", ["pps_a", "pkd_a", "kpu_a"])
def test_every_worklist_page_opened_is_a_names_read_event(login, verfak, username):
    stage = verfak.objects["a"]["stage"]
    url = reverse("verfak-worklist", args=[stage.pk, KELURAHAN["a"]])
    client = login(username)
    assert client.get(url).status_code == 200
    assert client.get(url + "?status=belum").status_code == 200
    reads = _reads(verfak.users[username])
    assert [r["data"]["what"] for r in reads] == [f"verfak-worklist:{KELURAHAN['a']}"] * 2
    assert [r["data"]["rows"] for r in reads] == [3, 2]
    assert reads[0]["data"]["page"] == 1
    assert all(r["target"].endswith(str(stage.pair_id)) for r in reads)


def test_a_task_page_opened_is_a_names_read_event(login, verfak):
    task = Task.objects.filter(stage=verfak.objects["a"]["stage"]).order_by("pk").first()
    client = login("pps_a")
    assert client.get(reverse("verfak-task", args=[task.pk])).status_code == 200
    (read,) = _reads(verfak.users["pps_a"])
    assert read["data"] == {"what": f"verfak-task:{task.pk}", "rows": 1, "page": 1}


def test_a_page_refused_leaves_no_read(login, verfak):
    task = Task.objects.filter(stage=verfak.objects["b"]["stage"]).first()
    client = login("pps_a")  # side B's task: not in reach
    assert client.get(reverse("verfak-task", args=[task.pk])).status_code == 404
    assert _reads(verfak.users["pps_a"]) == []
