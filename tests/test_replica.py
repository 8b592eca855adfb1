"""Reads on a real streaming replica (issue 22 item 3): the run starts its own PostgreSQL
primary and a hot standby made from it by pg_basebackup -R, each on a free local port in a
temporary directory (the machine's PostgreSQL on 5432 is not touched), points "default" and
"replica" at them, migrates, and checks that the routed pages read the standby, that the public
check answers with the primary stopped, and that a page after a write shows it. Teardown stops
both clusters and removes them.

PostgreSQL only (the Makefile's SQLite run leaves the top-level tests out)."""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.pgcluster import PG_BIN, TOOLS, Clusters, tools_present
from electorate.models import Role
from replica.scope import ReplicaScopeWrite, primary_reads, read_alias, replica_reads

NAME = "pilkada_replica"
NIK = "3171011201900501"  # make_nik's shape: Gambir, born 12 January 1990
BIRTH = dt.date(1990, 1, 12)
API = "/api/cek-dukungan/"

pytestmark = [
    pytest.mark.skipif(
        not tools_present(),
        reason=f"PostgreSQL server binaries ({', '.join(TOOLS)}) not found in {PG_BIN}",
    ),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="a streaming replica needs PostgreSQL (DATABASE_URL)",
    ),
]


@pytest.fixture(scope="module")
def clusters():
    with Clusters("pilkada-replica-", fast=True, max_connections=40, shared_buffers="32MB") as pg:
        pg.primary_start()
        pg.primary.sql(f"CREATE DATABASE {NAME}")
        pg.standby_start()
        yield pg


def caught_up(pg) -> float:
    return pg.caught_up(NAME, timeout=30)


@pytest.fixture(scope="module")
def pg(clusters, django_db_blocker):
    """ "default" on the test's primary, "replica" on its standby, for this module only; the
    settings of the rest of the run are put back afterwards."""
    default = connections["default"]
    saved = dict(default.settings_dict)
    with django_db_blocker.unblock():
        default.close()
        default.settings_dict.update(
            NAME=NAME, HOST="127.0.0.1", PORT=clusters.primary.port, USER="postgres", PASSWORD=""
        )
        replica = dict(default.settings_dict, PORT=clusters.standby.port)
        settings.DATABASES["replica"] = replica
        connections.settings["replica"] = replica
        try:
            call_command("migrate", database="default", verbosity=0, interactive=False)
            clusters.world = _world()
            caught_up(clusters)
            yield clusters
        finally:
            for alias in ("replica", "default"):
                connections[alias].close()
            del connections["replica"]
            connections.settings.pop("replica", None)
            settings.DATABASES.pop("replica", None)
            default.settings_dict.clear()
            default.settings_dict.update(saved)


def _world() -> SimpleNamespace:
    """DKI's regions, the governor election, pair A with a supporter verified by the engine,
    and a KPU DKI officer (the tests' own factories, written on the primary)."""
    from electorate.regions import regions_load
    from tests.factories import ElectionFactory, VoterRollFactory
    from tests.fieldwork.field import staff
    from tests.verification.case import VOTING_DAY, Case, verify

    regions_load(province="31")
    from electorate.models import Region

    jakarta = Region.objects.get(code="31")
    election = ElectionFactory(
        slug="pilgub-dki-2024",
        name="Pilgub DKI 2024",
        region=jakarta,
        voting_day=VOTING_DAY,
        roll=VoterRollFactory(name="DPT DKI 2024", region=jakarta),
    )
    case = Case(election)
    case.supporter(NIK)
    verify(case.pair("A"))
    return SimpleNamespace(
        election=election,
        case=case,
        pair=case.pair("A"),
        kpu=staff("kpu_dki", Role.KPU_PROVINSI, "31"),
    )


def _check(client: Client, nik: str = NIK, n: int = 0):
    return client.post(
        API,
        {"nik": nik, "birth_date": BIRTH.isoformat(), "name": "BUDI SANTOSO"},
        content_type="application/json",
        REMOTE_ADDR=f"198.51.100.{n % 250 + 1}",
    )


@pytest.fixture(autouse=True)
def _flush_on_a_worker(monkeypatch, settings):
    """The counts' flush is a worker's task (Redis), not part of the check's request; each
    test counts its checks from zero under its own cache prefix."""
    import objections.api
    import objections.views

    monkeypatch.setattr(objections.api, "check_counts_flush_soon", lambda: None)
    monkeypatch.setattr(objections.views, "check_counts_flush_soon", lambda: None)
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"replica-{time.time_ns()}"},
    }
    settings.CHECK_RESPONSE_FLOOR_MS = 0


