"""The field API (fieldwork/api.py): the phone's entries, recorded once per client_id, refused
with the sheet's column names, and the same 403/404 as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldwork.closing import area_close
from fieldwork.models import Record, Task
from tests.fieldwork.world import KELURAHAN, entry


def _url(task) -> str:
    return reverse("api-verfak-task-records", kwargs={"pk": task.pk})


def _body(**overrides) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "finding": "SESUAI",
        "method": "KUNJUNGAN",
        "visited_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
    }
    body.update(overrides)
    return body


def _task(verfak, i: int = 1) -> Task:
    return verfak.objects["a"]["tasks"][i]


def _post(client, task, body):
    return client.post(_url(task), body, content_type="application/json")


def test_an_entry_is_recorded_with_the_tasks_new_state(login, verfak):
    task = _task(verfak)
    response = _post(login("pps_a"), task, _body())
    assert response.status_code == 201
    data = response.json()
    assert (data["id"], data["finding"], data["result"]) == (task.pk, "SESUAI", "MS")
    assert data["note_label"] == "Ditemui dan membenarkan dukungan"
    record = Record.objects.get(task=task)
    assert record.by == verfak.users["pps_a"] and record.source == "form"


def test_the_same_client_id_twice_is_recorded_once(login, verfak):
    client = login("pps_a")
    task = _task(verfak)
    body = _body(finding="TIDAK_DITEMUI")
    assert _post(client, task, body).status_code == 201
    again = _post(client, task, body)
    assert again.status_code == 200
    assert again.json()["finding"] == "TIDAK_DITEMUI"
    assert Record.objects.filter(task=task).count() == 1
    assert Record.objects.get(task=task).client_id == uuid.UUID(body["client_id"])


def test_an_entry_that_changes_nothing_is_200_and_writes_nothing(login, verfak):
    client = login("pps_a")
    task = _task(verfak)
    assert _post(client, task, _body()).status_code == 201
    assert _post(client, task, _body()).status_code == 200
    assert Record.objects.filter(task=task).count() == 1


@pytest.mark.parametrize(
    ("overrides", "column", "text"),
    [
        ({"finding": "BOHONG"}, "HASIL", ""),
        ({"visited_on": "2099-01-01"}, "TANGGAL", "belum terjadi"),
        ({"visited_on": "2020-01-01"}, "TANGGAL", "di luar masa verifikasi faktual"),
        ({"finding": "MENINGGAL"}, "TANGGAL_MENINGGAL", "tanggal meninggal"),
        ({"chosen_pair_id": 1}, "PASLON_PILIHAN", "pendukung ganda"),
        ({"client_id": "bukan-uuid"}, "CLIENT_ID", ""),
    ],
)
def test_a_refused_entry_says_which_column_and_why(login, verfak, overrides, column, text):
    task = _task(verfak)
    response = _post(login("pps_a"), task, _body(**overrides))
    assert response.status_code == 400
    data = response.json()
    assert data["detail"]
    assert column in [e["column"] for e in data["errors"]], data
    assert text in " ".join(e["message"] for e in data["errors"])
    assert not Record.objects.filter(task=task).exists()


def test_a_closed_kelurahan_refuses_phone_entries(login, verfak):
    for task in verfak.objects["a"]["tasks"][1:]:
        from fieldwork.records import record_entry

        record_entry(task=task, entry=entry("SESUAI"), by=verfak.users["pps_a"])
    area_close(stage=verfak.objects["a"]["stage"], region_code=KELURAHAN["a"])
    response = _post(login("pps_a"), _task(verfak), _body(finding="PINDAH"))
    assert response.status_code == 400
    assert "sudah ditutup" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("username", "get", "post"),
    [
        ("pps_a", 200, 201),
        ("ppk_a", 200, 201),
        ("kpu_a", 200, 201),
        ("pkd_a", 200, 403),  # reads the worklist, records nothing
        ("bawaslu_a", 403, 403),  # no names above a kelurahan
        ("tim_a", 403, 403),  # its results are on the pair's page
        ("pps_b", 404, 404),  # another kelurahan
        ("tim_b", 404, 404),  # another pair
    ],
)
def test_who_reads_and_who_records(login, verfak, username, get, post):
    client = login(username)
    task = _task(verfak)
    assert client.get(_url(task)).status_code == get
    assert _post(client, task, _body()).status_code == post
    assert Record.objects.filter(task=task).count() == (1 if post == 201 else 0)


def test_anonymous_is_refused(client, verfak):
    response = _post(client, _task(verfak), _body())
    assert response.status_code == 403
    assert response.json()["detail"] == "Silakan masuk terlebih dahulu."


def test_get_returns_the_task_and_its_history(login, verfak):
    task = verfak.objects["a"]["tasks"][0]  # TOLAK, recorded by pps_a
    data = login("kpu_a").get(_url(task)).json()
    assert data["task"]["finding"] == "TOLAK" and data["task"]["result"] == "MS"
    assert [(r["by"], r["source"], r["values"]["finding"]) for r in data["records"]] == [
        ("pps_a", "form", "TOLAK")
    ]
