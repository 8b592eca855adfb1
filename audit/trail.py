"""Writing and checking the audit trail.

`audit_record` appends one event in the caller's transaction, so the event exists exactly when
the action does. Events form chains: each hash is SHA-256 over the previous hash of its chain
and the event's own fields in a canonical form; appending takes a lock per chain (an advisory
transaction lock on PostgreSQL; SQLite has one writer at a time) so that each chain stays a
line. Call it last in a transaction: the lock is held until commit.

Most events are links of the main chain (""). A field entry is a link of its kelurahan's
chain: two hundred PPS officers post at once, and with one chain every entry waited for the
lock of the one before until its commit (`make bench-load`: 8.9 sessions waiting on average,
form post p95 2.3 s). `audit_verify` walks every chain at once, in id order.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from audit.models import Event

GENESIS = "0" * 64
LOCK_KEY = 0x41554454  # "AUDT"


def _canonical(event: Event) -> bytes:
    body = {
        "at": event.at.isoformat(),
        "action": event.action,
        "actor_id": event.actor_id,
        "actor": event.actor,
        "area": event.area,
        "target": event.target,
        "data": event.data,
    }
    # The main chain's events hash as they always did (and a migration's historical Event,
    # from before chains, has no such field).
    if chain := getattr(event, "chain", ""):
        body["chain"] = chain
    return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()


def event_hash(prev_hash: str, event: Event) -> str:
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(event)).hexdigest()


def target_of(obj: models.Model | None) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else ""


def audit_record(
    action: str,
    *,
    actor: Any = None,
    area: str = "",
    target: models.Model | str | None = None,
    data: dict | None = None,
    chain: str = "",
) -> Event:
    """Append an event: `action` like "upload.submitted", `actor` a user (or None: the
    system), `area` the region code it concerns (who may read it), `target` the object,
    `chain` the chain it is a link of (a kelurahan code for field entries; "" the main one)."""
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if chain:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_KEY, chain]
                    )
                else:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        last = (
            Event.objects.filter(chain=chain).order_by("-id").values_list("hash", flat=True).first()
        )
        user_id = getattr(actor, "pk", None)
        event = Event(
            at=timezone.now(),
            action=action,
            actor_id=user_id,
            actor=getattr(actor, "username", "") if user_id else "",
            area=area or "",
            target=target if isinstance(target, str) else target_of(target),
            data=_without_nul(json.loads(json.dumps(data or {}, default=str))),
            chain=chain,
            prev_hash=last or GENESIS,
        )
        event.hash = event_hash(event.prev_hash, event)
        event.save()
    return event


def _without_nul(value: Any) -> Any:
    """NUL characters replaced (U+FFFD): PostgreSQL refuses them in JSON, and the text an event
    quotes (a username typed at sign-in) is whatever someone sent. Found by
    tests/test_api_schema_fuzz.py: a Basic username with NUL made the failed sign-in a 500."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def audit_verify() -> dict:
    """Walk the chains: every event's prev_hash is the hash before it in its chain and its own
    hash matches its fields. Returns {"events", "ok", "first_broken": id or None, "why"}."""
    last: dict[str, str] = {}
    count = 0
    for event in Event.objects.order_by("id").iterator(chunk_size=5000):
        count += 1
        prev = last.get(event.chain, GENESIS)
        if event.prev_hash != prev:
            return {"events": count, "ok": False, "first_broken": event.pk, "why": "prev_hash"}
        if event_hash(prev, event) != event.hash:
            return {"events": count, "ok": False, "first_broken": event.pk, "why": "hash"}
        last[event.chain] = event.hash
    return {"events": count, "ok": True, "first_broken": None, "why": ""}
