"""Accessible pages (issue 21 item 4), in a real browser with axe-core (tests/browser/axe.py):

- every page each role (national, provincial, kab/kota, kecamatan, kelurahan, supervisors and a
  team) reaches from its home by following links, at a phone's width (the journey's pages: one
  page of each kind, the numbers in its address and its query's values set aside), and the
  public pages (the sign-in page, the citizens' check with its answer and its errors, the
  tracking page, the BA lookup, a Berita Acara's verification page, a page not found) have no
  serious or critical violation; the run prints a line per page (url, violations by impact);
- the PPS's entry form on a task page and the public check are filled, submitted and answered
  with the keyboard alone (the skip link, Tab, arrows, typing and Enter: no click);
- the recap's charts each keep a table with the same figures, for screen readers.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from documents.services import Meeting, minutes_issue
from tests.browser.axe import axe_check
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from tests.conftest import national_users_add
from tests.factories import make_nik
from tests.fieldwork.world import fieldwork_objects_add
from verification.charts import MUTED
from verification.engine import run_create, verification_run

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = [
    "kpu_ri", "bawaslu_ri", "kpu_prov", "kpu_a", "ppk_a", "pps_a", "pkd_a", "bawaslu_a", "tim_a",
]  # fmt: skip
BIRTH = dt.date(1990, 1, 1)  # the world's supporters (tests/conftest.py)
NIK = make_nik(birth=BIRTH, region="317101", serial=1)  # pair A's first supporter
# Links a crawl does not follow: signing out, the admin, the API, files and downloads.
SKIP = re.compile(r"^/(keluar|admin|api|static|media)/|/unduh/|\.(csv|xlsx|pdf|zip|js)$")
PAGES_PER_ROLE = 60


@pytest.fixture
def a11y_world(transactional_db, world, eager, settings):
    """The world (two sides, their lists verified; KPU RI and Bawaslu RI), its fieldwork (a
    stage, tasks, an advice, a report, a sheet), pair A's minutes, and a password for every
    account."""
    settings.CHECK_RESPONSE_FLOOR_MS = 0
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"a11y-{uuid.uuid4().hex}"  # its own rate counters
    settings.CACHES = {**settings.CACHES, "default": default}
    fieldwork_objects_add(world)
    national_users_add(world)
    pair = world.objects["a"]["pair"]
    verification_run(run_id=run_create(pair=pair).pk)
    world.minutes = minutes_issue(
        pair=pair,
        stage="vermin",
        round=0,
        meeting=Meeting(date=dt.date(2024, 6, 20), place="Kantor KPU Kota Jakarta Pusat"),
    )
    for user in world.users.values():
        user.set_password(PASSWORD)
        user.save()
    return world


def _kind(url: str) -> str:
    """A page's kind: its path with each number as N, and its query's keys alone."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path)
    keys = sorted({p.split("=")[0] for p in parts.query.split("&") if p})
    return path + ("?" + "&".join(keys) if keys else "")


def _html(context, url: str) -> bool:
    response = context.request.get(url, max_redirects=0)
    return response.status == 200 and "text/html" in response.headers.get("content-type", "")


