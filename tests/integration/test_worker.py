"""Through a real Celery worker on Redis, against the real PostgreSQL test database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from config.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(settings, tmp_path):
    """A real `celery worker` process on a queue of its own, so no stray worker takes the job."""
    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL and PostgreSQL (make test sets both)")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_support_upload_is_imported_by_a_real_worker(worker, jakarta):
    import datetime as dt

    from candidates.intake import support_upload_create
    from candidates.models import Supporter
    from candidates.services import election_create, pair_create
    from candidates.tasks import support_upload_task

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

    result = support_upload_task.apply_async(args=[upload.pk], queue=worker)
    result.get(timeout=120)

    upload.refresh_from_db()
    assert upload.status == "done"
    assert (upload.accepted, upload.rejected) == (2, 1)
    assert Supporter.objects.filter(pair=pair).count() == 2
    assert settings.CELERY_BROKER_URL.startswith("redis://")
