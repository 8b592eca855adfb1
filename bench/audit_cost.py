"""What an audit event costs with the keyed chain and its anchor line, against the unkeyed
link the trail had before: python -m bench.audit_cost [--events N]

Each event is appended in a transaction of its own and committed (as an action would), in a
throwaway test database on whatever DATABASE_URL names (SQLite without it). Three ways, in
turns so that the database's own warm-up is shared:
  unkeyed:        SHA-256 link, no position, no anchor (the code before issue 19)
  keyed:          HMAC-SHA256 link with its position, no anchor file
  keyed+anchor:   the same, and its line appended to AUDIT_ANCHOR_FILE after the commit
Prints microseconds per event (median of the turns) and the ratio to the unkeyed way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events per way and turn")
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    names = setup_databases(verbosity=0, interactive=False)
    try:
        anchors = Path(tempfile.mkdtemp()) / "anchors.log"
        ways = {
            "unkeyed": _unkeyed,
            "keyed": lambda: _keyed(settings, ""),
            "keyed+anchor": lambda: _keyed(settings, str(anchors)),
        }
        times: dict[str, list[float]] = {way: [] for way in ways}
        for _turn in range(args.turns):
            for way, record in ways.items():
                started = time.perf_counter()
                for _i in range(args.events):
                    record()
                times[way].append((time.perf_counter() - started) / args.events * 1e6)
        base = statistics.median(times["unkeyed"])
        print(f"audit event cost on {connection.vendor}, {args.events} events x {args.turns}")
        for way, samples in times.items():
            median = statistics.median(samples)
            print(f"  {way:<14} {median:8.1f} us/event   x{median / base:.2f}")
        size = anchors.stat().st_size if anchors.exists() else 0
        lines = args.events * args.turns
        print(f"  anchor file: {lines} lines, {size / max(lines, 1):.0f} bytes a line")
        _parts(anchors.parent / "parts.log")
    finally:
        teardown_databases(names, verbosity=0)


def _parts(path: Path, n: int = 20000) -> None:
    """The parts alone, without the database: an unkeyed link, a keyed one, an anchor line
    appended (open with O_APPEND, write, close)."""
    from django.conf import settings
    from django.utils import timezone

    from audit.anchors import anchor_line, anchor_write
    from audit.models import Event
    from audit.trail import GENESIS, event_hash, link_mac

    event = Event(at=timezone.now(), action="bench.event", area="31.71", chain="",
                  data={"rows": 840640, "file": "dukungan.csv"}, seq=1, key_id="1")  # fmt: skip
    secret = settings.AUDIT_KEYS[0][1].encode()
    settings.AUDIT_ANCHOR_FILE = str(path)
    line = anchor_line(at=event.at.isoformat(), chain="", seq=1, head=GENESIS, key_id="1")
    for name, part in (
        ("unkeyed link", lambda: event_hash(GENESIS, event)),
        ("keyed link", lambda: link_mac(secret, GENESIS, event)),
        ("anchor line", lambda: anchor_write(line)),
    ):
        started = time.perf_counter()
        for _i in range(n):
            part()
        print(f"  part: {name:<13} {(time.perf_counter() - started) / n * 1e6:6.1f} us")


def _keyed(settings, anchor_file: str) -> None:
    from django.db import transaction

    from audit.trail import audit_record

    settings.AUDIT_ANCHOR_FILE = anchor_file
    with transaction.atomic():
        audit_record("bench.event", area="31.71", data={"rows": 840640, "file": "dukungan.csv"})


def _unkeyed() -> None:
    """audit_record as it was before the key: the lock, the chain's last hash, a SHA-256 link,
    the INSERT (its own chain, so that the ways do not interleave; the last link found by the
    same index as today's, so that the difference is the key and the anchor)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from audit.models import Event
    from audit.trail import GENESIS, LOCK_KEY, event_hash

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        last = Event.objects.filter(chain="bench-old").order_by("-seq").values_list("seq", "hash")
        seq, prev = last.first() or (0, GENESIS)
        event = Event(
            at=timezone.now(),
            action="bench.event",
            area="31.71",
            data={"rows": 840640, "file": "dukungan.csv"},
            chain="bench-old",
            seq=seq + 1,
            prev_hash=prev,
        )
        event.hash = event_hash(event.prev_hash, event)
        event.save()


if __name__ == "__main__":
    sys.exit(main())
