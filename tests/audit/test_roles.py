"""The role split of deploy/ (audit/grants.py, `db_grants`), on the real PostgreSQL: roles
made inside the test's transaction (rolled back with it). The application's role records
events and does its run-time work (a roll's partition, its statistics), and cannot change,
delete or empty an event, nor switch the triggers off; the owner runs the migrations, and even
the owner is refused TRUNCATE."""

from __future__ import annotations

import io
import uuid
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.grants import grants_apply
from audit.models import Event
from audit.trail import audit_record

TABLE = Event._meta.db_table
postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


@pytest.fixture
def roles(db):
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"t_owner_{suffix}", f"t_app_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {owner} NOLOGIN")
        cursor.execute(f"CREATE ROLE {app} NOLOGIN")
    grants_apply(owner=owner, app=app)
    return owner, app


@contextmanager
def acting_as(role: str):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def refused(sql: str) -> str:
    """The error a statement meets (in a savepoint, so the test goes on)."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    return str(caught.value)


@postgresql_only
def test_the_application_appends_events_and_can_do_nothing_else_to_them(roles):
    _owner, app = roles
    with acting_as(app):
        event = audit_record("upload.submitted", area="31", data={"rows": 3})
        assert Event.objects.filter(pk=event.pk).exists()
        for sql in (
            f"UPDATE {TABLE} SET action = 'x'",
            f"DELETE FROM {TABLE}",
            f"TRUNCATE {TABLE}",
        ):
            assert "permission denied" in refused(sql), sql
        assert "must be owner" in refused(f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL")
        assert "must be owner" in refused(f"DROP TABLE {TABLE}")
        # Nor may it switch every trigger off for its session (no --import-shortcut).
        assert "permission denied" in refused("SET session_replication_role = replica")
        assert "permission denied" in refused(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())"
        )


@postgresql_only
def test_the_application_still_does_its_run_time_work(roles):
    """A new roll gets its partition (attached to the voter table the application owns), the
    supporters' statistics are its own to refresh, the other tables are read and written."""
    from electorate.models import VoterRoll
    from electorate.partitions import partition_name
    from tests.factories import ElectionFactory, PairFactory, RegionFactory

    _owner, app = roles
    RegionFactory(code="31", name="DKI Jakarta")
    with acting_as(app):
        roll = VoterRoll.objects.create(name="DPT uji", region_id="31")
        pair = PairFactory(election=ElectionFactory(roll=roll))
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [partition_name(roll.pk)])
            assert cursor.fetchone()[0] is not None
            cursor.execute("ANALYZE candidates_supporter")
            cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s",
                           ["candidates_supporter"])  # fmt: skip
            assert cursor.fetchone()[0] == app
    assert pair.pk


@postgresql_only
def test_the_owner_runs_migrations_but_is_refused_truncate(roles):
    owner, _app = roles
    with acting_as(owner):
        with connection.cursor() as cursor:  # a migration's kind of statement, on a table
            cursor.execute(  # the application owns (through the owner's membership)
                "ALTER TABLE electorate_voter ALTER COLUMN name SET STATISTICS 200"
            )
        assert "append-only" in refused(f"TRUNCATE {TABLE}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [TABLE])
        assert cursor.fetchone()[0] == owner


@postgresql_only
def test_the_command_prints_the_statements_for_a_dba(db):
    out = io.StringIO()
    call_command("db_grants", "--owner", "pilkada_owner", "--app", "pilkada", "--print",
                 stdout=out)  # fmt: skip
    text = out.getvalue()
    assert f'GRANT SELECT, INSERT ON TABLE "{TABLE}" TO "pilkada"' in text
    assert f'ALTER TABLE "{TABLE}" OWNER TO "pilkada_owner"' in text
    assert 'ALTER TABLE "electorate_voter" OWNER TO "pilkada"' in text
    with pytest.raises(CommandError, match="role name"):
        call_command("db_grants", "--owner", "x; DROP TABLE y", "--app", "pilkada", "--print")


@pytest.mark.skipif("connection.vendor == 'postgresql'")
def test_the_command_is_for_postgresql_only(db):
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("db_grants", "--owner", "o", "--app", "a")
