"""The verification API (verification/api.py): a run's status and start, and the recap cut to
the user's area."""

from __future__ import annotations

from django.urls import reverse

from candidates.models import Election
from verification.engine import run_create, verification_run


def test_recap_by_region_is_cut_to_the_users_area(client, world, eager):
    """Bawaslu of Jakarta Pusat sees the governor pair's table for Jakarta Pusat only."""
    pair = world.governor_pair
    roll = world.objects["a"]["election"].roll
    Election.objects.filter(pk=pair.election_id).update(roll=roll)
    pair.refresh_from_db()
    run = run_create(pair=pair, round=0)
    verification_run(run_id=run.pk)
    url = reverse("api-recap", kwargs={"pk": pair.pk})
    client.force_login(world.users["bawaslu_a"])
    assert set(client.get(url).json()["by_region"]) == {"31.71"}
    client.force_login(world.users["prov"])
    assert set(client.get(url).json()["by_region"]) == {"31.71", "31.72"}


def test_api_run_status_and_start(client, world, eager, django_capture_on_commit_callbacks):
    pair = world.objects["a"]["pair"]
    url = reverse("api-verification-run", kwargs={"pk": pair.pk})
    client.force_login(world.users["tim_a"])
    assert client.get(url).json() == {"run": None}
    assert client.post(url, {}, content_type="application/json").status_code == 403
    client.force_login(world.users["kpu_a"])
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"round": 0}, content_type="application/json")
    assert started.status_code == 202
    client.force_login(world.users["tim_a"])
    status = client.get(url).json()["run"]
    assert (status["id"], status["status"]) == (started.json()["id"], "done")
    assert status["counts"]["TMS"] == 3


def test_recap_and_run_refuse_a_round_that_is_none(client, world):
    """?round= is a known round, empty (every round) or a 400 naming it (verification.api)."""
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["kpu_a"])
    for name in ("api-recap", "api-verification-run"):
        url = reverse(name, kwargs={"pk": pair.pk})
        assert client.get(url, {"round": "1"}).status_code == 200
        assert client.get(url, {"round": ""}).status_code == 200
        for bad in ("abc", "٣", "3"):
            response = client.get(url, {"round": bad})
            assert (response.status_code, list(response.json()["errors"])) == (400, ["round"])
