"""Verification pages: KPU starts a run, everyone concerned follows it, the recap and red flags
for KPU and Bawaslu, the team's own results and XLSX."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from candidates.models import Election
from verification.models import Export, VerificationRun


def test_kpu_starts_a_run_from_the_page_and_sees_it_finished(client, world, verified):
    run = VerificationRun.objects.get(pair=verified)
    assert run.status == "done"
    assert run.started_by == world.users["kpu_a"]
    client.force_login(world.users["kpu_a"])
    page = client.get(reverse("verification-run", kwargs={"pk": verified.pk})).content.decode()
    assert "Selesai" in page
    assert "TMS 3" in page
    assert "Verifikasi administrasi dimulai." not in page  # the result replaced it
    assert 'hx-trigger="every 2s"' not in page  # finished: no card polls itself


@pytest.mark.parametrize("user", ["tim_a", "bawaslu_a", "pps_a"])
def test_team_and_commission_see_the_run_status(client, world, verified, user):
    client.force_login(world.users[user])
    url = reverse("verification-status", kwargs={"pk": verified.pk})
    assert "Selesai" in client.get(url).content.decode()


def test_status_partial_polls_while_the_run_is_going(client, world, verified):
    VerificationRun.objects.filter(pair=verified).update(
        status="running", chunks_total=4, chunks_done=1, phase="write"
    )
    client.force_login(world.users["tim_a"])
    url = reverse("verification-status", kwargs={"pk": verified.pk})
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page
    # Matching done (50%), then a quarter of the writing (45% / 4).
    assert "61%" in page and "Menulis hasil per pendukung" in page


@pytest.mark.parametrize("user", ["tim_a", "pps_a", "bawaslu_a"])
def test_only_the_kpu_running_the_election_starts_a_run(client, world, user):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users[user])
    response = client.post(reverse("verification-run", kwargs={"pk": pair.pk}))
    assert response.status_code == 403
    assert not VerificationRun.objects.filter(pair=pair).exists()


def test_starting_without_a_roll_shows_why(client, world):
    pair = world.objects["a"]["pair"]
    Election.objects.filter(pk=pair.election_id).update(roll=None)
    client.force_login(world.users["kpu_a"])
    response = client.post(reverse("verification-run", kwargs={"pk": pair.pk}), follow=True)
    assert "belum memiliki DPT" in response.content.decode()


def test_recap_page_shows_threshold_spread_and_the_region_table(client, world, verified):
    client.force_login(world.users["kpu_a"])
    page = client.get(reverse("verification-recap", kwargs={"pk": verified.pk})).content.decode()
    assert "Kota Jakarta Pusat" in page and "Gambir" in page
    assert "Perbaikan wajib" in page
    assert "Tanda bahaya" in page


def test_bawaslu_sees_red_flags_and_the_team_does_not(client, world, verified):
    url = reverse("verification-recap", kwargs={"pk": verified.pk})
    client.force_login(world.users["bawaslu_a"])
    assert "Tanda bahaya" in client.get(url).content.decode()
    client.force_login(world.users["tim_a"])
    assert "Tanda bahaya" not in client.get(url).content.decode()


def test_team_sees_its_supporters_with_status_and_reasons(client, world, verified):
    client.force_login(world.users["tim_a"])
    url = reverse("verification-results", kwargs={"pk": verified.pk})
    page = client.get(url, {"status": "TMS"}).content.decode()
    assert page.count('<span class="badge TMS">TMS</span>') == 3
    assert "Tidak terdaftar di DPT" in page
    assert "Tidak ada pendukung" in client.get(url, {"status": "MS"}).content.decode()


def test_team_downloads_its_results_as_xlsx_with_masked_nik(
    client, world, verified, django_capture_on_commit_callbacks
):
    client.force_login(world.users["tim_a"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("verification-exports", kwargs={"pk": verified.pk}))
    export = Export.objects.get(requested_by=world.users["tim_a"], pair=verified)
    response = client.get(reverse("verification-export-file", kwargs={"pk": export.pk}))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # decrypted as it is streamed
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    assert all("********" in row[1] for row in rows)


def test_a_large_recap_table_opens_one_branch_at_a_time():
    from electorate.areas import AREA_ROWS_ALL
    from verification.views import recap_rows_focused

    rows = [{"level": 1, "code": "31.71"}, {"level": 1, "code": "31.72"}]
    for kec in range(1, 9):
        rows.append({"level": 2, "code": f"31.71.0{kec}"})
        rows += [{"level": 3, "code": f"31.71.0{kec}.100{k}"} for k in range(1, 8)]
    assert len(rows) > AREA_ROWS_ALL

    shown, collapsed = recap_rows_focused(rows, "")
    assert collapsed and [r["code"] for r in shown] == ["31.71", "31.72"]
    shown, _ = recap_rows_focused(rows, "31.71.03")
    codes = [r["code"] for r in shown]
    assert "31.71.02" in codes and "31.71.03.1001" in codes and "31.71.02.1001" not in codes
    assert next(r for r in shown if r["code"] == "31.71.03")["open"]
    assert recap_rows_focused(rows[:10], "") == (rows[:10], False)


def test_red_flag_percentages_are_written_the_indonesian_way(client, world, verified):
    from unittest import mock

    flag = {
        "kind": "share",
        "level": "kabkota",
        "region": "31.71",
        "region_name": "Jakarta Pusat",
        "supporters": 10231,
        "roll": 16607,
        "share": 0.6161,
        "limit": 0.25,
        "message": "x",
    }
    client.force_login(world.users["kpu_a"])
    with mock.patch("verification.selectors.red_flags_stored", return_value=[flag]):
        page = client.get(reverse("verification-recap", kwargs={"pk": verified.pk})).content
    page = page.decode()
    assert "10.231 pendukung = 61,6% dari 16.607 pemilih" in page
