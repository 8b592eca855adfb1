from __future__ import annotations

import io

import pytest

from tests.factories import PairFactory, RegionFactory

BEKASI = "32.75.01.1001"  # a kelurahan outside DKI Jakarta (Kota Bekasi)


@pytest.fixture
def pair(jakarta):
    return PairFactory()


@pytest.fixture
def intake(pair):
    """Create and run an upload of `data` (bytes) named `name` for the pair."""
    from candidates.intake import support_upload_create, support_upload_run

    def run(data: bytes, name: str = "dukungan.csv", round: int = 0, target=None):
        upload, created = support_upload_create(
            pair=target or pair, round=round, file=io.BytesIO(data), original_name=name
        )
        return support_upload_run(upload_id=upload.pk), created

    return run


@pytest.fixture
def bekasi(db):
    """A Bekasi kelurahan in the region tree: known, but outside a Jakarta election."""
    for code in ("32", "32.75", "32.75.01", BEKASI):
        RegionFactory(code=code)
