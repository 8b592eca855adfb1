"""Who sees which rows: every list of the API and every page that lists things, for every kind
of user, judged by what the answer CONTAINS, not only by its status; and every POST refused to
those who may not act. tests/test_access_matrix.py proves the statuses of the URLs with an id.

The world is the shared two-sided one (tests/conftest.py: side A in Jakarta Pusat, side B in
Jakarta Utara, a governor pair over both) with, here:
- supporters in a second kelurahan of A's kecamatan (Cideng, next to Gambir) for pair A and the
  governor pair, and its PPS (pps_c): a second PPS of side A who must see nothing of Gambir's;
- the PPK of Gambir's kecamatan (ppk_a, both kelurahan) and the PKD of Gambir (pkd_a);
- an inactive KPU of A (off_a: is_active=False) who must get nothing at all;
- a finished administrative run of every pair (so results and recaps have rows) and a factual
  verification stage of pairs A and B (tests/fieldwork/world.py).

Supporters are named "Pendukung <kelurahan> <n>", so a page names a supporter exactly when the
text holds that string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.urls import reverse

from candidates.models import SupportUpload
from electorate.models import Role
from staff.access import code_within
from tests.conftest import national_users_add
from tests.factories import SupporterFactory, accepted_recount, make_nik
from tests.fieldwork.world import (
    fieldwork_objects_add,
    fieldwork_users_add,
    user_make,
    verified,
)

pytestmark = pytest.mark.django_db

GAMBIR, CIDENG, PENJARINGAN = "31.71.01.1001", "31.71.01.1002", "31.72.01.1001"
NAME = re.compile(r"Pendukung (3\d\.\d\d\.\d\d\.\d{4}) (\d+)")
# Each user's area: a region code ("" everything); a team sees its own pair instead.
AREA = {
    "su": "",
    "prov": "31",
    "kpu_a": "31.71",
    "kpu_b": "31.72",
    "ppk_a": "31.71.01",
    "pps_a": GAMBIR,
    "pps_c": CIDENG,
    "pps_b": PENJARINGAN,
    "bawaslu_a": "31.71",
    "pkd_a": GAMBIR,
    # KPU RI and Bawaslu RI: the whole country (no region of their own).
    "kpu_ri": "",
    "bawaslu_ri": "",
}
TEAMS = {"tim_a": "a", "tim_b": "b"}
SUPERVISORS = {"bawaslu_a", "pkd_a", "bawaslu_ri"}
USERS = [*AREA, *TEAMS, "off_a"]
PAIRS = ("a", "b", "gov")
REGION = {"a": "31.71", "b": "31.72", "gov": "31"}


# --- the world of this module ---------------------------------------------------------------


def _supporters_add(upload, kelurahan: str, numbers: range) -> None:
    for i in numbers:
        SupporterFactory(
            upload=upload,
            row_number=i + 1,
            nik=make_nik(region=kelurahan[:8].replace(".", ""), serial=i),
            name=f"Pendukung {kelurahan} {i}",
            kelurahan_id=kelurahan,
        )
    accepted_recount(upload)


@pytest.fixture
def w(world):
    from tests.factories import RegionFactory

    fieldwork_users_add(world)
    if not RegionFactory._meta.model.objects.filter(code=CIDENG).exists():
        RegionFactory(code=CIDENG, name="Cideng")
    governor_upload = SupportUpload.objects.get(pair=world.governor_pair)
    _supporters_add(world.objects["a"]["upload"], CIDENG, range(4, 6))
    _supporters_add(governor_upload, CIDENG, range(7, 9))
    world.users["pps_c"] = user_make("pps_c", role=Role.PPS, region=CIDENG)
    off = user_make("off_a", role=Role.KPU_KABKOTA, region="31.71")
    off.is_active = False
    off.save()
    world.users["off_a"] = off
    national_users_add(world)
    verified(world.governor_pair)
    fieldwork_objects_add(world)  # verifies pairs A and B, starts a stage for each
    world.pairs = {"a": world.objects["a"]["pair"], "b": world.objects["b"]["pair"]}
    world.pairs["gov"] = world.governor_pair
    return world


def _all_names(w) -> dict[str, set[tuple[str, str]]]:
    """Every supporter of each pair, as (kelurahan, number)."""
    from candidates.models import Supporter

    found: dict[str, set[tuple[str, str]]] = {}
    for key, pair in w.pairs.items():
        found[key] = {NAME.fullmatch(s.name).groups() for s in Supporter.objects.filter(pair=pair)}
    return found


# --- what each user should see ----------------------------------------------------------------


def sees_pair(user: str, pair: str) -> bool:
    if user == "off_a":
        return False
    if user in TEAMS:
        return TEAMS[user] == pair
    area = AREA[user]
    return code_within(REGION[pair], area) or code_within(area, REGION[pair])


def names_expected(w, user: str, pair: str, within: str = "") -> set[tuple[str, str]]:
    """The supporters of `pair` that `user` may see by name, cut to `within` if given."""
    rows = _all_names(w)[pair]
    if not sees_pair(user, pair) or user in SUPERVISORS:
        return set()
    if user not in TEAMS:
        rows = {r for r in rows if code_within(r[0], AREA[user])}
    return {r for r in rows if not within or code_within(r[0], within)}


def names_in(text: str) -> set[tuple[str, str]]:
    return set(NAME.findall(text))


def _login(client, w, user: str):
    client.logout()
    if user != "anon":
        client.force_login(w.users[user])
    return client


def _body(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        return ""  # the XLSX export is checked by its own tests
    return response.content.decode(errors="replace")


# --- supporters, results: the name lists ------------------------------------------------------

NAME_LISTS = ["supporter-list", "verification-results", "api-supporter-list"]
KELURAHAN_FILTERED = {"supporter-list", "api-supporter-list"}  # those with a ?kelurahan= filter


@pytest.mark.parametrize("name", NAME_LISTS)
@pytest.mark.parametrize("pair", PAIRS)
def test_name_lists_show_each_user_exactly_the_supporters_of_their_area(client, w, name, pair):
    got, want = {}, {}
    for user in USERS:
        response = _login(client, w, user).get(reverse(name, kwargs={"pk": w.pairs[pair].pk}))
        got[user] = (response.status_code, names_in(_body(response)))
        if not sees_pair(user, pair):
            status = 403 if user == "off_a" and name.startswith("api-") else 404
            status = 302 if user == "off_a" and not name.startswith("api-") else status
        else:
            status = 403 if user in SUPERVISORS else 200
        want[user] = (status, names_expected(w, user, pair))
    assert got == want


QUERIES = [
    # another area's kelurahan, kab/kota and kecamatan; the province; a code that is no place
    ("kelurahan", PENJARINGAN),
    ("kelurahan", GAMBIR),
    ("kelurahan", CIDENG),
    ("kelurahan", "31.72"),
    ("kelurahan", "31.71.01"),
    ("kelurahan", "31"),
    ("kelurahan", "3"),
    ("kelurahan", "31.7"),
    ("kelurahan", "' OR 1=1 --"),
    ("round", "0"),
    ("round", "1"),
    ("round", "abc"),
    ("round", "-1"),
    ("page", "2"),
    ("page", "999"),
    ("page", "abc"),
    ("page", "0"),
    ("page", "-1"),
]


@pytest.mark.parametrize("name", NAME_LISTS)
@pytest.mark.parametrize(("param", "value"), QUERIES)
def test_query_parameters_never_widen_a_name_list(client, w, name, param, value):
    """?kelurahan= pointing into another area, ?round=, ?page= out of range or not a number:
    never a row outside the user's area, a filter cuts inside it, and never a server error.
    (Pair B mirrors pair A; the governor pair is the one a filter could cut across.)"""
    for pair in ("a", "gov"):
        url = reverse(name, kwargs={"pk": w.pairs[pair].pk})
        for user in USERS:
            response = _login(client, w, user).get(url, {param: value})
            assert response.status_code < 500
            shown = names_in(_body(response))
            allowed = names_expected(w, user, pair)
            assert shown <= allowed, (user, pair)
            if param == "kelurahan" and name in KELURAHAN_FILTERED and response.status_code == 200:
                assert shown == names_expected(w, user, pair, within=value), (user, pair)


def test_a_second_pps_of_the_same_kecamatan_sees_nothing_of_the_first(client, w):
    """PPS Cideng and PPS Gambir work side by side: neither sees the other's supporters in any
    list, worklist or filter, and the other's worklist does not exist for them."""
    stage = w.objects["a"]["stage"]
    worklist = {
        code: reverse("verfak-worklist", kwargs={"pk": stage.pk, "code": code})
        for code in (GAMBIR, CIDENG)
    }
    for user, own, other in (("pps_a", GAMBIR, CIDENG), ("pps_c", CIDENG, GAMBIR)):
        c = _login(client, w, user)
        assert c.get(worklist[other]).status_code == 404
        page = c.get(worklist[own])
        assert page.status_code == 200
        assert {k for k, _n in names_in(_body(page))} == {own}
        for pair in ("a", "gov"):
            for name in NAME_LISTS:
                url = reverse(name, kwargs={"pk": w.pairs[pair].pk})
                for query in ({}, {"kelurahan": other}, {"kelurahan": "31.71.01"}):
                    shown = {k for k, _n in names_in(_body(c.get(url, query)))}
                    cut = query.get("kelurahan") == other and name in KELURAHAN_FILTERED
                    want = set() if cut else {own}
                    assert shown == want, (user, pair, name, query)


