"""The verification pages as users met them (issue 9, items 2 and 6): the recap with its charts
and the demo's note, the red flags naming the level of their area, the round a run should take
and the run numbers of one pair, the results list searched by name, NIK and reason."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from candidates.models import Election, Supporter
from tests.factories import SupporterFactory, SupportUploadFactory, birth_of, make_nik
from verification import selectors
from verification.engine import run_create, verification_run
from verification.views import flags_for_display

pytestmark = pytest.mark.django_db


def _verify(pair, round=None):
    return verification_run(run_id=run_create(pair=pair, round=round).pk)


# --- the recap ------------------------------------------------------------------------------


def test_the_recap_draws_its_charts_with_their_tables_and_names_its_scope(client, world):
    pair = world.objects["a"]["pair"]
    _verify(pair)
    client.force_login(world.users["kpu_a"])
    response = client.get(reverse("verification-recap", kwargs={"pk": pair.pk}))
    html = response.content.decode()
    assert [c.key for c in response.context["charts"]] == [
        "progress",
        "spread",
        "stacked",
        "reasons",
    ]
    assert html.count('<svg class="chart-svg"') == 4
    assert html.count('<div class="sr-only"><table>') == 4
    assert "Cakupan semua angka di halaman ini: <strong>Seluruh daftar dukungan Paslon A" in html
    # Under each chart's title, the same scope.
    scopes = re.findall(r'<p class="chart-scope">([^<]*)</p>', html)
    assert len(scopes) == 4 and all(
        s.startswith("Seluruh daftar dukungan Paslon A") for s in scopes
    )


def test_the_demo_says_its_data_is_scaled_beside_the_real_threshold(client, world):
    pair = world.objects["a"]["pair"]
    note = "Data demo: DPT dan daftar dukungan sintetis sebesar 2% dari skala DKI Jakarta 2024"
    Election.objects.filter(pk=pair.election_id).update(scale_note=note)
    client.force_login(world.users["kpu_a"])
    pages = [(name, pair.pk) for name in ("verification-recap", "pair-detail", "decision-pair")]
    for name, pk in [*pages, ("election-detail", pair.election_id)]:
        html = client.get(reverse(name, kwargs={"pk": pk})).content.decode()
        assert note in html, name
    Election.objects.filter(pk=pair.election_id).update(scale_note="")
    html = client.get(reverse("verification-recap", kwargs={"pk": pair.pk})).content.decode()
    assert "Data demo" not in html


def test_a_red_flag_names_the_level_of_its_area(client, world, monkeypatch):
    """Gambir is a kecamatan and a kelurahan: the flag says which."""
    flags = [
        {"kind": "address", "region": "31.71.01.1001", "region_name": "Gambir", "message": "x"},
        {"kind": "share", "region": "31.71", "region_name": "Kota Jakarta Pusat",
         "supporters": 10, "roll": 16, "share": 0.625, "limit": 0.25, "message": "y"},
    ]  # fmt: skip
    shown = flags_for_display([dict(f) for f in flags])
    assert [f["region_level"] for f in shown] == ["Kelurahan/Desa", "Kabupaten/Kota"]
    monkeypatch.setattr(selectors, "red_flags_for", lambda **kw: [dict(f) for f in flags])
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["bawaslu_a"])
    html = client.get(reverse("verification-recap", kwargs={"pk": pair.pk})).content.decode()
    assert "<strong>Kelurahan/Desa Gambir: </strong>" in html
    assert "<strong>Kabupaten/Kota Kota Jakarta Pusat: </strong>" in html


# --- the run page ---------------------------------------------------------------------------


def _repair_supporter(pair, kelurahan="31.71.01.1001"):
    upload = SupportUploadFactory(pair=pair, round=1, original_name="perbaikan.csv")
    return SupporterFactory(upload=upload, nik=make_nik(region="317101"), kelurahan_id=kelurahan)


def test_the_recommended_round_is_the_one_that_can_start_and_it_starts(
    client, world, eager, django_capture_on_commit_callbacks
):
    """Initial list and repair both waiting: the page proposes the initial round (the repair
    may not go first), says what waits per round, and the proposal, sent as it is, runs."""
    pair = world.objects["a"]["pair"]
    _repair_supporter(pair)
    client.force_login(world.users["kpu_a"])
    url = reverse("verification-run", kwargs={"pk": pair.pk})
    html = client.get(url).content.decode()
    assert '<option value="0" selected>Penyerahan awal (disarankan)</option>' in html
    assert "berikutnya" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"round": 0}, follow=True)
    started = response.content.decode()
    # Said once, by the run's card (which the result replaces), not by a message beside it.
    assert started.count("Verifikasi administrasi dimulai.") == 1
    assert pair.verification_runs.get().round == 0
    html = client.get(url).content.decode()
    assert '<option value="1" selected>Perbaikan 1 (disarankan)</option>' in html
    # Asking for the repair before the initial round was verified names what waits.
    with django_capture_on_commit_callbacks(execute=True):
        other = world.objects["b"]["pair"]
        _repair_supporter(other, kelurahan="31.72.01.1001")
        client.force_login(world.users["kpu_b"])
        refused = client.post(
            reverse("verification-run", kwargs={"pk": other.pk}), {"round": 1}, follow=True
        )
    assert "Tahap Penyerahan awal belum diverifikasi (3 pendukung)" in refused.content.decode()


def test_runs_are_numbered_per_pair(client, world):
    a, b = world.objects["a"]["pair"], world.objects["b"]["pair"]
    _verify(a)
    _verify(b)
    second = _verify(a)
    assert selectors.run_number(second) == 2 < second.pk  # ids count every pair's runs
    client.force_login(world.users["kpu_a"])
    html = client.get(reverse("verification-run", kwargs={"pk": a.pk})).content.decode()
    assert "Putaran #2" in html
    api = client.get(reverse("api-verification-run", kwargs={"pk": a.pk})).json()
    assert (api["run"]["id"], api["run"]["number"]) == (second.pk, 2)
    client.force_login(world.users["kpu_b"])
    html = client.get(reverse("verification-run", kwargs={"pk": b.pk})).content.decode()
    assert "Putaran #1" in html


# --- the results list -----------------------------------------------------------------------


def _names(response) -> set[str]:
    return {row.name for row in response.context["page"]}


def test_results_are_searched_by_name_by_whole_nik_and_by_reason(client, world):
    pair = world.objects["a"]["pair"]
    _verify(pair)  # the roll is empty: every supporter NOT_IN_ROLL
    first = Supporter.objects.filter(pair=pair).order_by("pk").first()
    nik = make_nik(birth=birth_of(first), region="317101", serial=1)
    client.force_login(world.users["kpu_a"])
    url = reverse("verification-results", kwargs={"pk": pair.pk})
    assert _names(client.get(url, {"q": "pendukung 31.71.01.1001 2"})) == {
        "Pendukung 31.71.01.1001 2"
    }
    spaced = " ".join(nik[i : i + 4] for i in range(0, 16, 4))  # as typed from the card
    assert _names(client.get(url, {"q": spaced})) == {first.name}
    assert _names(client.get(url, {"q": nik[:12]})) == set()  # part of a NIK finds nobody
    assert len(_names(client.get(url, {"alasan": "NOT_IN_ROLL"}))) == 3
    assert _names(client.get(url, {"alasan": "UNDERAGE"})) == set()
    html = client.get(url, {"alasan": "UNDERAGE"}).content.decode()
    assert "Hapus saringan" in html
    assert "Tidak ada pendukung yang cocok dengan saringan ini." in html
