"""The results export as a background job (verification/exports.py, export_views.py): started
from the results page, written by a task with its progress, kept encrypted, downloaded only by
the user who asked while its link lasts (then 410, and the retention deletes the file), each
download an audit event; the file holds exactly the rows the results page shows that user."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from audit.trail import audit_verify
from candidates.models import Supporter, TeamMembership
from decisions.retention import retention_purge
from jobs.side import raw_connection
from tests.factories import UserFactory, make_nik
from verification import exports
from verification.exports import export_claim, export_open, export_run
from verification.models import Export
from verification.services import export_start

pytestmark = pytest.mark.django_db

NAME = re.compile(r"Pendukung (3\d\.\d\d\.\d\d\.\d{4}) (\d+)")


def _ask(client, django_capture_on_commit_callbacks, user, pair, **filters) -> Export:
    """The results page's button, as `user`: the task runs in-process on commit."""
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("verification-exports", kwargs={"pk": pair.pk}), filters)
    assert response.status_code == 302
    export = Export.objects.filter(requested_by=user).latest("pk")
    assert response["Location"] == reverse("verification-export", kwargs={"pk": export.pk})
    return export


def _rows(body: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


def _download(client, export):
    return client.get(reverse("verification-export-file", kwargs={"pk": export.pk}))


def test_the_results_page_starts_an_export_and_links_the_file_once_written(
    client, world, verified, django_capture_on_commit_callbacks
):
    client.force_login(world.users["tim_a"])
    page = client.get(reverse("verification-results", kwargs={"pk": verified.pk})).content
    assert reverse("verification-exports", kwargs={"pk": verified.pk}) in page.decode()

    export = _ask(client, django_capture_on_commit_callbacks, world.users["tim_a"], verified)

    export.refresh_from_db()
    assert (export.status, export.rows_written, export.rows_total) == ("ready", 3, 3)
    hours = (export.expires_at - export.finished_at).total_seconds() / 3600
    assert hours == pytest.approx(24)
    page = client.get(reverse("verification-export", kwargs={"pk": export.pk})).content.decode()
    assert reverse("verification-export-file", kwargs={"pk": export.pk}) in page
    progress = reverse("verification-export-progress", kwargs={"pk": export.pk})
    assert f'hx-get="{progress}"' not in page  # finished: the progress card stops polling
    response = _download(client, export)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _rows(b"".join(response.streaming_content))
    assert len(rows) == 4 and all("********" in row[1] for row in rows[1:])


def test_the_progress_card_polls_and_counts_while_the_export_is_written(client, world, verified):
    export = Export.objects.create(
        requested_by=world.users["tim_a"], pair=verified, status="running", rows_total=840_640,
        rows_written=420_320, heartbeat_at=timezone.now(),
    )  # fmt: skip
    client.force_login(world.users["tim_a"])
    url = reverse("verification-export-progress", kwargs={"pk": export.pk})
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page
    assert "50%" in page and "420.320" in page and "840.640" in page
    assert "unduh/" not in page


def test_each_download_is_an_audit_event_with_who_and_how_many_rows(
    client, world, verified, django_capture_on_commit_callbacks
):
    user = world.users["tim_a"]
    export = _ask(client, django_capture_on_commit_callbacks, user, verified)
    for _ in range(2):
        assert _download(client, export).status_code == 200

    export.refresh_from_db()
    assert export.downloads == 2
    events = Event.objects.filter(
        action="export.downloaded", target=f"verification.export:{export.pk}"
    )
    assert [(e.actor, e.data["rows"], e.data["download"]) for e in events] == [
        ("tim_a", 3, 1),
        ("tim_a", 3, 2),
    ]
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"export.requested", "export.written", "export.downloaded"} <= actions
    assert audit_verify()["ok"]


