"""The voter table is partitioned by roll on PostgreSQL (migration 0006): one partition per
VoterRoll, so that verifying one regency reads its own roll and nothing of the 200 million
voters of every other election in the same database (the join against the roll scans one
partition; an import fills one; a roll is dropped with its partition).

A roll gets its partition when it is created (ElectorateConfig.ready connects the signal);
rows of a roll without one land in the default partition. SQLite has no partitions.
"""

from __future__ import annotations

from django.db import connection, transaction

from electorate.models import Voter

PARENT = Voter._meta.db_table


def partition_name(roll_id: int) -> str:
    return f"{PARENT}_r{int(roll_id)}"


def voter_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind = 'p' FROM pg_class c WHERE c.relname = %s "
            "AND c.relnamespace = current_schema()::regnamespace",
            [PARENT],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def voter_partition_ensure(roll_id: int) -> bool:
    """The roll's partition, created if missing. False where there are no partitions."""
    if not voter_partitioned():
        return False
    name, roll = partition_name(roll_id), int(roll_id)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return True
        # Rows the roll already has in the default partition move into its own (a partition
        # cannot be created while the default one holds rows that belong to it).
        cursor.execute(f"LOCK TABLE {PARENT}_default IN EXCLUSIVE MODE")
        cursor.execute(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {PARENT}_default WHERE roll_id = %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [roll],
        )
        cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_roll CHECK (roll_id = {roll})")
        cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES IN ({roll})")
        cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_roll")
    return True


def voter_partition_drop(roll_id: int) -> None:
    if voter_partitioned():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {partition_name(roll_id)}")


def roll_created(sender, instance=None, created=False, **kwargs) -> None:
    if created and instance is not None:
        voter_partition_ensure(instance.pk)


def roll_deleted(sender, instance=None, **kwargs) -> None:
    if instance is not None:
        voter_partition_drop(instance.pk)
