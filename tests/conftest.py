from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def jakarta(db):
    """DKI Jakarta's real region tree (6 kab/kota, 44 kecamatan, 267 kelurahan)."""
    from electorate.regions import regions_load

    regions_load(province="31")
    from electorate.models import Region

    return Region.objects.get(code="31")
