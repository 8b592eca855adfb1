"""The database roles of a deployment (deploy/README.md, "The audit trail").

Two roles, neither a superuser:
- the owner (`pilkada_owner`): owns the tables the migrations make and runs the migrations;
  nothing else uses it;
- the application (`pilkada`): what the web and the workers connect as. It reads and writes
  the data; on the audit trail it may only SELECT and INSERT, so that it can neither change,
  delete nor empty an event, and since it owns no audit table it cannot switch the
  append-only triggers off either. On django_migrations it may only read.

PostgreSQL lets only a table's owner ANALYZE it or attach a partition to it, and the
application does both at run time: it attaches a partition to the voter table for each roll
and refreshes the statistics of the voters and supporters right after a bulk load. Those
tables (registered here from their app's AppConfig.ready: app_owned_register), and their
partitions, belong to the application's role; the owner role is made a member of it, so that
the migrations still alter them. The working tables the application creates itself (a run's
matches, a roll's new partition) are its own.

`grants_sql` writes the statements for the database as it stands (idempotent: run it again
after every `migrate`, as deploy/pilkada-migrate does); `manage.py db_grants` runs or prints
them. The first time, run it as a superuser (it moves the tables to their owners); then as the
owner.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection, models

from audit.models import Event

ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APP_OWNED: list[type[models.Model]] = []
# The application's privileges on the tables it may not change freely.
RESTRICTED = {
    Event._meta.db_table: "SELECT, INSERT",  # append-only: no UPDATE, DELETE, TRUNCATE
    "django_migrations": "SELECT",  # the schema's history is the owner's
}


def app_owned_register(model: type[models.Model]) -> None:
    """A table the application must own (it ANALYZEs it or attaches partitions to it at run
    time); its partitions go with it."""
    if model not in APP_OWNED:
        APP_OWNED.append(model)


def _role(name: str) -> str:
    if not ROLE.match(name):
        raise ValueError(f"not a role name: {name!r} (lower-case letters, digits, _)")
    return name


def _tables() -> tuple[list[str], list[str]]:
    """(the Django tables that exist, the partitions of the application's tables)."""
    existing = set(connection.introspection.table_names())
    django_tables = sorted(
        {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
        | {"django_migrations"}
    )
    owned = [m._meta.db_table for m in APP_OWNED]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(%s) "
            "AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname",
            [owned],
        )
        partitions = [row[0] for row in cursor.fetchall()]
    return [t for t in django_tables if t in existing], partitions


def grants_sql(*, owner: str, app: str, import_shortcut: bool = False) -> list[str]:
    """The statements that give each role what it needs and no more, for the database as it
    stands. `import_shortcut`: let the application set session_replication_role (PostgreSQL
    15+), which files.pgcopy uses to skip the foreign-key triggers of a bulk load; the
    audit table stays out of reach (its privileges, not its triggers, keep it)."""
    owner, app = _role(owner), _role(app)
    q = connection.ops.quote_name
    database = connection.settings_dict["NAME"]
    tables, partitions = _tables()
    owned = {m._meta.db_table for m in APP_OWNED}
    statements = [
        # The owner acts on what the application owns (the migrations alter the voter table).
        "DO $$ BEGIN IF NOT pg_has_role("
        f"'{owner}', '{app}', 'MEMBER') THEN GRANT {q(app)} TO {q(owner)}; END IF; END $$",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {q(database)} TO {q(app)}",
        # CREATE: the working tables of a verification run and each roll's partition.
        f"GRANT USAGE, CREATE ON SCHEMA public TO {q(app)}",
    ]
    for table in tables:
        statements.append(f"ALTER TABLE {q(table)} OWNER TO {q(app if table in owned else owner)}")
    statements += [f"ALTER TABLE {q(p)} OWNER TO {q(app)}" for p in partitions]
    statements += [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q(app)}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {q(app)}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {q(app)}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA public "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {q(app)}",
    ]
    for table, allowed in RESTRICTED.items():
        statements += [
            f"REVOKE ALL ON TABLE {q(table)} FROM PUBLIC",
            f"REVOKE ALL ON TABLE {q(table)} FROM {q(app)}",
            f"GRANT {allowed} ON TABLE {q(table)} TO {q(app)}",
        ]
    if import_shortcut:
        statements.append(f"GRANT SET ON PARAMETER session_replication_role TO {q(app)}")
    return statements


def grants_apply(*, owner: str, app: str, import_shortcut: bool = False) -> list[str]:
    """Run grants_sql in one transaction on the default connection (as the owner, or a
    superuser the first time)."""
    from django.db import transaction

    statements = grants_sql(owner=owner, app=app, import_shortcut=import_shortcut)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