def test_a_ppk_sees_its_kecamatan_and_nothing_beyond(client, w):
    c = _login(client, w, "ppk_a")
    for pair in ("a", "gov"):
        for name in NAME_LISTS:
            shown = names_in(_body(c.get(reverse(name, kwargs={"pk": w.pairs[pair].pk}))))
            assert {k for k, _n in shown} == {GAMBIR, CIDENG}
    assert c.get(reverse("supporter-list", kwargs={"pk": w.pairs["b"].pk})).status_code == 404
    stage = w.objects["a"]["stage"]
    for code in (GAMBIR, CIDENG):
        page = c.get(reverse("verfak-worklist", kwargs={"pk": stage.pk, "code": code}))
        assert {k for k, _n in names_in(_body(page))} == {code}


def test_the_governor_pair_shows_each_kpu_kabkota_only_its_own_part(client, w):
    """One pair, two kab/kota: each KPU Kab/Kota reads its own supporters, results and recap
    branch, never the other's; KPU Provinsi reads both."""
    pk = w.governor_pair.pk
    parts = {
        "kpu_a": {GAMBIR, CIDENG},
        "kpu_b": {PENJARINGAN},
        "prov": {GAMBIR, CIDENG, PENJARINGAN},
    }
    for user, kelurahan in parts.items():
        c = _login(client, w, user)
        for name in NAME_LISTS:
            shown = names_in(_body(c.get(reverse(name, kwargs={"pk": pk}))))
            assert {k for k, _n in shown} == kelurahan, (user, name)
        recap = c.get(reverse("api-recap", kwargs={"pk": pk})).json()
        codes = set(_tree_codes(recap["by_region"]))
        kabkota = {code[:5] for code in kelurahan}
        assert {code for code in codes if len(code) == 5} == kabkota, user
        assert {code for code in codes if len(code) == 13} == kelurahan, user
    # The recap page names the areas of the recap: the other kab/kota's kelurahan never.
    page = _body(_login(client, w, "kpu_b").get(reverse("verification-recap", kwargs={"pk": pk})))
    assert "Penjaringan" in page and "Gambir" not in page and "Cideng" not in page


