"""ExportLog's rows move into the audit trail before the model goes
(verification/migrations/0005_exportlog_to_audit.py): one event each, chained."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("verification", "0003_reasonmark"), ("candidates", "0007_upload_purged_at")]
AFTER = [("verification", "0005_exportlog_to_audit")]


@pytest.mark.django_db(transaction=True)
def test_export_logs_become_audit_events_in_the_chain():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Region = apps.get_model("electorate", "Region")
    Election = apps.get_model("candidates", "Election")
    Pair = apps.get_model("candidates", "Pair")
    User = apps.get_model("auth", "User")
    ExportLog = apps.get_model("verification", "ExportLog")
    region = Region.objects.create(code="31", name="DKI Jakarta", level=1)
    election = Election.objects.create(
        slug="pilgub", name="Pilgub", region=region, level="governor", dpt_count=1000,
        voting_day=dt.date(2024, 11, 27),
    )  # fmt: skip
    pair = Pair.objects.create(election=election, name="A - B")
    user = User.objects.create(username="tim_lama")
    ExportLog.objects.create(user=user, pair=pair, round=0, what="supporter_results_xlsx", rows=3)
    ExportLog.objects.create(user=None, pair=pair, what="supporter_results_xlsx", rows=5)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    from audit.models import Event
    from audit.trail import audit_verify

    events = list(Event.objects.filter(action="export.downloaded").order_by("id"))
    assert [(e.actor, e.area, e.data["rows"], e.data["round"]) for e in events] == [
        ("tim_lama", "31", 3, 0),
        ("", "31", 5, None),
    ]
    assert all(e.target == f"candidates.pair:{pair.pk}" for e in events)
    assert audit_verify()["ok"]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
