"""Writing and checking the audit trail.

`audit_record` appends one event in the caller's transaction, so the event exists exactly when
the action does. Events form chains: each event has a position (`seq`, from 1) in its chain,
and its hash is HMAC-SHA256, under the audit key (settings.AUDIT_KEYS, kept outside the
database), of the previous head of its chain and the event's own fields (its chain, position
and key id among them) in a canonical form. Appending takes a lock per chain (an advisory
transaction lock on PostgreSQL; SQLite has one writer at a time) so that each chain stays a
line; a unique (chain, seq) constraint refuses a fork whatever happens. Call it last in a
transaction: the lock is held until commit. After the commit the new head is appended to the
anchor file (audit/anchors.py), outside the database.

Most events are links of the main chain (""). A field entry is a link of its kelurahan's
chain: two hundred PPS officers post at once, and with one chain every entry waited for the
lock of the one before until its commit (`make bench-load`: 8.9 sessions waiting on average,
form post p95 2.3 s). `audit_verify` walks every chain at once, in id order.

What each protection answers (docs/security.md):
- an event edited, inserted or removed in the middle: its link (or the next one) no longer
  carries the key's MAC; hashing the rest again needs the key;
- the last events of a chain, or a whole chain, removed (or the table emptied): the anchor
  file and the heads printed on each Berita Acara (`audit_checkpoint`) name a position the
  database no longer has, or a head it no longer holds;
- the key and the database both taken: the anchors, which neither reaches.

Before the key (migration 0005) a link was plain SHA-256 (`event_hash`); that migration
checked every such link and hashed the trail again under the key, recording it.

Keys rotate: a new key goes first in AUDIT_KEYS and keys every link from then on; links keep
the id of the key they were made with, so the old key stays listed to verify them
(`audit_rotate` then appends a link under the new key to every chain, so that the old key
alone can no longer extend any chain).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from audit.anchors import anchor_line, anchor_write, anchors_read
from audit.models import Event

GENESIS = "0" * 64
LOCK_KEY = 0x41554454  # "AUDT"
SHORT = 16  # hex digits of a head where people read it (the Berita Acara, the public page)
MAIN_NAME = "utama"  # the main chain where people name it (`audit_verify --head utama:...`)


# --- links -----------------------------------------------------------------------------------


def _canonical(event: Event) -> bytes:
    """The unkeyed links' form (before migration 0005), kept for the migrations."""
    body = {
        "at": event.at.isoformat(),
        "action": event.action,
        "actor_id": event.actor_id,
        "actor": event.actor,
        "area": event.area,
        "target": event.target,
        "data": event.data,
    }
    if chain := getattr(event, "chain", ""):
        body["chain"] = chain
    return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()


def event_hash(prev_hash: str, event: Event) -> str:
    """An unkeyed link (SHA-256), as the trail was hashed before the audit key: what
    migration 0005 checked before it hashed the trail again, and what anyone without the key
    can compute (which is why it no longer passes `audit_verify`)."""
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(event)).hexdigest()


def _link_body(event: Any) -> bytes:
    body = {
        "at": event.at.isoformat(),
        "action": event.action,
        "actor_id": event.actor_id,
        "actor": event.actor,
        "area": event.area,
        "target": event.target,
        "data": event.data,
        "chain": event.chain,
        "seq": event.seq,
        "key_id": event.key_id,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()


def link_mac(secret: bytes, prev_hash: str, event: Any) -> str:
    """The keyed link: HMAC-SHA256(key, previous head | the event with its chain, position
    and key id)."""
    return hmac.new(
        secret, prev_hash.encode() + b"|" + _link_body(event), hashlib.sha256
    ).hexdigest()


def audit_keys() -> dict[str, bytes]:
    return {key_id: secret.encode() for key_id, secret in settings.AUDIT_KEYS}


def chain_link(event: Any, last: tuple[int, str] | None) -> None:
    """Make `event` the next link after `last` ((seq, head) of its chain; None: the first):
    position, key id, previous head and keyed hash. Works on a migration's historical Event
    as on the model."""
    key_id, secret = settings.AUDIT_KEYS[0]
    event.seq = (last[0] if last else 0) + 1
    event.key_id = key_id
    event.prev_hash = last[1] if last else GENESIS
    event.hash = link_mac(secret.encode(), event.prev_hash, event)


def anchor_on_commit(event: Any) -> None:
    """Append the event's head to the anchor file once its transaction commits."""
    line = anchor_line(
        at=timezone.now().isoformat(),
        chain=event.chain,
        seq=event.seq,
        head=event.hash,
        key_id=event.key_id,
    )
    transaction.on_commit(partial(anchor_write, line), robust=True)


def _chain_lock(chain: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if chain:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_KEY, chain])
        else:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def chain_last(chain: str, model: Any = Event) -> tuple[int, str] | None:
    """(seq, head) of the chain's last link, or None for an empty chain."""
    return model.objects.filter(chain=chain).order_by("-seq").values_list("seq", "hash").first()


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
        _chain_lock(chain)
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
        )
        chain_link(event, chain_last(chain))
        event.save()
        anchor_on_commit(event)
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


