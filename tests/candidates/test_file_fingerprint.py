"""Issue 21 item 5: the SHA-256 shown with a received file says what it is for (to prove which
file was received), on the support list's and the roll's upload pages."""

from __future__ import annotations

from django.urls import reverse


def test_the_file_fingerprint_says_what_it_proves(client, world):
    upload = world.objects["a"]["upload"]
    roll_import = world.objects["a"]["roll_import"]
    for user, url, sha256 in (
        ("tim_a", reverse("upload-detail", args=[upload.pk]), upload.sha256),
        ("kpu_a", reverse("roll-import-detail", args=[roll_import.pk]), roll_import.sha256),
    ):
        client.force_login(world.users[user])
        page = client.get(url).content.decode()
        assert sha256 and sha256 in page, url
        assert "Sidik berkas (SHA-256)" in page, url
        assert "Bukti berkas mana yang diterima" in page, url
