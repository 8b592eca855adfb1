"""The recap and results pages read what a run left (verification/derived.py) and page through
the list off its index (candidates/paging.py): a handful of queries, none of them a GROUP BY
over the pair's supporters or the roll. Pinned here, so that they cannot slip back into
computing per request (at DKI scale: docs/benchmarks.md, the pages)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import SupporterFactory, make_nik
from verification import derived
from verification.models import RunDerived

pytestmark = pytest.mark.django_db

# Sessions, the user and their area, the pair, the latest run and its stored figures, the
# page's own reads and the audit trail of names read; measured, with a little room.
RECAP_QUERIES = 15
RESULTS_QUERIES = 17
RUN_QUERIES = 15


@pytest.fixture
def verified(verified):
    """Pair A verified through the page: the task stores what derives from it."""
    assert RunDerived.objects.filter(pair=verified, run__isnull=False).exists()
    return verified


@pytest.fixture
def nothing_computed(monkeypatch):
    """Any part of the stored figures computed again fails the request."""

    def refuse(pair):
        raise AssertionError("computed per request")

    for part in derived.PARTS:
        monkeypatch.setitem(derived.PARTS, part, refuse)


@pytest.mark.parametrize("user", ["kpu_a", "bawaslu_a", "tim_a"])
def test_the_recap_reads_stored_figures_in_a_pinned_number_of_queries(
    client, world, verified, nothing_computed, django_assert_max_num_queries, user
):
    client.force_login(world.users[user])
    url = reverse("verification-recap", kwargs={"pk": verified.pk})
    with django_assert_max_num_queries(RECAP_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("query", [{}, {"page": "2"}, {"status": "TMS"}, {"round": "0"}])
@pytest.mark.parametrize("user", ["tim_a", "kpu_a", "pps_a"])
def test_the_results_page_counts_from_stored_figures_in_a_pinned_number_of_queries(
    client, world, verified, nothing_computed, django_assert_max_num_queries, user, query
):
    client.force_login(world.users[user])
    url = reverse("verification-results", kwargs={"pk": verified.pk})
    with django_assert_max_num_queries(RESULTS_QUERIES):
        assert client.get(url, query).status_code == 200


def test_the_run_page_reads_the_stored_external_count(
    client, world, verified, nothing_computed, django_assert_max_num_queries
):
    client.force_login(world.users["kpu_a"])
    with django_assert_max_num_queries(RUN_QUERIES):
        page = client.get(reverse("verification-run", kwargs={"pk": verified.pk}))
    assert page.status_code == 200


def test_the_query_count_does_not_grow_with_the_list(
    client, world, verified, monkeypatch, django_assert_max_num_queries
):
    """Pages of 50 among 123 supporters cost what a page among 3 did."""
    from candidates.models import SupportUpload
    from candidates.signals import support_upload_done

    upload = world.objects["a"]["upload"]
    for i in range(120):
        SupporterFactory(upload=upload, row_number=100 + i, nik=make_nik(serial=500 + i))
    support_upload_done.send(sender=SupportUpload, upload=upload)
    client.force_login(world.users["tim_a"])
    url = reverse("verification-results", kwargs={"pk": verified.pk})
    assert "123 pendukung" in client.get(url).content.decode()  # counted again, once
    for part in derived.PARTS:
        monkeypatch.setitem(derived.PARTS, part, None)
    for page in ("1", "2", "3"):
        with django_assert_max_num_queries(RESULTS_QUERIES):
            response = client.get(url, {"page": page})
        assert response.status_code == 200
        assert response.context["page"].number == int(page)


def test_stored_counts_follow_a_new_upload_and_a_confirmed_objection(world, verified):
    """The results list's counts: emptied by a new upload (its supporters are not verified
    yet), by results changed outside a run; the next read counts again."""
    from candidates.models import SupportUpload
    from candidates.signals import support_upload_done
    from verification.rules import Reason
    from verification.services import result_reason_add

    def total(outcome):
        return sum(n for _k, _r, o, n in derived.list_counts(pair=verified) if o == outcome)

    assert (total("TMS"), total(None)) == (3, 0)
    SupporterFactory(upload=world.objects["a"]["upload"], row_number=50, nik=make_nik(serial=77))
    support_upload_done.send(sender=SupportUpload, upload=world.objects["a"]["upload"])
    assert (total("TMS"), total(None)) == (3, 1)

    first = verified.verification_runs.get().results.order_by("pk").first()
    result_reason_add(supporter_ids=[first.pk], reason=Reason.PUBLIC_OBJECTION, source="uji")
    groups = derived.recap_groups(pair=verified)
    objected = sum(row[4] for row in groups)  # every result counted once
    assert objected == 3
    assert RunDerived.objects.get(pair=verified).groups is not None