def _tree_codes(tree: dict) -> Iterator[str]:
    for code, entry in tree.items():
        yield code
        for child in ("kecamatan", "kelurahan"):
            if isinstance(entry.get(child), dict):
                yield from _tree_codes(entry[child])


def test_a_recap_never_reaches_outside_the_users_area(client, w):
    for pair in PAIRS:
        for user in USERS:
            c = _login(client, w, user)
            response = c.get(reverse("api-recap", kwargs={"pk": w.pairs[pair].pk}))
            if response.status_code != 200:
                continue
            if user in TEAMS:
                continue  # a team reads its whole recap
            area = AREA[user]
            for code in _tree_codes(response.json()["by_region"]):
                assert code_within(code, area) or code_within(area, code), (user, pair, code)


# --- Bawaslu and names; the inactive user -------------------------------------------------

# Pages where the PKD (Bawaslu of one kelurahan) reads names of its own kelurahan: the
# worklist and a task, to attest a denial (tests/test_access_matrix.py: FIELD), and an advice
# about one supporter there.
PKD_NAMES = {"verfak-worklist", "verfak-task", "verfak-advice"}


def _get_urls(w) -> Iterator[tuple[str, str]]:
    """Every GET page and API answer about the world's objects, and every list without an id."""
    from tests.test_access_matrix import EXPECT, _url

    for name in ("home", "election-list", "api-election-list", "api-pair-list",
                 "api-upload-list"):  # fmt: skip
        yield name, reverse(name)
    for name in sorted(EXPECT):
        for side in ("a", "b"):
            yield name, _url(w, name, side)
    for name in ("pair-detail", "supporter-list", "verification-results", "verification-recap",
                 "api-supporter-list", "api-recap", "verfak-pair", "decision-pair"):  # fmt: skip
        yield name, reverse(name, kwargs={"pk": w.governor_pair.pk})


