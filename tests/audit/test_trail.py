"""The audit trail (audit/trail.py): append-only and hash-chained; `audit_verify` names the
first broken link; on PostgreSQL the database refuses to change or delete an event."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.models import Event
from audit.trail import GENESIS, audit_record, audit_verify
from tests.factories import UserFactory


@pytest.fixture
def three(db):
    user = UserFactory(username="kpu_jakpus")
    return [
        audit_record("upload.submitted", actor=user, area="31.71", data={"rows": 10}),
        audit_record("verification.started", actor=user, area="31.71"),
        audit_record("decision.recorded", area="31", data={"result": "memenuhi_syarat"}),
    ]


def test_events_form_a_chain_from_the_genesis(three):
    first, second, third = three
    assert first.prev_hash == GENESIS
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
    assert [e.seq for e in three] == [1, 2, 3]
    assert (first.actor, first.actor_id) == ("kpu_jakpus", first.actor_id)
    result = audit_verify()
    assert (result["events"], result["ok"], result["first_broken"], result["why"]) == (
        3, True, None, "",
    )  # fmt: skip
    assert result["main"] == {"seq": 3, "head": third.hash}


def _tamper(sql: str, params: list) -> None:
    """What someone with the database in hand and the trigger out of the way would do."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        cursor.execute(sql, params)


def test_editing_one_past_event_breaks_the_check_there(three):
    table = Event._meta.db_table
    with transaction.atomic():
        _tamper(f"UPDATE {table} SET data = %s WHERE id = %s", ['{"rows": 9}', three[0].pk])
    result = audit_verify()
    assert (result["events"], result["ok"], result["first_broken"], result["why"]) == (
        1, False, three[0].pk, "hash",
    )  # fmt: skip


def test_deleting_an_event_breaks_the_check_at_the_next_one(three):
    with transaction.atomic():
        _tamper(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", [three[1].pk])
    result = audit_verify()
    # The next event's position no longer follows (and its prev_hash no longer matches).
    assert (result["ok"], result["first_broken"], result["why"]) == (False, three[2].pk, "seq")


def test_the_command_prints_json_and_fails_on_a_broken_chain(three):
    out = io.StringIO()
    call_command("audit_verify", "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True
    with transaction.atomic():
        _tamper(f"UPDATE {Event._meta.db_table} SET actor = 'x' WHERE id = %s", [three[2].pk])
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("audit_verify", "--json", stdout=out)
    assert exited.value.code == 1
    assert json.loads(out.getvalue())["first_broken"] == three[2].pk


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("sql", ["UPDATE {t} SET action = 'x'", "DELETE FROM {t}"])
def test_postgresql_refuses_to_change_or_delete_an_event(three, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql.format(t=Event._meta.db_table))
    assert Event.objects.count() == 3


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_orm_cannot_delete_an_event_either(three):
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=three[0].pk).delete()


def test_field_entries_chain_per_kelurahan_and_every_chain_is_checked(db):
    """Events of two kelurahan chains and the main chain, interleaved: each chain links its
    own events; deleting one of a kelurahan's events breaks that chain at its next event."""
    gambir, cideng = "31.71.01.1001", "31.71.01.1002"
    events = [
        audit_record("verfak.recorded", area=gambir, chain=gambir),
        audit_record("upload.submitted", area="31.71"),
        audit_record("verfak.recorded", area=cideng, chain=cideng),
        audit_record("verfak.recorded", area=gambir, chain=gambir),
        audit_record("verfak.recorded", area=cideng, chain=cideng),
    ]
    assert [e.prev_hash for e in events] == [
        GENESIS, GENESIS, GENESIS, events[0].hash, events[2].hash,
    ]  # fmt: skip
    assert audit_verify()["ok"] is True
    # Moved to another chain (at a free position), an event no longer hashes: the chain is
    # part of what is hashed.
    with transaction.atomic():
        _tamper(
            f"UPDATE {Event._meta.db_table} SET chain = %s WHERE id = %s",
            ["31.71.01.1003", events[2].pk],
        )
    result = audit_verify()
    assert (result["first_broken"], result["why"]) == (events[2].pk, "hash")


def test_deleting_a_kelurahan_event_breaks_that_chain_at_its_next_event(db):
    gambir = "31.71.01.1001"
    first = audit_record("verfak.recorded", area=gambir, chain=gambir)
    audit_record("upload.submitted", area="31.71")
    third = audit_record("verfak.recorded", area=gambir, chain=gambir)
    with transaction.atomic():
        _tamper(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", [first.pk])
    result = audit_verify()
    assert (result["ok"], result["first_broken"], result["why"]) == (False, third.pk, "seq")
