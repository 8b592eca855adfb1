"""Issue 21 item 5: a KPU Kab/Kota exports its area's results of an election it does not run
(a governor election), exactly the rows its results page shows, none outside its area."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from verification.exports import export_open
from verification.models import Export

pytestmark = pytest.mark.django_db

NAME = re.compile(r"Pendukung (3\d\.\d\d\.\d\d\.\d{4}) (\d+)")


def test_a_kpu_kabkota_exports_its_areas_part_of_a_governor_election(
    client, world, eager, django_capture_on_commit_callbacks
):
    from tests.fieldwork.world import verified as run_verified

    pair = world.governor_pair
    run_verified(pair)
    user = world.users["kpu_a"]  # KPU Kota Jakarta Pusat (31.71); the election is DKI's (31)
    client.force_login(user)
    results = client.get(reverse("verification-results", kwargs={"pk": pair.pk}))
    exports = reverse("verification-exports", kwargs={"pk": pair.pk})
    assert exports in results.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(exports)
    assert response.status_code == 302
    export = Export.objects.get(requested_by=user)
    assert export.area == "31.71"
    with export_open(export) as fh:
        rows = list(openpyxl.load_workbook(io.BytesIO(fh.read())).active.values)[1:]
    names = {tuple(NAME.fullmatch(row[2]).groups()) for row in rows}
    assert names == set(NAME.findall(results.content.decode()))
    assert names and {kelurahan[:5] for kelurahan, _n in names} == {"31.71"}
    # Its download is its own: the KPU of the other kab/kota does not open it.
    client.force_login(world.users["kpu_b"])
    assert client.get(reverse("verification-export", kwargs={"pk": export.pk})).status_code == 404
