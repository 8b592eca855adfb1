"""Fixtures of the engine's tests (on the case of tests/verification/case.py)."""

from __future__ import annotations

import pytest

from tests.factories import make_nik
from tests.verification.case import KEL_OUTSIDE, KEL_UTARA


@pytest.fixture
def mixed(case, settings):
    """Twenty supporters with every reason, in chunks of four."""
    settings.VERIFICATION_CHUNK_SIZE = 4
    dup = make_nik()
    for i in range(20):
        kind = i % 7
        nik = dup if kind == 5 else make_nik()
        name = "AGUS SALIM" if kind == 1 else "BUDI SANTOSO"
        if kind == 1:
            case.voter(nik, name="BUDI SANTOSO")
        case.supporter(
            nik,
            in_roll=kind != 2,
            name=name,
            occupation="PNS" if kind == 3 else "Petani",
            kelurahan_id=KEL_OUTSIDE if kind == 4 else KEL_UTARA if i % 2 else "31.71.01.1001",
        )
    return case.pair("A")
