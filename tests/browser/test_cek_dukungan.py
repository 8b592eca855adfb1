"""The citizen's check in a real browser at a phone's size (390x844): a citizen types NIK and
birth date, sees the pair, objects with a photo of the signed statement, gets the reference
code and follows it; the KPU of the kab/kota clarifies and confirms; the code then says so."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse

from objections.models import Objection
from tests.browser.axe import axe_check
from tests.browser.conftest import PASSWORD, PHONE
from tests.factories import make_nik
from verification.models import ReasonMark

pytestmark = pytest.mark.django_db(transaction=True)

BIRTH = dt.date(1990, 1, 1)  # the world's supporters (tests/conftest.py)
NIK = make_nik(birth=BIRTH, region="317101", serial=1)  # pair A's first supporter
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256


@pytest.fixture
def citizen_world(transactional_db, world, settings):
    settings.CHECK_RESPONSE_FLOOR_MS = 60
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"browser-{uuid.uuid4().hex}"  # its own rate counters
    settings.CACHES = {**settings.CACHES, "default": default}
    kpu = world.users["kpu_a"]
    kpu.set_password(PASSWORD)
    kpu.save()
    return world


def _phone(browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_a_citizen_checks_objects_and_follows_the_code_on_a_phone(
    citizen_world, browser, open_as, live_server, shot
):
    context, page = _phone(browser)
    page.goto(live_server.url + reverse("check"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    axe_check(page, "citizen: check")
    page.fill("#id_nik", "3171 0101 0190 0001")  # typed in groups, as on the card
    page.fill("#id_name", "Pendukung 31.71.01.1001 1")  # the name on the list (tests/conftest.py)
    page.fill("#id_birth_date", BIRTH.isoformat())
    shot(page, "cek-dukungan-phone", full_page=False)
    page.click("form[action='/cek-dukungan/'] button[type=submit]")

    # Listed for two pairs: side A's mayor pair and the governor pair, each with its stage.
    page.wait_for_selector("#hasil [data-support]")
    result = page.inner_text("#hasil")
    assert "Paslon A" in result and "Paslon Gubernur" in result
    assert "belum diverifikasi" in result
    assert "Pendukung 31.71" not in result  # no name, nothing but pair, election and stage
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(page, "citizen: check answered")
    shot(page, "cek-dukungan-hasil-phone")

    # The objection against pair A, with a photo of the signed statement.
    support = page.locator("[data-support]", has_text="Paslon A")
    support.locator("summary").click()
    support.locator("input[type=radio][value=tidak_pernah]").check()
    support.locator("input[name$='-contact']").fill("0812-7777-1234")
    support.locator("textarea[name$='-note']").fill("Saya tidak pernah menyerahkan KTP-el.")
    support.locator("input[type=file]").set_input_files(
        files=[{"name": "IMG_2024.png", "mimeType": "image/png", "buffer": PNG}]
    )
    axe_check(page, "citizen: objection form")
    shot(page, "cek-dukungan-tanggapan-phone")
    support.locator("button[type=submit]").click()
    page.wait_for_selector("#kode")
    reference = page.inner_text("#kode").strip()
    assert re.fullmatch(r"TM-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", reference)
    objection = Objection.objects.get(reference=reference)
    assert (objection.pair.name, objection.statement.size) == ("Paslon A", len(PNG))
    axe_check(page, "citizen: reference code")
    shot(page, "cek-dukungan-kode-phone")

    # Following it: the status only.
    page.click(f"a[href='{reverse('objection-track')}']")
    page.fill("#id_reference", reference.lower().replace("-", " "))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#status")
    assert "menunggu klarifikasi" in page.inner_text("#status")
    assert "0812" not in page.content()
    axe_check(page, "citizen: tracking")

    # The KPU of Jakarta Pusat clarifies and confirms, on its phone too.
    _kpu_confirms(open_as, live_server, objection)
    assert ReasonMark.objects.filter(supporter=objection.supporter).exists()

    page.fill("#id_reference", reference)
    page.click("main form button[type=submit]")
    page.wait_for_selector("#status:has-text('Terbukti')")
    shot(page, "cek-dukungan-status-phone")
    context.close()


def _kpu_confirms(open_as, live_server, objection) -> None:
    _ctx, desk = open_as("kpu_a", PHONE)
    desk.goto(live_server.url + reverse("objection-detail", args=[objection.pk]))
    assert "0812-7777-1234" in desk.inner_text("main")
    axe_check(desk, "kpu_a: objection")
    desk.select_option("#id_k-method", "telepon")
    when = dt.datetime.now() - dt.timedelta(hours=1)
    desk.fill("#id_k-happened_at", when.strftime("%Y-%m-%dT%H:%M"))
    desk.fill("#id_k-note", "Dihubungi lewat telepon: membenarkan tidak pernah mendukung.")
    desk.click("form:has(input[value=clarify]) button[type=submit]")
    desk.wait_for_selector("text=Klarifikasi dicatat.")
    desk.check("input[name='d-confirmed'][value='1']")
    desk.click("form:has(input[value=decide]) button[type=submit]")
    desk.wait_for_selector("text=Keputusan atas tanggapan dicatat.")
    axe_check(desk, "kpu_a: objection decided")