def test_bawaslu_never_reads_a_supporters_name_anywhere(client, w):
    """Bawaslu supervises through the recap: no page and no API answer names a supporter to
    it; the PKD reads names only where it attests (the worklist and a task of its kelurahan)."""
    pages = 0
    for user in ("bawaslu_a", "pkd_a", "bawaslu_ri"):
        c = _login(client, w, user)
        for name, url in [*_get_urls(w), ("national", reverse("national"))]:
            response = c.get(url)
            assert response.status_code < 500, url
            pages += 1
            shown = names_in(_body(response))
            if user == "pkd_a" and name in PKD_NAMES:
                assert {k for k, _n in shown} <= {GAMBIR}, url
            else:
                assert not shown, (user, url)
    assert pages > 100


def test_an_inactive_user_gets_nothing_at_all(client, w):
    """A KPU account switched off (is_active=False) with its session still open: every page
    sends it to the login page, every API call is refused, and nothing is named."""
    c = _login(client, w, "off_a")
    seen = 0
    for name, url in _get_urls(w):
        if name == "minutes-verify":
            continue  # public by design: anyone checks a PDF of minutes there
        response = c.get(url)
        seen += 1
        if url.startswith("/api/"):
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url
        assert not names_in(_body(response)), url
        assert b"Pilwalkot" not in response.content and b"Paslon" not in response.content
    assert seen > 50


# --- lists of elections, pairs, uploads -----------------------------------------------------


def _elections_expected(w, user: str) -> set[int]:
    return {w.pairs[p].election_id for p in PAIRS if sees_pair(user, p)}


def _pairs_expected(w, user: str) -> set[int]:
    return {w.pairs[p].pk for p in PAIRS if sees_pair(user, p)}


def _uploads_expected(w, user: str) -> set[int]:
    """A file spans its whole election: only its team and the KPU running the election."""
    found = set()
    for p in PAIRS:
        if user in TEAMS:
            ok = TEAMS[user] == p
        elif user in ("su", "prov", "kpu_ri", "kpu_a", "kpu_b"):
            ok = code_within(REGION[p], AREA[user])
        else:
            ok = False
        if ok:
            found |= set(SupportUpload.objects.filter(pair=w.pairs[p]).values_list("pk", flat=True))
    return found


