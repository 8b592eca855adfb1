"""Through a real Celery worker on Redis, against the real PostgreSQL test database."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from candidates.intake import support_upload_create
from candidates.models import Supporter
from candidates.services import election_create, pair_create
from candidates.tasks import support_upload_task
from tests.factories import csv_bytes, good_row

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_support_upload_is_imported_by_a_real_worker(start_worker, jakarta):
    worker = start_worker()
    election = election_create(
        slug="pilgub-dki-2024",
        region_code="31",
        level="governor",
        dpt=8_252_897,
        voting_day=dt.date(2024, 11, 27),
    )
    pair = pair_create(election=election, name="Pasangan Uji")
    csv = csv_bytes(
        [
            good_row(
                NIK="3171014505900001",
                NAMA="Siti Aminah",
                birth=dt.date(1990, 5, 5),
                sex="P",
                ALAMAT="Jl. Kebon Kelapa 1",
                KODE_WILAYAH="31.71.01.1001",
            ),
            good_row(
                NIK="3171011203850002",
                birth=dt.date(1985, 3, 12),
                TANGGAL_LAHIR="12/03/1985",
                ALAMAT="Jl. Cideng Barat 7",
                RT="3",
                RW="4",
                KODE_WILAYAH="3171011002",
                PEKERJAAN="Wiraswasta",
            ),
            good_row(NIK="3.17101E+15", NAMA="Rusak Excel", KODE_WILAYAH="31.71.01.1003"),
        ]
    )
    upload, created = support_upload_create(
        pair=pair,
        round=0,
        file=ContentFile(csv, name="dukungan.csv"),
        original_name="dukungan.csv",
    )
    assert created

    support_upload_task.apply_async(args=[upload.pk], queue=worker.queue)
    deadline = time.monotonic() + 120  # no result backend: the upload row is the outcome
    while upload.status not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        upload.refresh_from_db()

    assert upload.status == "done"
    assert (upload.accepted, upload.rejected) == (2, 1)
    assert Supporter.objects.filter(pair=pair).count() == 2
    assert settings.CELERY_BROKER_URL.startswith("redis://")
