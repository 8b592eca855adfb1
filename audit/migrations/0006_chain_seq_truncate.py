"""One event per position of a chain (a unique constraint, which also serves the lookup of a
chain's last link that the (chain, id) index served), and TRUNCATE refused like UPDATE and
DELETE: a statement trigger raises for every role but a superuser. A superuser may switch any
trigger off anyway (session_replication_role), and Django's flush (the test databases, the
demo's --reset) runs as one; the application never does (deploy/README.md)."""

from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION audit_event_no_truncate() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event;
DROP FUNCTION IF EXISTS audit_event_no_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_keyed_chain")]

    operations = [
        migrations.RemoveIndex(model_name="event", name="event_chain"),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(fields=["chain", "seq"], name="event_chain_seq"),
        ),
        migrations.RunPython(forward, backward),
    ]
