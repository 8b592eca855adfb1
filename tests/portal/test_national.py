"""The national page (portal/national.py): KPU RI and Bawaslu RI see every election with an
independent pair, with the figures the recap reads (stored, never counted per request), the same
number of queries however many elections there are, and no supporter's name."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Election, SubmissionWindow
from candidates.standing import standing_read
from fieldwork.models import Stage
from fieldwork.standing import standing_refresh
from portal.national import national_rows
from tests.conftest import national_users_add
from tests.factories import ElectionFactory, PairFactory
from tests.fieldwork.world import fieldwork_objects_add, verified
from verification.derived import red_flags_stored, run_derive

pytestmark = pytest.mark.django_db
NAME = re.compile(r"Pendukung 3\d\.\d\d\.\d\d\.\d{4}")
PAGES = ("/paslon/", "/pemilihan/")


@pytest.fixture
def w(world):
    national_users_add(world)
    run_derive(run=verified(world.governor_pair))
    standing_refresh(pair=world.governor_pair)
    fieldwork_objects_add(world)  # verifies pairs A and B, starts a stage for each, advice in it
    return world


def _page(client, user, **query):
    client.force_login(user)
    return client.get(reverse("national"), query)


def test_only_national_users_and_superusers_open_it(client, w):
    for name in ("kpu_ri", "bawaslu_ri", "su"):
        assert _page(client, w.users[name]).status_code == 200, name
    for name in ("prov", "kpu_a", "bawaslu_a", "pps_a", "tim_a"):
        assert _page(client, w.users[name]).status_code == 403, name
    client.logout()
    assert client.get(reverse("national")).status_code == 302


def test_every_pair_with_the_recaps_stored_figures(client, w):
    rows = {row.pair_id: row for row in national_rows(user=w.users["kpu_ri"])}
    pairs = [w.governor_pair, w.objects["a"]["pair"], w.objects["b"]["pair"]]
    assert set(rows) == {pair.pk for pair in pairs}
    for pair in pairs:
        standing = standing_read(pair=pair)
        row = rows[pair.pk]
        assert row.ms == standing["MS"] and row.threshold == standing["threshold"]
        assert row.spread_achieved == standing["spread"]["achieved"]
        assert row.spread_required == standing["spread"]["required"]
        assert row.status_label == standing["status_label"]
    gov = rows[w.governor_pair.pk]
    assert gov.flags == len(red_flags_stored(pair=w.governor_pair))
    assert gov.province == "31" and gov.stage == "vermin"
    a = rows[w.objects["a"]["pair"].pk]
    assert a.stage == "verfak" and a.advice_open == 1
    assert a.deadline == Stage.objects.get(pair=w.objects["a"]["pair"]).closes


def test_filters_and_sorts(client, w):
    pair_a = w.objects["a"]["pair"]
    Stage.objects.filter(pair=pair_a).update(
        opens=timezone.localdate() - dt.timedelta(days=20),
        closes=timezone.localdate() - dt.timedelta(days=1),
    )
    user = w.users["bawaslu_ri"]
    late = _page(client, user, terlambat="1").context["rows"]
    assert [row.pair_id for row in late] == [pair_a.pk]
    assert "lewat tenggat" in late[0].late[0]
    verfak = _page(client, user, tahap="verfak").context["rows"]
    assert {row.pair_id for row in verfak} == {pair_a.pk, w.objects["b"]["pair"].pk}
    assert _page(client, user, provinsi="32").context["rows"] == []
    assert len(_page(client, user, provinsi="31").context["rows"]) == 3
    first = _page(client, user, urut="terlambat").context["rows"][0]
    assert first.pair_id == pair_a.pk
    # Unknown values are ignored, not errors.
    assert _page(client, user, urut="x", tahap="y", provinsi="3'1").status_code == 200


def test_queries_do_not_grow_with_the_number_of_elections(client, w):
    user = w.users["kpu_ri"]
    client.force_login(user)
    client.get(reverse("national"))  # sessions, caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("national"))
    for i in range(12):
        election = ElectionFactory(slug=f"extra-{i}", name=f"Pilbup {i}", region_code="31.71")
        pair = PairFactory(election=election, name=f"Paslon {i}")
        SubmissionWindow.objects.create(
            election=election, round=0, opens=dt.date(2024, 5, 1), closes=dt.date(2024, 5, 10)
        )
        if i % 2:
            verified(pair)
            standing_refresh(pair=pair)
    assert Election.objects.count() == 15
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("national"))
    assert len(response.context["rows"]) == 15
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]
    # A window closed on a list never verified: late.
    assert sum(1 for row in response.context["rows"] if row.late) == 6
    # Nothing is computed or stored on the way: no write of any kind.
    writes = ("INSERT", "UPDATE", "DELETE")
    assert not [q for q in many.captured_queries if q["sql"].lstrip().upper().startswith(writes)]


def test_bawaslu_ri_reads_no_names_on_the_page_or_behind_its_links(client, w):
    """Every link of the national page (pairs, elections, recaps) and every tab of those pages:
    Bawaslu RI never reads a supporter's name (tests/test_access_lists.py walks the rest)."""
    client.force_login(w.users["bawaslu_ri"])
    seen, todo = set(), [reverse("national")]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 403), url
        body = response.content.decode()
        assert not NAME.search(body), url
        if url == reverse("national") or url.count("/") <= 3:  # the page, a pair, an election
            todo += [u for u in re.findall(r'href="(/[^"?#]*)"', body) if u.startswith(PAGES)]
    assert len(seen) > 10
