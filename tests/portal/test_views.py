"""The home page (portal/views.py) and the site's login and logout pages (templates/registration,
which belong to the portal: tests/test_layers.py)."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.urls import reverse


def test_home_dashboard_speaks_indonesian_for_every_role(client, world):
    for user in world.users.values():
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert "Beranda" in page


def test_login_and_logout_pages(client, world):
    user = world.users["kpu_a"]
    user.set_password("Kuat-sekali-2024")
    user.save()
    assert "Masuk" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("login"), {"username": "kpu_a", "password": "Kuat-sekali-2024"})
    assert response["Location"] == reverse("home")
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_every_page_carries_the_icon_and_the_wordmark(client, world):
    client.force_login(world.users["kpu_a"])
    page = client.get(reverse("home")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    assert '<span class="wordmark-main">Verifikasi Dukungan</span>' in page
    assert client.get("/favicon.ico")["Location"] == "/static/img/favicon.svg"
    icon = Path(settings.BASE_DIR) / "static" / "img" / "favicon.svg"
    root = ElementTree.fromstring(icon.read_text())
    assert root.tag.endswith("svg") and "script" not in icon.read_text()
