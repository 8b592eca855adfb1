"""The voter table partitioned by roll on PostgreSQL (electorate/partitions.py, migration 0006):
each roll's voters in its own partition, a query for one roll reads only that partition, a
deleted roll takes its partition with it. SQLite has no partitions and nothing changes there."""

from __future__ import annotations

import pytest
from django.db import connection

from electorate import partitions
from electorate.models import Voter
from tests.factories import VoterRollFactory, good_row, roll_csv

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="partitions exist on PostgreSQL only"
)


def _rows_per_partition() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text, count(*) FROM {partitions.PARENT} GROUP BY 1"
        )
        return dict(cursor.fetchall())


def test_each_roll_loads_into_a_partition_of_its_own(roll, roll_import):
    other = VoterRollFactory()
    roll_import(roll_csv([good_row(), good_row()]))
    roll_import(roll_csv([good_row()]), target=other)

    assert partitions.voter_partitioned()
    assert _rows_per_partition() == {
        partitions.partition_name(roll.pk): 2,
        partitions.partition_name(other.pk): 1,
    }
    assert Voter.objects.filter(roll=roll).count() == 2


def test_a_query_for_one_roll_reads_only_its_partition(roll, roll_import):
    other = VoterRollFactory()
    roll_import(roll_csv([good_row()]))
    roll_import(roll_csv([good_row()]), target=other)

    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN SELECT count(*) FROM {partitions.PARENT} WHERE roll_id = %s", [roll.pk]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert partitions.partition_name(roll.pk) in plan
    assert partitions.partition_name(other.pk) not in plan
    assert "electorate_voter_default" not in plan


def test_a_deleted_roll_takes_its_partition_with_it(roll, roll_import):
    roll_import(roll_csv([good_row()]))
    name = partitions.partition_name(roll.pk)

    roll.delete()

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        assert cursor.fetchone()[0] is None
    assert not Voter.objects.exists()


def test_voters_of_a_roll_without_partition_land_in_the_default_one(roll, roll_import):
    partitions.voter_partition_drop(roll.pk)

    roll_import(roll_csv([good_row()]))

    assert _rows_per_partition() == {"electorate_voter_default": 1}
    assert partitions.voter_partition_ensure(roll.pk) is True
    assert _rows_per_partition() == {partitions.partition_name(roll.pk): 1}
