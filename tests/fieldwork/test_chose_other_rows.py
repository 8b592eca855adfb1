"""A double supporter who chose another pair is TMS on this pair's task without a visit: the
pages list the row under TMS with its note, never under "belum diverifikasi" (issue 18), and
the kelurahan's count of those still to visit leaves them out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from electorate.models import Role
from fieldwork.models import Finding, Task
from fieldwork.rules import NOTES
from tests.factories import make_nik
from tests.fieldwork.field import KABKOTA, enter, kpu, pps, staff, started, task
from tests.verification.case import KEL, verify

pytestmark = pytest.mark.django_db

CHOSE_OTHER = str(NOTES["CHOSE_OTHER"])


@pytest.fixture
def chose_a(case):
    """SITI GANDA is listed by A and B; B also has BUDI TUNGGAL. Both stages started, then
    SITI chose A at A's visit: B's task of her is TMS (CHOSE_OTHER), never visited. Returns
    B's two tasks (SITI's, BUDI's)."""
    nik = make_nik()
    a = case.supporter(nik, name="SITI GANDA")
    b_upload = case.upload("B")
    b = case.supporter(nik, upload=b_upload, name="SITI GANDA")
    plain = case.supporter(make_nik(), upload=b_upload, name="BUDI TUNGGAL")
    verify(case.pair("B"))
    started(case.pair("A"))
    started(case.pair("B"))
    assert enter(a, Finding.SESUAI, dt.date(2024, 6, 3), chosen=case.pair("A")).changed
    siti = task(b)
    assert (siti.finding, siti.result, siti.note) == ("", "TMS", "CHOSE_OTHER")
    return siti, task(plain)


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _worklist(siti: Task, **query) -> str:
    url = reverse("verfak-worklist", kwargs={"pk": siti.stage_id, "code": KEL})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _stat(page: str, label: str) -> str:
    found = re.search(
        rf'<div class="stat-label">{label}</div><div class="stat"[^>]*>([^<]*)</div>', page
    )
    assert found, label
    return found.group(1)


def test_the_pps_worklist_lists_the_double_who_chose_another_pair_under_tms(client, chose_a):
    siti, budi = chose_a
    client.force_login(pps(KEL))

    to_visit = _get(client, _worklist(siti, status="belum"))
    tms = _get(client, _worklist(siti, status="TMS"))

    assert f'data-task-row="{siti.pk}"' not in to_visit
    assert f'data-task-row="{budi.pk}"' in to_visit
    assert f'data-task-row="{siti.pk}"' in tms and CHOSE_OTHER in tms
    row = tms.split(f'data-task-row="{siti.pk}"')[1].split("</tr>")[0]
    assert "Tanpa kunjungan" in row and ">Belum<" not in row
    assert _stat(_get(client, _worklist(siti)), "Belum diverifikasi") == "1"  # BUDI alone


def test_the_kelurahan_may_be_closed_once_everyone_else_is_recorded(client, chose_a):
    siti, budi = chose_a
    enter(budi, Finding.SESUAI, dt.date(2024, 6, 4))
    client.force_login(kpu(KABKOTA))

    page = _get(client, _worklist(siti))

    assert _stat(page, "Belum diverifikasi") == "0"
    assert "Tutup kelurahan ini" in page


def test_the_team_reads_the_row_under_tms_with_its_note(client, case, chose_a):
    siti, _budi = chose_a
    client.force_login(staff("tim_b", Role.TIM, KABKOTA, pair=case.pair("B")))
    url = reverse("verfak-pair", kwargs={"pk": case.pair("B").pk})

    to_visit = _get(client, f"{url}?tahap=1&status=belum")
    tms = _get(client, f"{url}?tahap=1&status=TMS")

    assert "SITI GANDA" not in to_visit and "BUDI TUNGGAL" in to_visit
    assert "SITI GANDA" in tms and CHOSE_OTHER in tms


def test_the_pair_page_counts_her_apart_from_those_still_to_visit(client, case, chose_a):
    client.force_login(kpu(KABKOTA))

    page = _get(client, reverse("verfak-pair", kwargs={"pk": case.pair("B").pk}))

    counts = dict(re.findall(r'<tr><td>([^<]+)</td><td class="num">([^<]+)</td></tr>', page))
    assert (counts["Belum diverifikasi"], counts["Tanpa kunjungan, TMS"]) == ("1", "1")


def test_her_task_page_says_no_visit_and_the_pair_she_chose(client, case, chose_a):
    siti, _budi = chose_a
    client.force_login(pps(KEL))

    page = _get(client, reverse("verfak-task", kwargs={"pk": siti.pk}))

    cell = page.split('data-cell="finding">')[1].split("</dd>")[0]
    assert "Tanpa kunjungan" in cell and "memilih A" in cell
    assert "Belum diverifikasi" not in cell