def test_an_expired_link_answers_410_with_what_to_do_and_the_retention_deletes_the_file(
    client, world, verified, django_capture_on_commit_callbacks
):
    export = _ask(client, django_capture_on_commit_callbacks, world.users["tim_a"], verified)
    export.refresh_from_db()
    name, storage = export.file.name, export.file.storage
    assert storage.exists(name)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = _download(client, export)
    assert response.status_code == 410
    assert "kedaluwarsa" in response.content.decode()
    assert not Event.objects.filter(action="export.downloaded").exists()

    assert retention_purge()["files"]["exports"] == 1
    export.refresh_from_db()
    assert (export.status, export.file.name) == ("expired", "")
    assert not storage.exists(name)
    assert _download(client, export).status_code == 410
    assert Event.objects.filter(action="export.purged").count() == 1
    assert retention_purge()["files"]["exports"] == 0


@pytest.mark.parametrize("user", ["su", "prov", "kpu_a", "kpu_b", "pps_a", "bawaslu_a", "tim_b"])
def test_only_the_user_who_asked_opens_or_downloads_an_export(
    client, world, verified, django_capture_on_commit_callbacks, user
):
    """Not even the KPU running the election: the file is the team's view, under its name in
    the trail; the KPU asks for its own. Others get 404: nothing says the export exists."""
    export = _ask(client, django_capture_on_commit_callbacks, world.users["tim_a"], verified)
    client.force_login(world.users[user])
    for name in ("verification-export", "verification-export-progress", "verification-export-file"):
        assert client.get(reverse(name, kwargs={"pk": export.pk})).status_code == 404, name
    assert not Event.objects.filter(action="export.downloaded").exists()


def test_a_team_member_who_left_the_pair_no_longer_downloads_its_export(
    client, world, verified, django_capture_on_commit_callbacks
):
    user = world.users["tim_a"]
    export = _ask(client, django_capture_on_commit_callbacks, user, verified)
    TeamMembership.objects.filter(user=user).delete()
    assert _download(client, export).status_code == 404


@pytest.mark.parametrize("user", ["pps_a", "bawaslu_a", "tim_b"])
def test_who_may_not_export_cannot_start_one(client, world, verified, user):
    client.force_login(world.users[user])
    response = client.post(reverse("verification-exports", kwargs={"pk": verified.pk}))
    assert response.status_code in (403, 404)
    assert not Export.objects.exists()


def _page_names(client, pair, query: dict) -> set[tuple[str, str]]:
    page = client.get(reverse("verification-results", kwargs={"pk": pair.pk}), query)
    assert page.status_code == 200
    return set(NAME.findall(page.content.decode()))


@pytest.mark.parametrize(
    ("user", "pair", "query"),
    [
        ("tim_a", "a", {}),
        ("tim_a", "a", {"status": "TMS"}),
        ("tim_a", "a", {"status": "MS"}),
        ("tim_a", "a", {"round": "1"}),
        ("kpu_a", "a", {}),
        ("prov", "gov", {}),
        ("su", "gov", {"status": "TMS"}),
    ],
)
def test_the_export_holds_exactly_the_rows_the_results_page_shows_that_user(
    client, world, eager, django_capture_on_commit_callbacks, user, pair, query
):
    from tests.fieldwork.world import verified as run_verified

    pairs = {"a": world.objects["a"]["pair"], "gov": world.governor_pair}
    # A supporter of pair A listed in another kab/kota: outside the KPU of A's area.
    Supporter.objects.filter(pk=Supporter.objects.filter(pair=pairs["a"]).first().pk).update(
        kelurahan_id="31.72.01.1001", name="Pendukung 31.72.01.1001 9"
    )
    for p in pairs.values():
        run_verified(p)
    target = pairs[pair]
    export = _ask(client, django_capture_on_commit_callbacks, world.users[user], target, **query)
    shown = _page_names(client, target, query)

    export.refresh_from_db()
    with export_open(export) as fh:
        rows = _rows(fh.read())[1:]
    assert {tuple(NAME.fullmatch(row[2]).groups()) for row in rows} == shown
    assert export.rows_written == len(rows)


# --- the job itself --------------------------------------------------------------------------


