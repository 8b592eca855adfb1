"""Pages of a long list (candidates/paging.py): the same rows in the same order as Django's own
Paginator, the count taken from the uploads' counts when the user sees the whole list."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from candidates.models import Supporter, SupportUpload
from candidates.paging import ListPaginator
from candidates.selectors import supporters_loaded
from tests.factories import SupporterFactory, SupportUploadFactory, make_nik

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(world):
    """Pair A with 3 + 57 supporters over two uploads, the second one a repair round."""
    pair = world.objects["a"]["pair"]
    repair = SupportUploadFactory(pair=pair, round=1, original_name="perbaikan.csv", accepted=57)
    for i in range(57):
        SupporterFactory(upload=repair, row_number=2 + i, nik=make_nik(serial=300 + i))
    SupportUpload.objects.filter(pk=world.objects["a"]["upload"].pk).update(accepted=3)
    return pair


@pytest.mark.parametrize("number", [1, 2, 3, "last"])
def test_a_page_holds_the_rows_djangos_paginator_would_in_the_same_order(listed, number):
    rows = Supporter.objects.filter(pair=listed).order_by("round", "upload_id", "row_number")
    ours, theirs = ListPaginator(rows, 7, orphans=2), Paginator(rows, 7, orphans=2)
    number = theirs.num_pages if number == "last" else number
    assert [s.pk for s in ours.page(number)] == [s.pk for s in theirs.page(number)]
    assert ours.num_pages == theirs.num_pages


def test_a_known_count_is_not_counted_again(listed, django_assert_num_queries):
    rows = Supporter.objects.filter(pair=listed).order_by("round", "upload_id", "row_number")
    with django_assert_num_queries(2):  # the page's ids, then its rows
        page = ListPaginator(rows, 50, count=60).page(2)
    assert len(page) == 10


def test_the_uploads_count_their_supporters(listed):
    assert supporters_loaded(pair=listed) == Supporter.objects.filter(pair=listed).count() == 60
    assert supporters_loaded(pair=listed, round=1) == 57


@pytest.mark.parametrize("user", ["tim_a", "kpu_a", "pps_a"])
def test_the_supporter_list_counts_what_it_lists(client, world, listed, user):
    client.force_login(world.users[user])
    response = client.get(reverse("supporter-list", kwargs={"pk": listed.pk}))
    shown = Supporter.objects.filter(pair=listed)
    if user == "pps_a":
        shown = shown.filter(kelurahan_id="31.71.01.1001")
    assert response.context["page"].paginator.count == shown.count()


@pytest.mark.parametrize("user", ["tim_a", "kpu_a", "pps_a"])
@pytest.mark.parametrize("query", [{}, {"page": "2"}, {"status": "MS"}, {"q": "a"}])
def test_the_results_page_reads_its_rows_by_their_ids_alone(client, world, listed, user, query):
    """The results page's second step (rows_for) reads the page's rows by their ids, without
    the list's filters: the same rows, in the same order, with the same annotations as
    Django's Paginator over the filtered list, and the area's placement filter read once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from verification.selectors import results_visible

    client.force_login(world.users[user])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("verification-results", kwargs={"pk": listed.pk}), query)
    assert response.status_code == 200
    rows = results_visible(
        user=world.users[user], pair=listed, round=None,
        status=query.get("status", ""), search=query.get("q", ""),
    )  # fmt: skip
    theirs = Paginator(rows, 50).get_page(query.get("page"))
    ours = response.context["page"]
    assert [(r.pk, r.outcome, r.place) for r in ours] == [
        (r.pk, r.outcome, r.place) for r in theirs
    ]
    supporter_reads = [
        q["sql"] for q in queries.captured_queries if "candidates_supporter" in q["sql"]
    ]
    assert sum("COALESCE" in sql and " LIKE " in sql for sql in supporter_reads) <= 1
