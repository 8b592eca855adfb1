"""The trail hashed again under the audit key (issue 19 item 3).

Until now a link was SHA-256 of the head before it and the event, which anyone holding the
database could compute again after rewriting history. Every existing link is first checked as
it was (a broken trail stops the upgrade: nothing is blessed that was tampered with; find out
what happened with the previous release's `audit_verify`), then given its position in its
chain and hashed under the first key of AUDIT_KEYS. An "audit.rekeyed" event records it: how
many events and chains, the key id, the old head of the main chain and a SHA-256 over every
chain's old head, so that an old head noted anywhere is still accounted for. The new heads are
anchored (audit/anchors.py) once the migration commits.

The old hashes are replaced by UPDATE: the append-only trigger is switched off inside this
migration's transaction (which holds the table locked meanwhile); the owner of the table may
do that, the application's role may not (deploy/: migrations run as the owner)."""

import hashlib
from types import SimpleNamespace

from django.conf import settings
from django.db import migrations
from django.utils import timezone

BATCH = 2000
TRIGGER = "audit_event_append_only"


def _trigger(schema_editor, state: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE audit_event {state} TRIGGER {TRIGGER}")


def rekey(apps, schema_editor):
    from audit.trail import GENESIS, anchor_on_commit, chain_link, event_hash

    Event = apps.get_model("audit", "Event")
    if not Event.objects.exists():
        return
    _trigger(schema_editor, "DISABLE")
    state: dict[str, tuple[int, str, str]] = {}  # chain -> (seq, old head, new head)
    batch = []
    for event in Event.objects.order_by("id").iterator(chunk_size=BATCH):
        seq, old_prev, new_prev = state.get(event.chain, (0, GENESIS, GENESIS))
        if event.prev_hash != old_prev or event_hash(old_prev, event) != event.hash:
            raise RuntimeError(
                f"Jejak audit rusak mulai peristiwa #{event.pk} (rantai {event.chain or 'utama'})"
                ": tidak di-hash ulang dengan kunci audit. Periksa dengan audit_verify versi "
                "sebelumnya dan pulihkan dari cadangan sebelum memperbarui."
            )
        old_head = event.hash
        chain_link(event, (seq, new_prev) if seq else None)
        state[event.chain] = (event.seq, old_head, event.hash)
        batch.append(event)
        if len(batch) >= BATCH:
            Event.objects.bulk_update(batch, ["seq", "key_id", "prev_hash", "hash"])
            batch = []
    Event.objects.bulk_update(batch, ["seq", "key_id", "prev_hash", "hash"])
    _trigger(schema_editor, "ENABLE")
    old_heads = "".join(
        f"{chain}\t{seq}\t{old}\n" for chain, (seq, old, _new) in sorted(state.items())
    )
    main = state.get("")
    record = Event(
        at=timezone.now(),
        action="audit.rekeyed",
        actor_id=None,
        actor="",
        area="",
        target="",
        chain="",
        data={
            "events": sum(seq for seq, _old, _new in state.values()),
            "chains": len(state),
            "key_id": settings.AUDIT_KEYS[0][0],
            "old_main_head": main[1] if main else "",
            "old_heads_sha256": hashlib.sha256(old_heads.encode()).hexdigest(),
        },
    )
    chain_link(record, (main[0], main[2]) if main else None)
    record.save()
    state[""] = (record.seq, main[1] if main else "", record.hash)
    for chain, (seq, _old, new) in state.items():
        anchor_on_commit(
            SimpleNamespace(chain=chain, seq=seq, hash=new, key_id=settings.AUDIT_KEYS[0][0])
        )


def unkey(apps, schema_editor):
    """Back to the unkeyed links the previous release checks."""
    from audit.trail import GENESIS, event_hash

    Event = apps.get_model("audit", "Event")
    _trigger(schema_editor, "DISABLE")
    last: dict[str, str] = {}
    batch = []
    for event in Event.objects.order_by("id").iterator(chunk_size=BATCH):
        event.prev_hash = last.get(event.chain, GENESIS)
        event.hash = event_hash(event.prev_hash, event)
        last[event.chain] = event.hash
        batch.append(event)
        if len(batch) >= BATCH:
            Event.objects.bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    Event.objects.bulk_update(batch, ["prev_hash", "hash"])
    _trigger(schema_editor, "ENABLE")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_event_seq_key")]

    operations = [migrations.RunPython(rekey, unkey)]
