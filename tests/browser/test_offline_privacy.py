"""A PPS's worklist kept for offline use goes with the session that read it (Chromium at a
phone's size): readable offline while signed in, never kept in clear, unreadable and deleted
once the cookies are gone (cleared, or the browser closed without signing out), once the
session's hours are over, and at sign-out."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import PHONE, wait_until
from tests.browser.test_verfak import NAMES, field  # noqa: F401 (the fixture)
from tests.fieldwork.world import KELURAHAN

pytestmark = pytest.mark.django_db(transaction=True)

# Every response kept by the page's origin, as text, whichever cache holds it.
CACHED_TEXT = """async () => {
    const out = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            const response = await cache.match(request);
            out.push(name + " " + request.url + "\\n" + await response.text());
        }
    }
    return out.join("\\n");
}"""
PAGE_COPIES = "caches.keys().then(n => n.filter(k => k.startsWith('verfak-')"
PAGE_COPIES += " && k !== 'verfak-static-v2').length)"


def _worklist_opened(open_as, live_server, field):  # noqa: F811
    stage = field.objects["a"]["stage"]
    url = live_server.url + reverse("verfak-worklist", args=[stage.pk, KELURAHAN["a"]])
    context, page = open_as("pps_a", PHONE)
    page.goto(url)
    wait_until(page, "document.getElementById('verfak').dataset.cached === '1'")
    return context, page, url


def _shows_names(page) -> bool:
    text = page.content()
    return any(name in text for name in NAMES)


def test_a_worklist_read_offline_needs_the_session_that_read_it(field, open_as, live_server):  # noqa: F811
    context, page, url = _worklist_opened(open_as, live_server, field)
    # Signed in, offline: the copy opens.
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#verfak", state="attached")
    assert _shows_names(page)

    # The cookies cleared (or the browser closed without signing out), still offline: no names.
    context.clear_cookies()
    page.reload()
    assert not _shows_names(page)
    assert "Tidak ada koneksi" in page.content()
    assert page.evaluate(PAGE_COPIES) == 0  # and the copy is gone


def test_the_copy_is_never_kept_in_clear(field, open_as, live_server):  # noqa: F811
    context, page, url = _worklist_opened(open_as, live_server, field)
    kept = page.evaluate(CACHED_TEXT)
    assert url in kept and not any(name in kept for name in NAMES)
    assert "Jl. Cideng Timur" not in kept


def test_the_next_start_without_a_session_deletes_the_copies(field, open_as, live_server):  # noqa: F811
    context, page, url = _worklist_opened(open_as, live_server, field)
    assert page.evaluate(PAGE_COPIES) >= 1
    context.clear_cookies()  # the browser closed: the session's cookies died with it
    page.goto(live_server.url + reverse("login"))  # the next morning, online
    wait_until(page, PAGE_COPIES.replace(".length)", ".length === 0)"))
    context.set_offline(True)
    page.goto(url)
    assert not _shows_names(page)


def test_a_copy_is_not_read_once_the_sessions_hours_are_over(field, open_as, live_server):  # noqa: F811
    context, page, url = _worklist_opened(open_as, live_server, field)
    (cookie,) = [c for c in context.cookies() if c["name"] == "verfak_offline"]
    user, _expiry, key = cookie["value"].split(".")
    # The same session's key, its expiry passed (8 hours after it was given).
    context.add_cookies([{**cookie, "value": f"{user}.1000000000.{key}"}])
    context.set_offline(True)
    page.reload()
    assert not _shows_names(page)
    assert page.evaluate(PAGE_COPIES) == 0


def test_signing_out_deletes_the_copies(field, open_as, live_server):  # noqa: F811
    context, page, url = _worklist_opened(open_as, live_server, field)
    page.click('form[action$="/keluar/"] button[type=submit]')
    page.wait_for_url(live_server.url + reverse("login"))
    wait_until(page, PAGE_COPIES.replace(".length)", ".length === 0)"))
    assert not any(c["name"] == "verfak_offline" for c in context.cookies())
    # Clear-Site-Data "storage": the service worker went too, so offline nothing answers.
    wait_until(page, "navigator.serviceWorker.getRegistrations().then(r => r.length === 0)")
    context.set_offline(True)
    try:
        page.goto(url)
    except PlaywrightError as exc:
        assert "ERR_INTERNET_DISCONNECTED" in str(exc)  # nothing answers, nothing is shown
    else:
        assert not _shows_names(page)
