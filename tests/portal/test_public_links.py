"""Issue 21 item 5: an anonymous visitor of `/` lands on the sign-in page, which links the two
pages that need no account (the public support check and the Berita Acara verification)."""

from __future__ import annotations

from django.urls import reverse


def test_anonymous_home_leads_to_the_public_pages(client, db):
    response = client.get(reverse("home"), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert f'href="{reverse("check")}"' in page
    assert f'href="{reverse("minutes-lookup")}"' in page
