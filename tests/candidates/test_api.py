"""The REST API: thin over the services, one error shape in Indonesian, described by OpenAPI."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.models import SupportUpload
from tests.factories import csv_bytes, good_row

# A good row, then a NIK of 12 digits: rejected at row 3.
ROWS = [
    good_row(NIK="3171010101900001", birth=dt.date(1990, 1, 1)),
    good_row(NIK="317101010190", NAMA="Andi"),
]


def _file(name="dukungan.csv"):
    return SimpleUploadedFile(name, csv_bytes(ROWS), content_type="text/csv")


def test_team_uploads_through_the_api_and_reads_progress_and_errors(
    client, world, eager, django_capture_on_commit_callbacks
):
    client.force_login(world.users["tim_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api-upload-list"), {"file": _file(), "round": 1})
    assert response.status_code == 201
    body = response.json()
    assert body["duplicate"] is False
    upload = SupportUpload.objects.get(pk=body["id"])
    assert (upload.pair, upload.round) == (world.objects["a"]["pair"], 1)
    detail = client.get(reverse("api-upload-detail", kwargs={"pk": upload.pk})).json()
    assert (detail["status"], detail["progress_percent"]) == ("done", 100)
    assert (detail["accepted"], detail["rejected"]) == (1, 1)
    assert detail["errors"][0]["row"] == 3
    assert detail["errors"][0]["column"] == "NIK"
    assert "16" in detail["errors"][0]["message"]


def test_the_same_file_again_through_the_api_is_the_same_upload(
    client, world, eager, django_capture_on_commit_callbacks
):
    client.force_login(world.users["tim_a"])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("api-upload-list"), {"file": _file("a.csv")}).json()
    again = client.post(reverse("api-upload-list"), {"file": _file("b.csv")})
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["duplicate"]) == (first["id"], True)


def test_kpu_must_name_the_pair_when_uploading(client, world):
    client.force_login(world.users["kpu_a"])
    response = client.post(reverse("api-upload-list"), {"file": _file()})
    assert response.status_code == 400
    assert response.json()["errors"]["pair"] == ["Pilih bakal pasangan calon."]


def test_validation_errors_come_in_one_indonesian_shape(client, world):
    client.force_login(world.users["tim_a"])
    response = client.post(reverse("api-upload-list"), {"round": 7})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Data yang dikirim tidak valid."
    assert set(body["errors"]) == {"file", "round"}


def test_not_found_and_not_logged_in_are_indonesian(client, world):
    other = world.objects["b"]["pair"]
    assert client.get(reverse("api-pair-list")).json() == {
        "detail": "Silakan masuk terlebih dahulu."
    }
    client.force_login(world.users["tim_a"])
    response = client.get(reverse("api-pair-detail", kwargs={"pk": other.pk}))
    assert (response.status_code, response.json()) == (404, {"detail": "Tidak ditemukan."})


def test_elections_carry_threshold_and_spread(client, world):
    client.force_login(world.users["prov"])
    rows = client.get(reverse("api-election-list")).json()["results"]
    governor = next(r for r in rows if r["level"] == "governor")
    assert (governor["threshold"], governor["spread_units"], governor["spread_required"]) == (
        618_968,
        2,  # the test world has two kab/kota
        2,
    )


def test_openapi_schema_and_docs_are_served(client, world):
    client.force_login(world.users["su"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/elections/", "/api/uploads/", "/api/pairs/{id}/recap/"):
        assert path in text
    assert client.get("/api/docs/").status_code == 200


def test_the_api_filters_narrow_and_refuse_a_value_they_cannot_read(client, world):
    """django-filter (candidates.filters): ?round and ?kelurahan narrow a pair's supporters,
    ?election the pairs; a value that is none of them is a 400 naming the parameter, where
    isdigit() let '٣' and '²' through to int() (500) and ignored 'abc' (the whole list)."""
    pair = world.governor_pair
    client.force_login(world.users["prov"])
    url = reverse("api-supporter-list", kwargs={"pk": pair.pk})
    count = {
        repr(query): client.get(url, query).json()["count"]
        for query in ({}, {"round": "0"}, {"round": "1"}, {"round": ""}, {"kelurahan": "31.71"})
    }
    assert count == {
        "{}": 6,
        "{'round': '0'}": 6,
        "{'round': '1'}": 0,
        "{'round': ''}": 6,
        "{'kelurahan': '31.71'}": 3,
    }
    for query in ({"round": "abc"}, {"round": "٣"}, {"round": "²"}, {"round": "7"},
                  {"kelurahan": "31.71.01.1001.9"}):  # fmt: skip
        response = client.get(url, query)
        assert response.status_code == 400, query
        body = response.json()
        assert body["detail"] == "Data yang dikirim tidak valid." and set(body["errors"]) == set(
            query
        )
    pairs = reverse("api-pair-list")
    shown = client.get(pairs, {"election": pair.election_id}).json()["results"]
    assert [p["id"] for p in shown] == [pair.pk]
    for bad in ("x", "1.5", "0", "99999999999999999999", "٣"):
        response = client.get(pairs, {"election": bad})
        assert (response.status_code, list(response.json()["errors"])) == (400, ["election"]), bad
    browsable = client.get(pairs, {"election": pair.election_id}, HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and 'name="election"' in browsable.content.decode()
