from __future__ import annotations

from electorate.models import Region
from electorate.regions import regions_load


def test_jakarta_has_6_kabkota_44_kecamatan_267_kelurahan(jakarta):
    counts = {
        lvl: Region.objects.filter(code__startswith="31", level=lvl).count() for lvl in (2, 3, 4)
    }
    assert counts == {2: 6, 3: 44, 4: 267}
    assert Region.objects.get(code="31.71.01.1001").name == "Gambir"
    assert Region.objects.get(code="31.71.01.1001").parent.parent_id == "31.71"
    kabkota = set(Region.objects.filter(parent_id="31").values_list("code", flat=True))
    assert kabkota == {"31.01", "31.71", "31.72", "31.73", "31.74", "31.75"}


def test_loading_twice_changes_nothing(jakarta):
    before = list(Region.objects.values_list("code", "name", "parent_id"))
    assert regions_load(province="31") == {
        "province": 1,
        "kabkota": 6,
        "kecamatan": 44,
        "kelurahan": 267,
    }
    assert list(Region.objects.values_list("code", "name", "parent_id")) == before


def test_other_provinces_are_not_loaded_with_province_filter(jakarta):
    assert not Region.objects.exclude(code__startswith="31").exists()
