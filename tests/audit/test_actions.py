"""Every action that matters leaves an event in the trail, with who, where and what."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Event
from tests.factories import csv_bytes, good_row


def actions() -> list[str]:
    return list(Event.objects.order_by("id").values_list("action", flat=True))


def test_sign_in_and_a_failed_sign_in_are_recorded_without_the_password(client, world):
    user = world.users["kpu_a"]
    user.set_password("sandi-rahasia-2024")
    user.save()
    client.post(reverse("login"), {"username": "kpu_a", "password": "salah-sekali"})
    client.post(reverse("login"), {"username": "kpu_a", "password": "sandi-rahasia-2024"})
    failed = Event.objects.get(action="auth.sign_in_failed")
    assert failed.data["username"] == "kpu_a" and "salah" not in str(failed.data)
    signed_in = Event.objects.get(action="auth.signed_in")
    assert (signed_in.actor, signed_in.area) == ("kpu_a", user.assignment.region_id)


def test_an_upload_through_the_page_is_recorded_when_sent_and_when_loaded(
    client, world, eager, django_capture_on_commit_callbacks
):
    client.force_login(world.users["tim_a"])
    pair = world.objects["a"]["pair"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("upload-create", kwargs={"pk": pair.pk}),
            {"file": SimpleUploadedFile("d.csv", csv_bytes([good_row()])), "round": 0},
        )
    sent = Event.objects.get(action="upload.submitted")
    assert (sent.actor, sent.data["pair"], sent.data["file"]) == ("tim_a", pair.pk, "d.csv")
    assert sent.area == pair.election.region_id
    assert Event.objects.get(action="upload.loaded").data["accepted"] == 1


def test_a_verification_start_and_its_end_are_recorded(
    client, world, eager, django_capture_on_commit_callbacks
):
    client.force_login(world.users["kpu_a"])
    pair = world.objects["a"]["pair"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("verification-run", kwargs={"pk": pair.pk}), {"round": ""})
    started = Event.objects.get(action="verification.started")
    assert (started.actor, started.data["pair"]) == ("kpu_a", pair.pk)
    finished = Event.objects.get(action="verification.finished")
    assert finished.data["counts"]["total"] == 3


def test_reading_names_page_by_page_is_recorded(client, world):
    client.force_login(world.users["pps_a"])
    pair = world.objects["a"]["pair"]
    client.get(reverse("supporter-list", kwargs={"pk": pair.pk}), {"page": 1})
    read = Event.objects.get(action="names.read")
    assert (read.actor, read.data["what"], read.data["page"]) == ("pps_a", "supporter-list", 1)


def test_membership_changes_are_recorded(world):
    assignment = world.users["pps_b"].assignment
    assignment.region_id = "31.72"
    assignment.save()
    event = Event.objects.filter(action="membership.assignment_saved").last()
    assert event.data["region"] == "31.72"


def test_the_admin_cannot_delete_an_election(client, world):
    client.force_login(world.users["su"])
    election = world.objects["a"]["election"]
    url = reverse("admin:candidates_election_delete", args=[election.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