LISTS = {
    "api-election-list": _elections_expected,
    "api-pair-list": _pairs_expected,
    "api-upload-list": _uploads_expected,
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_api_lists_hold_exactly_what_each_user_may_see(client, w, name):
    got, want = {}, {}
    for user in USERS:
        response = _login(client, w, user).get(reverse(name))
        if user == "off_a":
            got[user], want[user] = response.status_code, 403
            continue
        body = response.json()
        got[user] = {row["id"] for row in body["results"]}
        want[user] = LISTS[name](w, user)
        assert body["count"] == len(got[user])
    assert got == want


@pytest.mark.parametrize("name", sorted(LISTS))
@pytest.mark.parametrize(
    "query", [{"page": "2"}, {"page": "999"}, {"page": "abc"}, {"page": "0"}, {"round": "1"},
              {"kelurahan": PENJARINGAN}, {"election": "1"}, {"election": "x"}],
)  # fmt: skip
def test_api_list_parameters_never_widen_them(client, w, name, query):
    """A filter narrows the list or, given a value it cannot read, is refused naming it (400)."""
    for user in USERS:
        response = _login(client, w, user).get(reverse(name), query)
        assert response.status_code in (200, 400, 403, 404), (user, query)
        if response.status_code == 400:
            assert set(response.json()["errors"]) == set(query), (user, query)
        if response.status_code == 200:
            assert {row["id"] for row in response.json()["results"]} <= LISTS[name](w, user)


def test_api_pair_list_filtered_by_another_sides_election_is_empty(client, w):
    other = w.pairs["b"].election_id
    for user in ("tim_a", "kpu_a", "pps_a", "pps_c", "ppk_a", "bawaslu_a", "pkd_a"):
        body = _login(client, w, user).get(reverse("api-pair-list"), {"election": other}).json()
        assert body["results"] == [], user


ELECTION_NAMES = {"a": "Pilwalkot A", "b": "Pilwalkot B", "gov": "Pilgub DKI"}


@pytest.mark.parametrize("name", ["home", "election-list"])
def test_pages_listing_elections_show_each_user_its_own(client, w, name):
    for user in USERS:
        response = _login(client, w, user).get(reverse(name))
        if user == "off_a":
            assert response.status_code == 302
            continue
        text = _body(response)
        shown = {p for p, title in ELECTION_NAMES.items() if title in text}
        assert shown == {p for p in PAIRS if sees_pair(user, p)}, user
        assert not names_in(text), user


def test_election_and_pair_pages_list_only_visible_pairs_and_uploads(client, w):
    """The governor election's pages list its pair for every staff member; its upload file is
    named to no one but the KPU running the election (the province), and no other pair's."""
    election = reverse("election-detail", kwargs={"pk": w.governor_pair.election_id})
    pair = reverse("pair-detail", kwargs={"pk": w.governor_pair.pk})
    for user in USERS:
        c = _login(client, w, user)
        for url in (election, pair):
            response = c.get(url)
            if not sees_pair(user, "gov"):
                assert response.status_code in (302, 404), (user, url)
                continue
            text = _body(response)
            assert "Paslon Gubernur" in text
            if "gubernur.csv" in text:
                assert user in ("su", "prov", "kpu_ri"), (user, url)
            assert "dukungan-a.csv" not in text and "dukungan-b.csv" not in text


# --- factual verification lists ---------------------------------------------------------------


WORKLIST_QUERIES = [
    {},
    {"q": "Pendukung"},
    {"q": PENJARINGAN},
    {"status": "belum"},
    {"status": "x"},
    {"page": "999"},
    {"page": "abc"},
]


@pytest.mark.parametrize("query", WORKLIST_QUERIES)
def test_verfak_worklists_name_only_the_kelurahan_asked_and_reached(client, w, query):
    stage = w.objects["a"]["stage"]
    for code in (GAMBIR, CIDENG):
        url = reverse("verfak-worklist", kwargs={"pk": stage.pk, "code": code})
        for user in USERS:
            response = _login(client, w, user).get(url, query)
            shown = names_in(_body(response))
            reach = user in TEAMS and TEAMS[user] == "a"
            reach = reach or (user in AREA and code_within(code, AREA[user]))
            if response.status_code == 200:
                assert reach, (user, code)
                assert {k for k, _n in shown} <= {code}, (user, code)
            else:
                assert not shown, (user, code)


def test_verfak_pair_page_names_only_the_teams_own_supporters(client, w):
    """The pair's factual verification page: a team reads its own supporters there; staff read
    counts by area, no names; the other side's team does not reach the page."""
    for side in ("a", "b"):
        url = reverse("verfak-pair", kwargs={"pk": w.pairs[side].pk})
        for user in USERS:
            response = _login(client, w, user).get(url)
            shown = names_in(_body(response))
            if user in TEAMS and TEAMS[user] == side:
                assert shown == names_expected(w, user, side), user
            else:
                assert not shown, (user, side)


# --- POSTs: refused to whoever may not act ----------------------------------------------------

# Every URL that acts on POST (pages and API) and what a POST to it needs beyond its id.
POSTS = {
    "election-create": None,
    "window-set": "election",
    "pair-create": "election",
    "roll-upload": "election",
    "roll-import-undo": "roll_import",
    "team-member-create": "pair",
    "upload-create": "pair",
    "verification-run": "pair",
    "verification-exports": "pair",
    "verfak-start": "pair",
    "verfak-window": "pair",
    "verfak-close-all": "pair",
    "verfak-close": "pair",
    "verfak-reopen": "pair",
    "verfak-sheet-upload": "pair",
    "verfak-task": "task",
    "verfak-task-correct": "task",
    "verfak-task-attest": "task",
    "verfak-reports": "stage",
    "verfak-advice-new": "stage",
    "verfak-advice": "advice",
    "decision-pair": "pair",
    "api-upload-list": None,
    "api-verification-run": "pair",
    "api-verfak-task-records": "task",
    "objection-file": None,
    "minutes-pair": "pair",
}
# Public on purpose (the citizens' check and the objection a citizen files), the session's own
# doors, and a URL whose object this world lacks (tests/objections/ covers it).
POST_PUBLIC = {
    "login", "logout", "otp-verify", "password_change",
    "check", "objection-new", "objection-track", "api-check",
    "minutes-verify",
}  # fmt: skip
# Tested where they live: the objection's own page; a user's own notifications (another
# user's is a 404: tests/notifications/test_pages.py).
POST_ELSEWHERE = {"objection-detail", "notification-open", "notification-read-all"}
# The pair page's actions, one URL each (fieldwork/urls.py).
PAIR_ACTIONS = (
    "verfak-start",
    "verfak-window",
    "verfak-close-all",
    "verfak-close",
    "verfak-reopen",
)


def _post_url(w, name: str) -> str:
    kind = POSTS[name]
    if kind is None:
        return reverse(name)
    from tests.test_access_matrix import _url

    if name == "window-set" or kind in ("election", "pair"):
        kwargs = {"pk": w.objects["a"][kind].pk}
        if name == "window-set":
            kwargs["round"] = 1
        return reverse(name, kwargs=kwargs)
    return _url(w, name, "a")


def _snapshot() -> dict[str, int]:
    """Rows of every model of the project's apps (sessions excluded, and the audit trail's
    sign-ins and sign-outs: the test logs users in and out between the requests)."""
    from audit.models import Event

    labels = {"audit", "electorate", "candidates", "verification", "fieldwork", "decisions",
              "objections", "documents", "auth"}  # fmt: skip
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }
    counts[Event._meta.label] = Event.objects.exclude(action__startswith="auth.").count()
    return counts


