"""The check's lookups as counts in the database: per hour, channel, group of NIKs (the first 12
digits) and client network, keyed hashes only (models.CheckCount says what a row holds).

The gate counts each lookup in Redis in the same round trip as its limits (objections.limits);
the first lookup of an hour enqueues `check_counts_flush`, which writes the closed hours here.
A row is written with the hour's whole count (an upsert that sets, never adds), so a flush that
runs twice, or dies halfway and runs again, leaves the same rows. An hour stays in Redis one
flush longer than it takes to close, so that a lookup that began just before the hour turned is
written too; then it is forgotten there.

After writing, the red flags of the pairs whose election covers a flagged place are stored again
(verification.derived.red_flags_provided_refresh), as a confirmed objection does.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from candidates.models import Pair
from objections import limits
from objections.models import CheckCount
from objections.redflags import enumeration_flagged_regions
from staff.access import code_within
from verification.derived import red_flags_provided_refresh

BATCH = 5_000


def _rows(hour: int) -> list[CheckCount]:
    counts, withheld = limits.counts_read(hour)
    start = dt.datetime.fromtimestamp(hour * limits.HOUR, tz=dt.UTC)
    rows = []
    for field, lookups in counts.items():
        channel, region, prefix, network = field.split("|")
        rows.append(
            CheckCount(
                hour=start,
                channel=channel,
                region_code=region,
                prefix=bytes.fromhex(prefix),
                network=bytes.fromhex(network),
                lookups=lookups,
                withheld=min(lookups, withheld.get(field, 0)),
            )
        )
    return rows


def check_counts_flush(*, now: float | None = None, current: bool = False) -> int:
    """Write the closed hours' counts (with `current`, the current hour's so far too); the rows
    written. Hours closed for more than an hour are then forgotten in Redis."""
    now = limits._now() if now is None else now
    this_hour = int(now // limits.HOUR)
    written, hours = 0, []
    for hour in limits.counts_pending():
        if hour > this_hour or (hour == this_hour and not current):
            continue
        rows = _rows(hour)
        with transaction.atomic():
            for start in range(0, len(rows), BATCH):
                CheckCount.objects.bulk_create(
                    rows[start : start + BATCH],
                    update_conflicts=True,
                    unique_fields=["hour", "channel", "prefix", "network"],
                    update_fields=["lookups", "withheld", "region_code"],
                )
        written += len(rows)
        hours.append(hour)
        if hour <= this_hour - 2:
            limits.counts_forget(hour)
    if hours:
        _flags_refresh(hours)
    return written


def _flags_refresh(hours: list[int]) -> None:
    """The stored red flags of every pair not yet decided whose election covers a place the
    written hours flag."""
    days = {dt.datetime.fromtimestamp(h * limits.HOUR, tz=dt.UTC).date() for h in hours}
    regions = enumeration_flagged_regions(days=days)
    if not regions:
        return
    pairs = Pair.objects.filter(decided_at__isnull=True).select_related("election")
    for pair in pairs.only("pk", "election__region_id"):
        if any(code_within(region, pair.election.region_id) for region in regions):
            red_flags_provided_refresh(pair=pair)
