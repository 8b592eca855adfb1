"""ExportLog is gone: exports are jobs (Export) and each download an audit event. The rows it
held move into the audit trail first, one "export.downloaded" event each (with its original
time in the data: the chain's own times stay in order), appended to the hash chain as
audit.trail.audit_record does."""

import json

from django.db import connection, migrations
from django.utils import timezone


def exportlogs_to_audit(apps, schema_editor):
    from audit.trail import GENESIS, LOCK_KEY, chain_link, event_hash

    ExportLog = apps.get_model("verification", "ExportLog")
    Event = apps.get_model("audit", "Event")
    logs = ExportLog.objects.select_related("user", "pair__election").order_by("pk")
    if not logs.exists():
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # Where the trail's links are keyed already (audit 0005 applied first: a new database,
    # whose ExportLog is empty, or a test going back and forth), link as audit_record does.
    keyed = "seq" in {f.name for f in Event._meta.get_fields()}
    if keyed:
        last = Event.objects.filter(chain="").order_by("-seq").values_list("seq", "hash").first()
    prev = Event.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    for log in logs.iterator():
        data = {
            "what": log.what,
            "pair": log.pair_id,
            "round": log.round,
            "rows": log.rows,
            "at": log.at.isoformat(),
            "from": f"verification.exportlog:{log.pk}",
        }
        event = Event(
            at=timezone.now(),
            action="export.downloaded",
            actor_id=log.user_id,
            actor=log.user.username if log.user_id else "",
            area=log.pair.election.region_id,
            target=f"candidates.pair:{log.pair_id}",
            data=json.loads(json.dumps(data)),
            prev_hash=prev,
        )
        if keyed:
            chain_link(event, last)
            last = (event.seq, event.hash)
        else:
            event.hash = event_hash(prev, event)
        event.save()
        prev = event.hash


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        ("verification", "0004_export_derived"),
    ]

    operations = [
        migrations.RunPython(exportlogs_to_audit, migrations.RunPython.noop),
        migrations.DeleteModel(name="ExportLog"),
    ]