def _crawl(context, page, start: str, label: str) -> list[str]:
    """Visit the pages reachable by links from start, one of each kind, checking each; the
    failures are collected (every page is checked) and returned."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    queue, seen, failures, visited = [start], {_kind(start)}, [], 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.pop(0)
        if not _html(context, url):
            continue
        page.goto(url)
        page.wait_for_load_state("load")
        visited += 1
        try:
            axe_check(page, label)
        except AssertionError as failure:
            failures.append(str(failure))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urljoin(url, href).split("#")[0]
            if not target.startswith(origin) or SKIP.search(urlsplit(target).path):
                continue
            if _kind(target) not in seen:
                seen.add(_kind(target))
                queue.append(target)
    assert visited > 1, f"{label}: no page beyond {start}"
    return failures


def test_every_page_each_role_reaches_from_home_has_no_serious_violation(
    a11y_world, open_as, live_server
):
    """One world for every role (building it is most of the time): each role signs in and
    walks its pages at a phone's width; every page is checked before the test says which
    failed."""
    failures = []
    for username in ROLES:
        # A phone's width: tables scroll in their boxes, targets are fingers' (the journeys
        # check their pages at a desk's width too).
        context, page = open_as(username, PHONE)
        failures += _crawl(context, page, live_server.url + "/", username)
        context.close()
    assert failures == [], "\n\n".join(failures)


def test_the_public_pages_have_no_serious_violation(a11y_world, browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(15_000)
    page = context.new_page()
    failures = []
    for name, args in (
        ("login", []),
        ("check", []),
        ("objection-track", []),
        ("minutes-lookup", []),
        ("minutes-verify", [a11y_world.minutes.code]),
        (None, []),  # a page not found
    ):
        page.goto(live_server.url + (reverse(name, args=args) if name else "/tidak-ada/"))
        try:
            axe_check(page, "public")
        except AssertionError as failure:
            failures.append(str(failure))
    # The check's answer, and the form's errors.
    page.goto(live_server.url + reverse("check"))
    page.fill("#id_nik", NIK)
    page.fill("#id_name", "Pendukung 31.71.01.1001 1")
    page.fill("#id_birth_date", BIRTH.isoformat())
    page.click("form[action='/cek-dukungan/'] button[type=submit]")
    page.wait_for_selector("#hasil [data-support]")
    axe_check(page, "public: check answered")
    page.goto(live_server.url + reverse("check"))
    page.fill("#id_nik", "123")
    page.click("form[action='/cek-dukungan/'] button[type=submit]")
    page.wait_for_selector(".errorlist")
    axe_check(page, "public: check refused")
    context.close()
    assert failures == [], "\n\n".join(failures)


# --- the keyboard alone ----------------------------------------------------------------------


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            # The focused element shows it: an outline or a box shadow.
            style = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
            )
            assert style[0] != "none" or style[2] != "none", (selector, style)
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_public_check_is_filled_and_answered_with_the_keyboard_alone(
    a11y_world, browser, live_server
):
    context = browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server.url + reverse("check"))
    # The skip link comes first and takes the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('a.skip-link')")
    _tab_to(page, "#id_nik")
    page.keyboard.type(NIK)
    _tab_to(page, "#id_name")
    page.keyboard.type("Pendukung 31.71.01.1001 1")
    _tab_to(page, "#id_birth_date")
    # A date field takes its parts typed in the locale's order (Indonesian: day, month, year).
    page.keyboard.type(BIRTH.strftime("%d%m%Y"))
    assert page.input_value("#id_birth_date") == BIRTH.isoformat()
    page.keyboard.press("Enter")
    page.wait_for_selector("#hasil [data-support]")
    assert page.locator("#hasil [data-support]").count() >= 1
    axe_check(page, "keyboard: check answered")
    context.close()


def test_the_pps_records_a_finding_on_a_task_page_with_the_keyboard_alone(
    a11y_world, open_as, live_server
):
    context, page = open_as("pps_a", DESKTOP)
    task = a11y_world.objects["a"]["tasks"][2]  # not yet visited
    page.goto(live_server.url + reverse("verfak-task", args=[task.pk]))
    form = "form[data-verfak-entry]"
    page.wait_for_selector(form)
    axe_check(page, "keyboard: task page")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('a.skip-link')")
    page.keyboard.press("Enter")  # to the content: the next Tab is inside <main>
    _tab_to(page, f"{form} select[name$='-finding']")
    _select_by_keyboard(page, "SESUAI")
    _tab_to(page, f"{form} select[name$='-method']")
    _select_by_keyboard(page, "KUNJUNGAN")
    _tab_to(page, f"{form} input[name$='-visited_on']")
    assert page.evaluate("document.activeElement.value") == dt.date.today().isoformat()
    _tab_to(page, f"{form} button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-cell="result"] .badge.MS')
    task.refresh_from_db()
    assert (task.finding, task.method, task.result) == ("SESUAI", "KUNJUNGAN", "MS")
    axe_check(page, "keyboard: task recorded")
    context.close()


def _select_by_keyboard(page, value: str) -> None:
    """A closed select's option changes with the arrow keys, as a keyboard user moves it."""
    for _ in range(30):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the focused select never took {value}")


# --- charts and their tables -----------------------------------------------------------------


def test_the_recaps_charts_each_keep_a_table_of_the_same_figures(a11y_world, open_as, live_server):
    pair = a11y_world.objects["a"]["pair"]
    _context, page = open_as("kpu_a", DESKTOP)
    page.goto(live_server.url + reverse("verification-recap", args=[pair.pk]))
    page.wait_for_selector("figure.chart svg")
    charts = page.locator("figure.chart")
    assert charts.count() >= 2
    for i in range(charts.count()):
        chart = charts.nth(i)
        key = chart.get_attribute("data-chart")
        # The drawing is a picture with a name, or hidden; its figures are in a table.
        svg = chart.locator("svg").first
        assert svg.get_attribute("aria-hidden") == "true" or (
            svg.get_attribute("role") == "img" and (svg.get_attribute("aria-label") or "")
        ), key
        table = chart.locator("table")
        assert table.count() == 1, key
        assert table.locator("th").count() >= 2, key
        assert table.locator("caption").count() == 1 or table.get_attribute("aria-label"), key
        rows = table.locator("tbody tr").count()
        assert rows >= 1, key
        # Every figure the drawing writes is in its table (the axis' 0-100% ticks aside).
        drawn = chart.locator("svg text").evaluate_all(
            "ts => ts.map(t => [t.textContent, t.getAttribute('fill')])"
        )
        figures = {
            figure
            for text, fill in drawn
            if fill != MUTED
            for figure in re.findall(r"[<\d][\d.,]*%?", text)
        }
        listed = table.evaluate("t => t.textContent")
        assert figures and [f for f in figures if f not in listed] == [], (key, figures)
    axe_check(page, "recap charts")
