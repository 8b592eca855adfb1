"""Retention: the encrypted files of an election's uploads are deleted a set time after its
pairs are decided (RETENTION_DAYS_AFTER_DECISION). Support lists, PPS sheets and objection
statements hold NIKs, names and signatures that nobody needs once the decision stands; the
rows stay, with each file's SHA-256 and counts, as proof of what was received.

An election is due when every pair is decided and the last decision is older than the period;
its DPT files go too unless another election not yet due checks against the same roll.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from audit.trail import audit_record
from candidates.models import Election, SupportUpload
from decisions.models import Decision
from electorate.models import RollImport
from fieldwork.models import Sheet
from files.uploads import upload_purge
from objections.models import Objection, Statement
from verification.exports import exports_purge


def elections_due(*, now: dt.datetime | None = None) -> list[Election]:
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.RETENTION_DAYS_AFTER_DECISION)
    due = []
    for election in Election.objects.prefetch_related("pairs"):
        pairs = list(election.pairs.all())
        decided = Decision.objects.filter(pair__in=pairs)
        if not pairs or decided.count() != len(pairs):
            continue
        if decided.aggregate(last=Max("decided_at"))["last"] <= limit:
            due.append(election)
    return due


def retention_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict:
    """Delete the files due, and those of results exports whose link has expired (whatever the
    election's stage); returns {"elections": [...], "files": {kind: n}}."""
    due = elections_due(now=now)
    due_ids = {e.pk for e in due}
    files: dict[str, int] = {"support_lists": 0, "sheets": 0, "statements": 0, "rolls": 0}
    for election in due:
        kinds = {
            "support_lists": SupportUpload.objects.filter(pair__election=election),
            "sheets": Sheet.objects.filter(pair__election=election),
            "statements": Statement.objects.filter(
                pk__in=Objection.objects.filter(election=election).values("statement_id")
            ),
            "rolls": RollImport.objects.none(),
        }
        others = Election.objects.filter(roll_id=election.roll_id).exclude(pk__in=due_ids)
        if election.roll_id and not others.exists():
            kinds["rolls"] = RollImport.objects.filter(roll_id=election.roll_id)
        for kind, uploads in kinds.items():
            for upload in uploads.filter(purged_at__isnull=True).exclude(file=""):
                files[kind] += 1 if dry_run else int(upload_purge(upload))
        if not dry_run:
            audit_record(
                "retention.purged",
                area=election.region_id,
                target=election,
                data={"days": settings.RETENTION_DAYS_AFTER_DECISION, "files": files},
            )
    # Exports of the results go by their own clock: once their link has expired.
    files["exports"] = exports_purge(now=now, dry_run=dry_run)
    return {"elections": [e.slug for e in due], "files": files, "dry_run": dry_run}
