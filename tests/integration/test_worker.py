"""Through a real Celery worker on Redis, against the real PostgreSQL test database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from candidates.intake import support_upload_create
from candidates.models import Supporter
from candidates.services import election_create, pair_create
from candidates.tasks import support_upload_task

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
    csv = (
        "NIK,NAMA,TEMPAT_LAHIR,TANGGAL_LAHIR,JENIS_KELAMIN,ALAMAT,RT,RW,KODE_WILAYAH,"
        "PEKERJAAN,STATUS_PERKAWINAN,HALAMAN\n"
        "3171014505900001,Siti Aminah,Jakarta,05-05-1990,P,Jl. Kebon Kelapa 1,1,2,"
        "31.71.01.1001,Karyawan Swasta,Kawin,1\n"
        "3171011203850002,Budi Santoso,Jakarta,12/03/1985,L,Jl. Cideng Barat 7,3,4,"
        "3171011002,Wiraswasta,Kawin,1\n"
        "3.17101E+15,Rusak Excel,Jakarta,01-01-1980,L,Jl. Petojo,1,1,31.71.01.1003,Buruh,Kawin,1\n"
    )
    upload, created = support_upload_create(
        pair=pair,
        round=0,
        file=ContentFile(csv.encode(), name="dukungan.csv"),
        original_name="dukungan.csv",
    )
    assert created

    result = support_upload_task.apply_async(args=[upload.pk], queue=worker.queue)
    result.get(timeout=120)

    upload.refresh_from_db()
    assert upload.status == "done"
    assert (upload.accepted, upload.rejected) == (2, 1)
    assert Supporter.objects.filter(pair=pair).count() == 2
    assert settings.CELERY_BROKER_URL.startswith("redis://")