def _tables(queries: list[dict]) -> str:
    return " ".join(q["sql"] for q in queries)


def test_the_public_check_reads_the_standby(pg):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = _check(Client())
    assert response.status_code == 200 and response.json()["listed"] is True
    assert "candidates_supporter" in _tables(replica.captured_queries)
    assert primary.captured_queries == []  # nothing of the check touches the primary


def test_a_standby_held_back_answers_from_before_the_write(pg):
    """The proof that the answer comes from the standby: with its replay paused, a supporter
    added on the primary is not found; once it has replayed, it is."""
    pg.standby.sql("SELECT pg_wal_replay_pause()")
    try:
        pg.world.case.supporter("3171011201900502")
        assert _check(Client(), "3171011201900502", 1).json()["listed"] is False
    finally:
        pg.standby.sql("SELECT pg_wal_replay_resume()")
    caught_up(pg)
    assert _check(Client(), "3171011201900502", 2).json()["listed"] is True


def test_the_recap_and_the_minutes_check_read_the_standby(pg):
    warm = Client()
    warm.force_login(pg.world.kpu)
    warm.get(f"/paslon/{pg.world.pair.pk}/rekap/")  # stores the recap's part (and is pinned)
    caught_up(pg)
    client = Client()
    client.force_login(pg.world.kpu)  # no pin: the session is written outside a request
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        assert client.get(f"/paslon/{pg.world.pair.pk}/rekap/").status_code == 200
        assert client.get(f"/api/pairs/{pg.world.pair.pk}/recap/").status_code == 200
        assert Client().get("/berita-acara/ABCDEFGH2345/").status_code == 404
    on_replica, on_primary = _tables(replica.captured_queries), _tables(primary.captured_queries)
    for table in ("verification_runderived", "candidates_standing", "documents_minutes"):
        assert table in on_replica and table not in on_primary, table
    # What the primary answered: the session and the user, read before the replica scope.
    assert "django_session" in on_primary


def test_the_public_check_answers_with_the_primary_stopped(pg):
    pg.primary.stop()
    try:
        for n in range(3):
            response = _check(Client(), NIK, 10 + n)
            assert response.status_code == 200 and response.json()["listed"] is True
        page = Client().post(
            "/cek-dukungan/",
            {"nik": NIK, "birth_date": BIRTH.isoformat(), "name": "BUDI SANTOSO"},
            REMOTE_ADDR="198.51.100.99",
        )
        assert page.status_code == 200 and "Pilgub DKI 2024" in page.content.decode()
    finally:
        connections["default"].close()
        pg.primary.start()


def test_a_page_after_a_write_shows_it_while_the_standby_lags(pg):
    """A KPU officer registers a pair; the standby is held back. The officer's next page (the
    new pair's recap, a replica page) shows it: the write pinned them to the primary. Another
    officer, not pinned, reads the standby and finds no such pair until it replays."""
    writer, other = Client(), Client()
    writer.force_login(pg.world.kpu)
    other.force_login(pg.world.kpu)
    caught_up(pg)
    pg.standby.sql("SELECT pg_wal_replay_pause()")
    try:
        response = writer.post(
            f"/pemilihan/{pg.world.election.pk}/paslon/baru/", {"name": "Z - Replika"}
        )
        assert response.status_code == 302 and "db_pin" in response.cookies
        from candidates.models import Pair

        new = Pair.objects.get(name="Z - Replika")
        page = writer.get(f"/paslon/{new.pk}/rekap/")
        assert page.status_code == 200 and "Z - Replika" in page.content.decode()
        assert other.get(f"/paslon/{new.pk}/rekap/").status_code == 404
    finally:
        pg.standby.sql("SELECT pg_wal_replay_resume()")
    caught_up(pg)
    assert other.get(f"/paslon/{new.pk}/rekap/").status_code == 200


def test_a_write_inside_a_replica_scope_is_refused_and_primary_reads_escape_it(pg):
    from candidates.models import Pair

    with replica_reads:
        assert read_alias() == "replica"
        with pytest.raises(ReplicaScopeWrite):
            Pair.objects.filter(pk=pg.world.pair.pk).update(name="A")
        with primary_reads:
            assert read_alias() == "default"
            Pair.objects.filter(pk=pg.world.pair.pk).update(name="A")
    assert read_alias() == "default"
