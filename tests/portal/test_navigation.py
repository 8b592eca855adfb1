"""A pair's tabs (portal/navigation.py): every link a user is shown opens for that user, and
the KPU running the election sees every stage of the pair."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


@pytest.mark.parametrize("username", ["pps_a", "bawaslu_a", "tim_a", "kpu_a"])
def test_no_link_on_the_dashboard_or_pair_page_leads_to_a_refusal(client, world, username):
    """Every pair link a user is shown opens for that user (no link ends in a 403 page)."""
    pair = world.objects["a"]["pair"]
    client.force_login(world.users[username])
    for page in (reverse("home"), reverse("pair-detail", kwargs={"pk": pair.pk})):
        html = client.get(page).content.decode()
        links = set(re.findall(rf'href="(/paslon/{pair.pk}/[^"?]*)', html))
        assert links
        for link in links:
            assert client.get(link).status_code == 200, (username, page, link)


def test_pair_page_links_to_its_recap_results_and_upload_for_its_kpu(client, world):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["kpu_a"])
    html = client.get(reverse("pair-detail", kwargs={"pk": pair.pk})).content.decode()
    for name in ("verification-recap", "verification-results", "upload-create", "verification-run"):
        assert reverse(name, kwargs={"pk": pair.pk}) in html