def test_a_second_ask_while_the_first_is_written_is_the_same_export(world, verified):
    user = world.users["tim_a"]
    first = export_start(user=user, pair=verified, round=None, enqueue=False)
    assert export_start(user=user, pair=verified, round=None, enqueue=False) == first
    assert export_start(user=user, pair=verified, round=0, enqueue=False) != first
    # Its worker died (silent past the lease): asked afresh, the dead one marked failed.
    Export.objects.filter(pk=first.pk).update(
        status="running", heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    again = export_start(user=user, pair=verified, round=None, enqueue=False)
    assert again != first
    first.refresh_from_db()
    assert first.status == "failed"


def test_a_claim_is_won_once_and_a_silent_run_is_taken_over(world, verified, settings):
    export = export_start(user=world.users["tim_a"], pair=verified, round=None, enqueue=False)
    claimed = export_claim(export.pk)
    assert claimed is not None and export_claim(export.pk) is None
    Export.objects.filter(pk=export.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS["export"] + 1)
    )
    assert export_claim(export.pk) is not None
    # The first claimant finishing late: its write is refused and its file dropped.
    with io.BytesIO(b"late") as plain:
        exports._store(export, plain, 3, claimed)
    export.refresh_from_db()
    assert (export.status, export.file.name) == ("running", "")


def test_a_finished_export_is_not_written_again(world, verified):
    export = export_start(user=world.users["tim_a"], pair=verified, round=None, enqueue=False)
    done = export_run(export_id=export.pk)
    assert done.status == "ready"
    assert export_run(export_id=export.pk).file.name == done.file.name


def test_the_file_is_encrypted_at_rest_and_bound_to_its_export(world, verified):
    export = export_run(
        export_id=export_start(
            user=world.users["tim_a"], pair=verified, round=None, enqueue=False
        ).pk
    )
    with export.file.storage.open(export.file.name, "rb") as fh:
        blob = fh.read()
    assert not blob.startswith(b"PK")  # not the zip of an XLSX: sealed
    assert b"Pendukung" not in blob
    other = Export.objects.create(requested_by=world.users["tim_a"], pair=verified)
    Export.objects.filter(pk=other.pk).update(file=export.file.name)
    other.refresh_from_db()
    with pytest.raises(ValueError), export_open(other) as fh:
        fh.read()


def test_a_failed_export_says_what_to_do_without_the_error_text(world, verified, monkeypatch):
    export = export_start(user=world.users["tim_a"], pair=verified, round=None, enqueue=False)

    def boom(*args, **kwargs):
        raise RuntimeError("Pendukung 31.71.01.1001 1 at row 2")

    monkeypatch.setattr(exports, "supporter_results_xlsx", boom)
    with pytest.raises(RuntimeError):
        export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == "failed"
    assert f"#{export.pk}" in export.failure and "Pendukung" not in export.failure


@pytest.mark.django_db(transaction=True)
def test_progress_and_heartbeat_are_seen_by_others_while_the_rows_are_written(case, monkeypatch):
    """What the page polls, read from another connection while the export runs (on
    PostgreSQL its rows are read inside a transaction: the progress must go around it)."""
    for serial in range(1, 8):
        case.supporter(make_nik(serial=serial))
    pair = case.pair("A")
    user = UserFactory(username="tim_uji")
    TeamMembership.objects.create(user=user, pair=pair)
    from electorate.models import Role, StaffAssignment

    StaffAssignment.objects.create(user=user, role=Role.TIM, region_id="31")
    export = export_start(user=user, pair=pair, round=None, enqueue=False)
    seen = []
    write = exports._Progress.write

    def spy(self, rows):
        write(self, rows)
        seen.append(_read_elsewhere(export.pk))

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(exports._Progress, "write", spy)
    export_run(export_id=export.pk)

    assert [(rows, total) for rows, total, _beat in seen] == [(0, 7), (2, 7), (4, 7), (6, 7)]
    beats = [beat for _r, _t, beat in seen]
    assert all(beats) and beats == sorted(beats)


def _read_elsewhere(pk: int) -> tuple:
    sql = "SELECT rows_written, rows_total, heartbeat_at FROM verification_export WHERE id = %s"
    if connection.vendor == "postgresql":
        with raw_connection(autocommit=True) as conn:
            return tuple(conn.execute(sql, [pk]).fetchone())
    return tuple(Export.objects.filter(pk=pk).values_list(
        "rows_written", "rows_total", "heartbeat_at").get())  # fmt: skip