# --- heads and checkpoints -------------------------------------------------------------------


def chain_heads(*, area: str | None) -> dict[str, tuple[int, str, str]]:
    """{chain: (seq, head, key id)} of the kelurahan chains inside `area` (a region code), or
    of every chain (None), read in one statement."""
    table = Event._meta.db_table
    where, params = ("WHERE chain = %s OR chain LIKE %s", [area, f"{area}.%"]) if area else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.chain, e.seq, e.hash, e.key_id FROM {table} e JOIN ("
            f"  SELECT chain, MAX(seq) AS seq FROM {table} {where} GROUP BY chain"
            ") last ON last.chain = e.chain AND last.seq = e.seq",
            params,
        )
        return {chain: (seq, head, key_id) for chain, seq, head, key_id in cursor.fetchall()}


def heads_digest(heads: dict[str, tuple]) -> str:
    """One SHA-256 over a set of heads (chain, position, head; sorted), to print in one line."""
    text = "".join(f"{chain}\t{h[0]}\t{h[1]}\n" for chain, h in sorted(heads.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def audit_checkpoint(*, area: str, actor: Any = None, purpose: str = "") -> dict:
    """A main-chain event recording the head of every kelurahan chain of `area`: its own head
    then stands for all of them. What a Berita Acara prints (and its public page shows), so
    that the paper anchors the trail as it stood: {"main_seq", "main_head", "main_short",
    "chains", "digest", "digest_short"}. `audit_verify` checks every checkpoint's heads."""
    heads = chain_heads(area=area)
    digest = heads_digest(heads)
    event = audit_record(
        "audit.checkpoint",
        actor=actor,
        area=area,
        data={
            "purpose": purpose,
            "digest": digest,
            "heads": {chain: [h[0], h[1]] for chain, h in sorted(heads.items())},
        },
    )
    return {
        "main_seq": event.seq,
        "main_head": event.hash,
        "main_short": event.hash[:SHORT],
        "chains": len(heads),
        "digest": digest,
        "digest_short": digest[:SHORT],
    }


def audit_rotate(*, actor: Any = None) -> dict:
    """After a new audit key went first in AUDIT_KEYS: every chain whose last link is under
    another key gets an "audit.key_rotated" link under the new one, so that the old key alone
    can extend no chain any more. Returns {"key_id", "chains"}."""
    key_id = settings.AUDIT_KEYS[0][0]
    moved = 0
    for chain, (_seq, _head, old) in sorted(chain_heads(area=None).items()):
        if old != key_id:
            audit_record("audit.key_rotated", actor=actor, area=chain, chain=chain,
                         data={"key_id": key_id, "previous_key_id": old})  # fmt: skip
            moved += 1
    return {"key_id": key_id, "chains": moved}


# --- verifying -------------------------------------------------------------------------------


@dataclass
class _Expected:
    """Heads the trail must hold at given positions: from checkpoints and from paper."""

    at: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, chain: str, seq: int, head: str, source: str) -> None:
        self.at.setdefault((chain, seq), []).append((head.lower(), source))


def _checkpoints(expected: _Expected) -> None:
    rows = Event.objects.filter(action="audit.checkpoint").values_list("id", "data")
    for event_id, data in rows.iterator(chunk_size=100):
        for chain, (seq, head) in (data.get("heads") or {}).items():
            expected.add(chain, int(seq), head, f"checkpoint:{event_id}")


def head_parse(text: str) -> tuple[str, int, str]:
    """ "utama:1234:3f9a1c0b7d2e4a55" or "31.71.01.1001:56:ab12..." (as printed on a Berita
    Acara) -> (chain, seq, head prefix). ValueError if it cannot be one."""
    chain, _sep, rest = text.strip().partition(":")
    seq, _sep, head = rest.partition(":")
    if not seq.isdigit() or len(head) < 8 or any(c not in "0123456789abcdef" for c in head.lower()):
        raise ValueError(text)
    return ("" if chain in (MAIN_NAME, "-") else chain), int(seq), head.lower()


def audit_verify(*, anchor_files: list[str | Path] | None = None, heads: list[str] = ()) -> dict:
    """Walk the chains: every event is the next position of its chain, its prev_hash is the
    head before it and its hash the key's MAC of it; every head a checkpoint recorded, every
    `heads` given ("chain:seq:hex", from a Berita Acara) is in the chain at its position; and
    the last position the anchor files name for each chain is there with the same head.

    Returns {"events", "chains", "ok", "first_broken": id or None, "why", "anchors",
    "main"} and, when an anchor or a recorded head is not held, "anchor": {"chain", "seq",
    "found", "source"}. `why`: "seq", "prev_hash", "key", "hash", "head" or "anchor"."""
    files = [settings.AUDIT_ANCHOR_FILE] if anchor_files is None else list(anchor_files)
    anchors = anchors_read(f for f in files if f)
    expected = _Expected()
    _checkpoints(expected)
    for text in heads:
        chain, seq, head = head_parse(text)
        expected.add(chain, seq, head, "given")
    for chain, (seq, anchored) in anchors.last.items():
        for head in anchored:
            expected.add(chain, seq, head, "anchor-file")
    last: dict[str, tuple[int, str]] = {}
    result = _walk(last, expected)
    if result["ok"]:
        # Positions named outside (or by a checkpoint) that the database no longer reaches.
        for (chain, seq), wanted in sorted(expected.at.items()):
            source = wanted[0][1]
            result.update(ok=False, why="anchor" if source == "anchor-file" else "head")
            found = last.get(chain, (0, ""))[0]
            result["anchor"] = {"chain": chain, "seq": seq, "found": found, "source": source}
            break
    return _finish(result, last, anchors)


def _walk(last: dict[str, tuple[int, str]], expected: _Expected) -> dict:
    """Every event in id order (each chain's in its order); `last` left at each chain's
    head. Stops at the first link that does not hold."""
    keys = audit_keys()
    count = 0
    for event in Event.objects.order_by("id").iterator(chunk_size=5000):
        count += 1
        seq, prev = last.get(event.chain, (0, GENESIS))
        secret = keys.get(event.key_id)
        why = (
            "seq" if event.seq != seq + 1
            else "prev_hash" if event.prev_hash != prev
            else "key" if secret is None
            else "hash" if not hmac.compare_digest(link_mac(secret, prev, event), event.hash)
            else ""
        )  # fmt: skip
        if why:
            return {"events": count, "ok": False, "first_broken": event.pk, "why": why}
        last[event.chain] = (event.seq, event.hash)
        for head, source in expected.at.pop((event.chain, event.seq), ()):
            if not event.hash.startswith(head):
                return {
                    "events": count,
                    "ok": False,
                    "first_broken": event.pk,
                    "why": "anchor" if source == "anchor-file" else "head",
                    "anchor": {"chain": event.chain, "seq": event.seq, "found": event.seq,
                               "source": source},
                }  # fmt: skip
    return {"events": count, "ok": True, "first_broken": None, "why": ""}


def _finish(result: dict, last: dict[str, tuple[int, str]], anchors: Any) -> dict:
    result["chains"] = len(last)
    main = last.get("")
    result["main"] = {"seq": main[0], "head": main[1]} if main else None
    result["anchors"] = {
        "files": anchors.files,
        "lines": anchors.lines,
        "chains": len(anchors.last),
        "unreadable": anchors.unreadable,
    }
    return result
