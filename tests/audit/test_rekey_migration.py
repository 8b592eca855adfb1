"""Upgrading a trail of unkeyed links (audit/migrations/0005_keyed_chain.py): each old link
is checked as it was, the trail is hashed again under the audit key with its positions, an
"audit.rekeyed" event records it, and the new heads are anchored. A broken old trail stops
the upgrade."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from audit.trail import GENESIS, event_hash

BEFORE = [("audit", "0003_event_chain")]
AFTER = [("audit", "0006_chain_seq_truncate")]


def _old_trail(*, break_at: int | None = None) -> list:
    """Events written as the release before the key wrote them, on two chains."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Event = executor.loader.project_state(BEFORE).apps.get_model("audit", "Event")
    heads: dict[str, str] = {}
    made = []
    for n, chain in enumerate(["", "31.71.01.1001", "", "31.71.01.1001", ""]):
        event = Event(
            at=dt.datetime(2024, 6, 1, 8, n, tzinfo=dt.UTC),
            action="verfak.recorded" if chain else "upload.submitted",
            area=chain or "31",
            data={"n": n},
            chain=chain,
            prev_hash=heads.get(chain, GENESIS),
        )
        event.hash = event_hash(event.prev_hash, event)
        if n == break_at:
            event.data = {"n": 99}  # changed after it was hashed
        event.save()
        heads[chain] = event.hash
        made.append(event)
    return made


@pytest.mark.django_db(transaction=True)
def test_the_old_trail_is_checked_and_hashed_again_under_the_key(settings):
    from audit.models import Event
    from audit.trail import audit_verify

    old = _old_trail()
    MigrationExecutor(connection).migrate(AFTER)
    events = list(Event.objects.order_by("id"))
    assert [(e.chain, e.seq) for e in events] == [
        ("", 1), ("31.71.01.1001", 1), ("", 2), ("31.71.01.1001", 2), ("", 3), ("", 4),
    ]  # fmt: skip
    assert all(e.key_id == "1" for e in events)
    assert {e.hash for e in events}.isdisjoint({e.hash for e in old})
    record = events[-1]
    assert record.action == "audit.rekeyed"
    assert (record.data["events"], record.data["chains"]) == (5, 2)
    assert record.data["old_main_head"] == old[4].hash
    result = audit_verify()
    assert result["ok"] is True
    # Every chain's new head is anchored once the migration committed.
    assert result["anchors"]["chains"] == 2 and result["anchors"]["lines"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_broken_old_trail_stops_the_upgrade():
    _old_trail(break_at=2)
    try:
        with pytest.raises(RuntimeError, match="rusak mulai peristiwa #"):
            MigrationExecutor(connection).migrate(AFTER)
        assert ("audit", "0005_keyed_chain") not in MigrationExecutor(
            connection
        ).loader.applied_migrations
    finally:  # the next tests need the schema of today: empty the broken trail, migrate
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("DELETE FROM audit_event")
        MigrationExecutor(connection).migrate(AFTER)