def _stage_state(w) -> list[tuple]:
    from fieldwork.models import Stage

    return list(Stage.objects.order_by("pk").values_list("pk", "status", "closes"))


def _post_bodies(w, name: str) -> list[dict]:
    """What a user would send: the view's own fields, enough to act if allowed."""
    if name in PAIR_ACTIONS:
        stage = w.objects["a"]["stage"].pk
        return [
            {
                "verfak-start": {"round": 0, "opens": "2024-06-01"},
                "verfak-window": {"stage": stage, "closes": "2030-01-01", "reason": "x"},
                "verfak-close-all": {"stage": stage},
                "verfak-close": {"stage": stage, "code": GAMBIR},
                "verfak-reopen": {"stage": stage, "code": GAMBIR, "reason": "x"},
            }[name]
        ]
    if name == "window-set":
        return [{"opens": "2024-05-01", "closes": "2024-05-30", "reason": "x"}]
    if name == "election-create":
        return [{"slug": "baru", "region": "31.71", "level": "mayor", "dpt": 1000,
                 "voting_day": "2024-11-27"}]  # fmt: skip
    return [{"name": "X", "round": 0, "username": "baru", "password": "Rahasia-12345",
             "finding": "SESUAI", "method": "KUNJUNGAN", "visited_on": "2024-06-01",
             "text": "x", "decision": "accept", "pair": w.objects["a"]["pair"].pk}]  # fmt: skip


