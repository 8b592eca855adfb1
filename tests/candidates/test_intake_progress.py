"""The upload page's counts while a list is read (files.uploads.Progress): rows read,
accepted and rejected grow with the import instead of staying 0 until the end, and are seen
from outside the import's transaction (what the page polls)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.urls import reverse

from candidates.intake import support_upload_create, support_upload_run
from candidates.models import SupportUpload
from files import uploads
from jobs.side import raw_connection
from tests.factories import PairFactory, csv_bytes, good_row, make_nik


def _rows(n: int, bad_every: int) -> list[dict]:
    rows = []
    for i in range(n):
        nik = make_nik(serial=i % 9000 + 1) if i % bad_every else "3.17101E+15"
        rows.append(good_row(NIK=nik))
    return rows


def _seen_elsewhere(pk: int) -> tuple[int, int, int] | None:
    """(rows_read, accepted, rejected) as another connection reads them: on PostgreSQL the
    import's transaction is still open. SQLite writes progress only between commits."""
    if connection.vendor != "postgresql":
        return None
    with raw_connection(autocommit=True) as conn:
        return conn.execute(
            "SELECT rows_read, accepted, rejected FROM candidates_supportupload WHERE id = %s",
            [pk],
        ).fetchone()


@pytest.mark.django_db(transaction=True)
def test_accepted_and_rejected_grow_while_the_list_is_read(jakarta, monkeypatch):
    pair = PairFactory()
    data = csv_bytes(_rows(5000, bad_every=100))  # every 100th row mangled by Excel
    upload, _ = support_upload_create(
        pair=pair, file=io.BytesIO(data), original_name="dukungan.csv"
    )
    written, seen = [], []
    write = uploads.Progress.write

    def spy(self):
        write(self)
        written.append(self.counts())
        seen.append(_seen_elsewhere(self.pk))

    monkeypatch.setattr(uploads, "PROGRESS_EVERY", 1000)
    monkeypatch.setattr(uploads.Progress, "write", spy)
    done = support_upload_run(upload_id=upload.pk)

    assert (done.status, done.accepted, done.rejected) == ("done", 4950, 50)
    assert len(written) >= 3
    for counts in written:
        assert counts["accepted"] + counts["rejected"] == counts["rows_read"]
        assert counts["rejected"] == (counts["rows_read"] + 99) // 100
    accepted = [c["accepted"] for c in written]
    assert accepted == sorted(accepted) and 0 < accepted[0] < 4950
    if connection.vendor == "postgresql":
        assert [(s[1], s[2]) for s in seen] == [(c["accepted"], c["rejected"]) for c in written]


@pytest.mark.django_db
def test_the_upload_page_shows_the_counts_of_a_running_import(client, world):
    upload = world.objects["a"]["upload"]
    SupportUpload.objects.filter(pk=upload.pk).update(
        status="running", rows_read=120_000, accepted=119_850, rejected=150, size=10, bytes_read=5
    )
    client.force_login(world.users["tim_a"])
    page = client.get(reverse("upload-progress", kwargs={"pk": upload.pk})).content.decode()
    assert "119.850" in page and "150" in page and "hx-get" in page


@pytest.mark.django_db(transaction=True)
def test_a_failed_run_counts_nothing_as_accepted(jakarta, monkeypatch):
    """Its rows were counted as they were read, then rolled back with the load."""
    monkeypatch.setattr(uploads, "PROGRESS_EVERY", 1000)
    pair = PairFactory()
    data = csv_bytes(_rows(3000, bad_every=100))
    upload, _ = support_upload_create(
        pair=pair, file=io.BytesIO(data), original_name="dukungan.csv"
    )

    def load(upload, rows):
        for _ in rows:
            pass
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        support_upload_run(upload_id=upload.pk, load=load)
    upload.refresh_from_db()
    assert (upload.status, upload.accepted) == ("failed", 0)


@pytest.mark.django_db(transaction=True)
def test_a_loaded_list_leaves_the_planner_statistics_of_the_supporters_fresh(jakarta):
    """PostgreSQL: the intake ends with ANALYZE, so the verification that follows plans on the
    list's real size (the engine ANALYZEs only what is still stale)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE and planner statistics: PostgreSQL")

    def analyzed_at():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT now(), last_analyze FROM pg_stat_user_tables "
                "WHERE relname = 'candidates_supporter'"
            )
            return cursor.fetchone()

    before, _ = analyzed_at()
    upload, _ = support_upload_create(
        pair=PairFactory(),
        file=io.BytesIO(csv_bytes(_rows(3000, bad_every=10**9))),
        original_name="dukungan.csv",
    )
    assert support_upload_run(upload_id=upload.pk).status == "done"
    _, analyzed = analyzed_at()
    assert analyzed is not None and analyzed >= before
    with connection.cursor() as cursor:  # the row count, and what the verification joins on
        cursor.execute(
            "SELECT reltuples, (SELECT count(*) FROM candidates_supporter) FROM pg_class "
            "WHERE relname = 'candidates_supporter'"
        )
        planned, rows = cursor.fetchone()
        assert planned == rows >= 2990
        cursor.execute(
            "SELECT attname FROM pg_stats WHERE tablename = 'candidates_supporter' "
            "AND attname IN ('nik_hash', 'pair_id', 'round')"
        )
        assert {name for (name,) in cursor.fetchall()} == {"nik_hash", "pair_id", "round"}
