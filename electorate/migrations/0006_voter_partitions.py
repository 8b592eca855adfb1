"""The voter table becomes a table partitioned by roll on PostgreSQL (electorate/partitions.py
says why). Its rows move into one partition per existing roll; new rolls get theirs when they
are created. Nothing changes in Django's view of the model; SQLite is left as it is.

A partitioned table's primary key must hold the partition key: (id, roll_id). The id keeps
coming from a sequence (an identity column cannot be declared on a partitioned table here)."""

from django.db import migrations

OLD = "electorate_voter_unpartitioned"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'electorate_voter'::regclass"
        )
        constraints = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'electorate_voter' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'electorate_voter'::regclass)"
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM electorate_voterroll ORDER BY id")
        rolls = [row[0] for row in cursor.fetchall()]
    run(f"ALTER TABLE electorate_voter RENAME TO {OLD}")
    run("ALTER SEQUENCE IF EXISTS electorate_voter_id_seq RENAME TO electorate_voter_id_seq_old")
    for name in constraints:
        run(f'ALTER TABLE {OLD} RENAME CONSTRAINT "{name}" TO "{name[:50]}_old"')
    for name in indexes:
        run(f'ALTER INDEX "{name}" RENAME TO "{name[:50]}_old"')
    run(
        f"CREATE TABLE electorate_voter (LIKE {OLD} INCLUDING DEFAULTS) PARTITION BY LIST (roll_id)"
    )
    run("CREATE SEQUENCE electorate_voter_id_seq AS bigint")
    run(
        "ALTER TABLE electorate_voter ALTER COLUMN id SET DEFAULT nextval('electorate_voter_id_seq')"
    )
    run("ALTER SEQUENCE electorate_voter_id_seq OWNED BY electorate_voter.id")
    run(
        "SELECT setval('electorate_voter_id_seq', "
        f"COALESCE((SELECT MAX(id) FROM {OLD}), 0) + 1, false)"
    )
    run(
        "ALTER TABLE electorate_voter ADD CONSTRAINT electorate_voter_pkey PRIMARY KEY (id, roll_id)"
    )
    run(
        "ALTER TABLE electorate_voter ADD CONSTRAINT voter_unique_nik_per_roll "
        "UNIQUE (roll_id, nik_hash)"
    )
    run(
        "ALTER TABLE electorate_voter ADD CONSTRAINT electorate_voter_roll_id_fk "
        "FOREIGN KEY (roll_id) REFERENCES electorate_voterroll (id) DEFERRABLE INITIALLY DEFERRED"
    )
    run("CREATE TABLE electorate_voter_default PARTITION OF electorate_voter DEFAULT")
    for roll_id in rolls:
        run(
            f"CREATE TABLE electorate_voter_r{int(roll_id)} PARTITION OF electorate_voter "
            f"FOR VALUES IN ({int(roll_id)})"
        )
    run(f"INSERT INTO electorate_voter SELECT * FROM {OLD}")
    run(f"DROP TABLE {OLD}")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("electorate", "0005_roll_import_undo")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
