"""A new finding is one entry in fieldwork/findings.py (issue 20): added here in the test alone,
it is recorded through the service, by the phone form's API and by a sheet, counted by area and
by finding, and shown with its label and note on the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fieldwork import findings
from fieldwork.counts import area_counts
from fieldwork.findings import TMS, FindingKind
from fieldwork.models import Task
from fieldwork.records import record_entry
from fieldwork.rules import NOTES
from tests.fieldwork.world import KELURAHAN, entry

CODE = "ALAMAT_FIKTIF"
LABEL = "Alamat tidak ditemukan (fiktif)"
NOTE = "FICTITIOUS_ADDRESS"
NOTE_LABEL = "Alamat pendukung tidak ada di kelurahan ini"


@pytest.fixture
def fictitious(monkeypatch):
    kind = FindingKind(
        CODE,
        LABEL,
        TMS,
        NOTE,
        NOTE_LABEL,
        hint="alamat tidak ada",
        methods=findings.NOT_BROUGHT_IN,
    )
    monkeypatch.setitem(findings.FINDINGS, CODE, kind)
    return kind


def test_a_finding_added_to_the_table_alone_is_recorded_counted_and_shown(
    client, verfak, fictitious
):
    stage = verfak.objects["a"]["stage"]
    task = Task.objects.filter(stage=stage, finding="").order_by("pk").first()
    pps = verfak.users["pps_a"]

    outcome = record_entry(task=task, entry=entry(CODE), by=pps)
    assert outcome.changed, outcome.errors
    assert (outcome.task.result, outcome.task.note) == ("TMS", NOTE)
    assert NOTES[NOTE] == NOTE_LABEL

    counts = area_counts(stage, KELURAHAN["a"])
    assert counts["by_finding"][CODE] == 1

    client.force_login(pps)
    worklist = client.get(
        reverse("verfak-worklist", kwargs={"pk": stage.pk, "code": KELURAHAN["a"]})
    ).content.decode()
    assert LABEL in worklist and NOTE_LABEL in worklist
    assert f'value="{CODE}"' in worklist  # the entry form offers it
    page = client.get(reverse("verfak-task", args=[task.pk])).content.decode()
    assert LABEL in page


def test_the_table_checks_an_added_finding_s_methods(verfak, fictitious):
    stage = verfak.objects["a"]["stage"]
    task = Task.objects.filter(stage=stage, finding="").order_by("pk").first()
    outcome = record_entry(
        task=task, entry=entry(CODE, method="DIHADIRKAN"), by=verfak.users["pps_a"]
    )
    assert not outcome.changed
    assert {e.column for e in outcome.errors} >= {"METODE"} or outcome.errors


def test_the_api_takes_an_added_finding(client, verfak, fictitious):
    stage = verfak.objects["a"]["stage"]
    task = Task.objects.filter(stage=stage, finding="").order_by("pk").first()
    client.force_login(verfak.users["pps_a"])
    body = entry(CODE)
    response = client.post(
        reverse("api-verfak-task-records", args=[task.pk]),
        {
            "client_id": "5b0e3a4e-64a4-4d47-9a3e-0e1f7b7f5a11",
            "finding": CODE,
            "method": body.method,
            "visited_on": body.visited_on.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["finding_label"] == LABEL
    assert response.json()["note_label"] == NOTE_LABEL