def test_every_post_url_is_listed():
    from django.urls import URLPattern, URLResolver, get_resolver

    def names(patterns) -> set[str]:
        found = set()
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "admin":
                    found |= names(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                view = p.callback
                methods = getattr(view, "cls", None)
                if methods is not None:
                    if "post" in dir(methods) or hasattr(methods, "post"):
                        found.add(p.name)
                elif "POST" in _allowed_methods(view):
                    found.add(p.name)
        return found

    assert names(get_resolver().url_patterns) - POST_PUBLIC - POST_ELSEWHERE == set(POSTS)


def _allowed_methods(view) -> set[str]:
    """The methods a function view lets through: require_http_methods keeps its list in the
    closure; a view without the decorator takes GET and POST alike (and acts on neither)."""
    seen = view
    while seen is not None:
        for cell in getattr(seen, "__closure__", None) or ():
            value = cell.cell_contents
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(m, str) and m.isupper() for m in value)
            ):
                return set(value)
        seen = getattr(seen, "__wrapped__", None)
    return set()


@pytest.mark.parametrize("name", sorted(POSTS))
@pytest.mark.parametrize("user", ["anon", "off_a"])
def test_anonymous_and_inactive_users_cannot_post_anything(client, w, name, user):
    url = _post_url(w, name)
    before, stages = _snapshot(), _stage_state(w)
    c = _login(client, w, user)
    for body in _post_bodies(w, name):
        response = c.post(url, body)
        if name.startswith("api-"):
            assert response.status_code == 403, (user, body)
        else:
            assert response.status_code == 302, (user, body)
            assert response["Location"].startswith(reverse("login"))
    assert _snapshot() == before
    assert _stage_state(w) == stages


# Who may act, by URL (the rest must be refused with 403 or 404 and change nothing). The team
# and field rules are tests/test_access_matrix.py's; these are the POSTs it does not cover.
ACTORS = {
    "election-create": {"su", "prov", "kpu_a", "kpu_b"},
    "window-set": {"su", "prov", "kpu_a"},
    "api-upload-list": {"su", "prov", "kpu_a", "tim_a"},
}


# KPU RI runs what lies inside its area (the whole country) as KPU Provinsi does inside DKI;
# Bawaslu RI files what Bawaslu of A files, on either side.
for _who in ACTORS.values():
    _who |= {"kpu_ri"} if "su" in _who else set()
    _who |= {"bawaslu_ri"} if "bawaslu_a" in _who else set()


@pytest.mark.parametrize("name", sorted(ACTORS))
def test_posts_outside_the_matrix_are_refused_to_whoever_may_not_act(client, w, name):
    url = _post_url(w, name)
    before = _snapshot()
    for user in USERS:
        if user in ACTORS[name] or user == "off_a":
            continue
        c = _login(client, w, user)
        for body in _post_bodies(w, name):
            if name == "api-upload-list":
                from django.core.files.uploadedfile import SimpleUploadedFile

                body = {**body, "file": SimpleUploadedFile("x.csv", b"NIK\n", "text/csv")}
            response = c.post(url, body)
            assert response.status_code in (403, 404), (user, response.status_code)
    assert _snapshot() == before


def test_verfak_pair_actions_are_refused_to_whoever_may_not_act(client, w):
    """Starting, moving, closing all: the KPU running the election; closing an area: its own
    level; reopening: the level above. Everyone else gets 403 or 404 and nothing moves."""
    allowed = {
        "verfak-start": {"su", "prov", "kpu_ri", "kpu_a"},
        "verfak-window": {"su", "prov", "kpu_ri", "kpu_a"},
        "verfak-close-all": {"su", "prov", "kpu_ri", "kpu_a"},
        "verfak-close": {"su", "prov", "kpu_ri", "kpu_a", "pps_a"},
        "verfak-reopen": {"su", "prov", "kpu_ri", "kpu_a", "ppk_a"},
    }
    assert set(allowed) == set(PAIR_ACTIONS)
    before, stages = _snapshot(), _stage_state(w)
    for name in PAIR_ACTIONS:
        url = _post_url(w, name)
        for body in _post_bodies(w, name):
            for user in USERS:
                if user in allowed[name] or user == "off_a":
                    continue
                response = _login(client, w, user).post(url, body)
                assert response.status_code in (403, 404), (user, name)
    assert _snapshot() == before
    assert _stage_state(w) == stages
