"""Factual verification in a real browser at a phone's size (390x844): a PPS records findings,
loses the connection, keeps recording, and every entry reaches the server exactly once; a PKD
attests a denial and files an advice that the KPU answers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Supporter
from fieldwork.models import Advice, Record, Stage, Task
from tests.browser.axe import axe_check
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, wait_until
from tests.factories import SupporterFactory, make_nik
from tests.fieldwork.world import KELURAHAN, fieldwork_objects_add

WAITING_TWO = (
    "document.getElementById('verfak-queue').textContent.includes('2 entri menunggu dikirim')"
)

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = ["Siti Aminah", "Budi Santoso", "Rina Kusuma", "Agus Salim", "Dewi Lestari"]


@pytest.fixture
def field(transactional_db, world):
    """Side A's pair with five supporters in Gambir (the first recorded TOLAK by its PPS), and
    passwords for the accounts that log in through the page."""
    upload = world.objects["a"]["upload"]
    for serial in (4, 5):
        SupporterFactory(
            upload=upload,
            nik=make_nik(region="317101", serial=serial),
            kelurahan_id=KELURAHAN["a"],
        )
    for i, supporter in enumerate(Supporter.objects.filter(pair=upload.pair).order_by("pk")):
        Supporter.objects.filter(pk=supporter.pk).update(
            name=NAMES[i], address=f"Jl. Cideng Timur No. {i + 3}", rt=f"{i + 1:03d}", rw="008"
        )
    fieldwork_objects_add(world)
    for username in ("pps_a", "pkd_a", "kpu_a"):
        user = world.users[username]
        user.set_password(PASSWORD)
        user.save()
    return world


def _row(task_id: int) -> str:
    return f'tr[data-task-row="{task_id}"]'


def _enter(page, task_id: int, finding: str, method: str = "KUNJUNGAN") -> None:
    """Open the row's form, choose the finding and the method, keep today's date, send."""
    row = _row(task_id)
    page.click(f"{row} details.entry summary")
    page.select_option(f"#id_t{task_id}-finding", finding)
    page.select_option(f"#id_t{task_id}-method", method)
    page.click(f"{row} form[data-verfak-entry] button[type=submit]")


def test_pps_records_offline_and_each_entry_reaches_the_server_once(
    field, open_as, live_server, shot
):
    tasks = list(Task.objects.filter(stage=field.objects["a"]["stage"]).order_by("pk"))
    assert len(tasks) == 5
    online, offline = tasks[1], tasks[2:4]
    context, page = open_as("pps_a", PHONE)

    # The home page leads the PPS to its kelurahan's worklist.
    worklist = reverse("verfak-worklist", args=[field.objects["a"]["stage"].pk, KELURAHAN["a"]])
    page.click(f'a[href="{worklist}"]')
    page.wait_for_url(live_server.url + worklist)
    wait_until(page, "document.getElementById('verfak').dataset.cached === '1'")
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    axe_check(page, "pps_a phone: worklist")
    shot(page, "verfak-worklist-phone")

    # 1. Online: recorded at once, the row shows the new state.
    page.click(f"{_row(online.pk)} details.entry summary")
    page.select_option(f"#id_t{online.pk}-finding", "SESUAI")
    page.select_option(f"#id_t{online.pk}-method", "KUNJUNGAN")
    assert page.is_hidden(f'{_row(online.pk)} [data-field="deceased_on"]')
    axe_check(page, "pps_a phone: entry form open")
    shot(page, "verfak-form-phone", full_page=False)
    page.click(f"{_row(online.pk)} form[data-verfak-entry] button[type=submit]")
    page.wait_for_selector(f'{_row(online.pk)} [data-cell="result"] .badge.MS')
    assert Record.objects.filter(task=online).count() == 1

    # 2. Offline: two more entries wait on the phone, and the banner says so.
    context.set_offline(True)
    _enter(page, offline[0].pk, "TIDAK_DITEMUI")
    _enter(page, offline[1].pk, "SESUAI", method="VIDEO_CALL")
    wait_until(
        page,
        "document.getElementById('verfak-queue').textContent.includes('2 entri menunggu dikirim')",
    )
    assert page.is_visible("#verfak-queue")
    assert page.evaluate("verfak.pending()") == 2
    assert not Record.objects.filter(task__in=offline).exists()
    axe_check(page, "pps_a phone: entries waiting offline")
    shot(page, "verfak-offline-phone", full_page=False)

    # A reload without a connection still shows the page (the service worker's copy), with
    # the entries still waiting.
    page.reload()
    page.wait_for_selector(_row(offline[0].pk))
    wait_until(
        page,
        "document.getElementById('verfak-queue').textContent.includes('2 entri menunggu dikirim')",
    )
    assert page.evaluate("caches.match(location.href).then(r => !!r)")
    queued = page.evaluate("verfak.queue()")
    assert [item["task"] for item in queued] == [str(offline[0].pk), str(offline[1].pk)]

    # 3. Back online: sent by themselves, the banner goes.
    context.set_offline(False)
    page.wait_for_selector("#verfak-queue", state="hidden", timeout=30_000)
    page.wait_for_selector(f'{_row(offline[1].pk)} [data-cell="result"] .badge.MS')
    assert page.evaluate("verfak.pending()") == 0

    # The retry firing again, and the very same entries sent once more: nothing new is kept.
    statuses = page.evaluate(
        """async (items) => {
            await Promise.all([verfak.flush(), verfak.flush()]);
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const out = [];
            for (const item of items) {
                const r = await fetch(item.url, {method: "POST", credentials: "same-origin",
                    headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                    body: JSON.stringify(item.body)});
                out.push(r.status);
            }
            return out;
        }""",
        queued,
    )
    assert statuses == [200, 200]
    records = Record.objects.filter(task__in=[online, *offline])
    assert records.count() == 3
    assert {str(r.client_id) for r in records.filter(task__in=offline)} == {
        item["body"]["client_id"] for item in queued
    }
    for task in (online, *offline):
        assert Record.objects.filter(task=task).count() == 1
    results = dict(Task.objects.filter(pk__in=[t.pk for t in offline]).values_list("pk", "result"))
    assert results == {offline[0].pk: "PENDING", offline[1].pk: "MS"}


def test_an_entry_refused_after_the_connection_returns_is_shown_not_lost(
    field, open_as, live_server
):
    stage = field.objects["a"]["stage"]
    task = Task.objects.filter(stage=stage, finding="").order_by("pk").first()
    context, page = open_as("pps_a", PHONE)
    page.goto(live_server.url + reverse("verfak-worklist", args=[stage.pk, KELURAHAN["a"]]))
    wait_until(page, "document.getElementById('verfak').dataset.cached === '1'")
    context.set_offline(True)
    _enter(page, task.pk, "SESUAI")
    wait_until(page, "verfak.pending() === 1")
    # Meanwhile the KPU ended the window yesterday: today's entry is now outside it.
    Stage.objects.filter(pk=stage.pk).update(closes=timezone.localdate() - dt.timedelta(days=1))
    context.set_offline(False)
    page.wait_for_selector("#verfak-rejected li", timeout=30_000)
    text = page.inner_text("#verfak-rejected")
    assert "Entri ditolak" in text and "TANGGAL" in text and "di luar masa verifikasi" in text
    assert page.get_attribute("#verfak-rejected li a", "href") == reverse(
        "verfak-task", args=[task.pk]
    )
    assert page.evaluate("verfak.pending()") == 0
    assert not Record.objects.filter(task=task).exists()
    axe_check(page, "pps_a phone: entry refused")


def test_pkd_attests_a_denial_and_files_an_advice_that_the_kpu_answers(
    field, open_as, live_server, shot
):
    stage = field.objects["a"]["stage"]
    denial = Task.objects.get(stage=stage, finding="TOLAK")
    _context, page = open_as("pkd_a", PHONE)
    worklist = reverse("verfak-worklist", args=[stage.pk, KELURAHAN["a"]])
    page.click(f'a[href="{worklist}"]')
    page.wait_for_url(live_server.url + worklist)

    axe_check(page, "pkd_a phone: worklist")
    # The attestation: only on the denial's row.
    assert page.locator("text=Saksikan penolakan").count() == 1
    row = _row(denial.pk)
    page.click(f"{row} details.entry summary")
    page.fill(
        f"#id_s{denial.pk}-statement", "Pendukung menolak di depan PKD, tidak mau tanda tangan."
    )
    page.click(f"{row} details.entry form button[type=submit]")
    page.wait_for_selector(".messages .success")
    page.wait_for_selector(f'{row} [data-cell="result"] .badge.TMS')
    denial.refresh_from_db()
    assert (denial.attested, denial.result) == (True, "TMS")
    axe_check(page, "pkd_a phone: denial attested")

    # The advice, about the supporter of another row.
    other = Task.objects.filter(stage=stage, finding="").order_by("pk").first()
    page.click(f'{_row(other.pk)} a:has-text("Ajukan saran perbaikan")')
    page.wait_for_selector("#id_text")
    assert page.input_value("#id_target") == "supporter"
    axe_check(page, "pkd_a phone: advice form")
    page.fill("#id_text", "Pendukung ini belum dikunjungi; mohon dijadwalkan.")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=Menunggu jawaban")
    advice = Advice.objects.get(task=other, by=field.users["pkd_a"])
    axe_check(page, "pkd_a phone: advice filed")

    # The KPU sees it open on the pair's page and answers it.
    _context, desk = open_as("kpu_a", DESKTOP)
    desk.goto(live_server.url + reverse("verfak-pair", args=[stage.pair_id]))
    desk.wait_for_selector(f'a[href="{reverse("verfak-advice", args=[advice.pk])}"]')
    axe_check(desk, "kpu_a desktop: fieldwork of the pair")
    shot(desk, "verfak-pair-desktop")
    desk.click(f'a[href="{reverse("verfak-advice", args=[advice.pk])}"]')
    desk.check("input[name=accept][value='1']")
    desk.fill("#id_answer", "Diterima: PPS menjadwalkan kunjungan ulang besok.")
    desk.click("main form button[type=submit]")
    desk.wait_for_selector("text=Saran perbaikan dijawab.")
    axe_check(desk, "kpu_a desktop: advice answered")
    advice.refresh_from_db()
    assert (advice.status, advice.answered_by) == ("accepted", field.users["kpu_a"])
    assert re.search(r"Diterima", desk.inner_text("h1"))
