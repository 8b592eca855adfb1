"""Issue 21 item 5: the advice form's Wilayah is required where the service requires it (advice
about an area or the procedure), says so, and names the field when it is missing."""

from __future__ import annotations

from django.urls import reverse

from fieldwork.models import Advice, Task


def test_the_area_of_an_advice_is_required_and_said_so(login, verfak):
    stage = verfak.objects["a"]["stage"]
    client = login("pkd_a")
    url = reverse("verfak-advice-new", args=[stage.pk])
    page = client.get(url).content.decode()
    assert "boleh kosong" not in page
    assert "Wajib untuk saran tentang hasil satu wilayah atau prosedur" in page
    response = client.post(url, {"target": "area", "region_code": "", "text": "Rekap salah"})
    assert response.status_code == 200
    assert "Pilih Wilayah" in response.content.decode()
    assert not Advice.objects.filter(text="Rekap salah").exists()


def test_advice_about_a_supporter_takes_the_supporters_area(login, verfak):
    stage = verfak.objects["a"]["stage"]
    task = Task.objects.filter(stage=stage).order_by("pk").last()
    client = login("pkd_a")
    url = reverse("verfak-advice-new", args=[stage.pk]) + f"?tugas={task.pk}"
    assert 'name="region_code"' not in client.get(url).content.decode()
    client.post(url, {"tugas": task.pk, "target": "supporter", "text": "Belum dikunjungi"})
    assert Advice.objects.get(task=task).region_code == task.kelurahan_code
