"""History that cannot be rewritten unnoticed (issue 19 item 3).

Someone holds the database (the application's credentials, or a dump restored after
editing) and the source code, but not the audit key and not the anchors kept outside the
database: the append-only anchor file and the heads printed on each Berita Acara. Each
rewrite they can make is caught by `audit_verify`: deleting the last events, deleting a whole
kelurahan chain, deleting one event and hashing the rest again, emptying the table. On
PostgreSQL the table itself refuses TRUNCATE, as it refuses UPDATE and DELETE.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit import trail
from audit.models import Event
from audit.trail import GENESIS, audit_record, audit_verify

TABLE = Event._meta.db_table
GAMBIR, CIDENG = "31.71.01.1001", "31.71.01.1002"


def _tamper(sql: str, params: list | None = None) -> None:
    """As someone with the database in hand and the trigger out of the way."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        cursor.execute(sql, params or [])


def _rehash_without_the_key(chain: str) -> None:
    """After a deletion, every later link of the chain hashed again the way the code hashes
    an unkeyed link (SHA-256 of the previous head and the event): each prev_hash matches
    the hash before it again, and each event's hash its content. Positions renumbered."""
    prev = GENESIS
    events = list(Event.objects.filter(chain=chain).order_by("id"))
    for position, event in enumerate(events, 1):
        if hasattr(event, "seq"):
            event.seq = position
        event.prev_hash = prev
        event.hash = trail.event_hash(prev, event)
        columns = {"prev_hash": event.prev_hash, "hash": event.hash}
        if hasattr(event, "seq"):
            columns["seq"] = position
        assignments = ", ".join(f"{name} = %s" for name in columns)
        _tamper(f"UPDATE {TABLE} SET {assignments} WHERE id = %s", [*columns.values(), event.pk])
        prev = event.hash


@pytest.fixture
def trail_of_a_decision(db, django_capture_on_commit_callbacks):
    """A main chain of eight events with the decision in the middle, and two kelurahan
    chains of field entries, each event committed (its anchor written) as in production."""
    events = {}
    with django_capture_on_commit_callbacks(execute=True):
        events["main"] = [audit_record("upload.submitted", area="31", data={"rows": 10})]
        events["main"].append(audit_record("verification.finished", area="31"))
    for kelurahan in (GAMBIR, CIDENG):
        with django_capture_on_commit_callbacks(execute=True):
            events[kelurahan] = [
                audit_record("verfak.recorded", area=kelurahan, chain=kelurahan, data={"n": n})
                for n in range(3)
            ]
    for action in ("stage.closed", "decision.recorded", "minutes.issued", "minutes.downloaded"):
        with django_capture_on_commit_callbacks(execute=True):
            events["main"].append(audit_record(action, area="31", data={"result": "MS"}))
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            events["main"].append(audit_record("names.read", area="31", data={"page": n}))
    assert audit_verify()["ok"] is True
    return events


def test_deleting_the_last_five_events_is_caught(trail_of_a_decision):
    last_five = [e.pk for e in trail_of_a_decision["main"][-5:]]
    _tamper(f"DELETE FROM {TABLE} WHERE id IN ({', '.join(['%s'] * 5)})", last_five)
    result = audit_verify()
    assert result["ok"] is False
    assert result["why"] == "anchor"
    assert result["anchor"]["chain"] == "" and result["anchor"]["seq"] == 8
    assert result["anchor"]["found"] == 3  # the chain now ends at its third event


def test_deleting_a_whole_kelurahan_chain_is_caught(trail_of_a_decision):
    _tamper(f"DELETE FROM {TABLE} WHERE chain = %s", [CIDENG])
    result = audit_verify()
    assert result["ok"] is False
    assert (result["why"], result["anchor"]["chain"], result["anchor"]["found"]) == (
        "anchor", CIDENG, 0,
    )  # fmt: skip


def test_deleting_the_decision_and_hashing_the_rest_again_is_caught(trail_of_a_decision):
    decision = trail_of_a_decision["main"][3]
    assert decision.action == "decision.recorded"
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [decision.pk])
    _rehash_without_the_key("")
    result = audit_verify()
    assert result["ok"] is False
    # The first link hashed without the key does not carry the key's mark.
    assert result["first_broken"] == trail_of_a_decision["main"][0].pk
    assert result["why"] == "hash"


def test_emptying_the_table_is_caught(trail_of_a_decision):
    """Whoever gets past the trigger (a superuser) and empties the table: the anchors still
    name every chain and its last position."""
    _tamper(f"DELETE FROM {TABLE}" if connection.vendor == "sqlite" else f"TRUNCATE {TABLE}")
    assert Event.objects.count() == 0
    result = audit_verify()
    assert result["ok"] is False and result["events"] == 0 and result["why"] == "anchor"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_truncate_by_the_owner_of_the_table(db):
    """The role that owns the table (the application's, where nobody split the roles) is
    refused TRUNCATE by the trigger; a superuser is not stopped by any trigger (it may turn
    them off) and is out of the application's reach (deploy/README.md)."""
    audit_record("upload.submitted", area="31")
    role = f"audit_owner_{connection.settings_dict['NAME'][-20:]}".replace("-", "_")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"ALTER TABLE {TABLE} OWNER TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(f"TRUNCATE {TABLE}")
    assert Event.objects.count() == 1


def _anchor_lines(settings) -> list[list[str]]:
    with open(settings.AUDIT_ANCHOR_FILE, encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh]


def test_each_committed_event_appends_its_head_to_the_anchor_file(
    db, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = audit_record("upload.submitted", area="31")
        field = audit_record("verfak.recorded", area=GAMBIR, chain=GAMBIR)
    lines = _anchor_lines(settings)
    assert [line[1:] for line in lines] == [
        ["-", "1", first.hash, first.key_id],
        [GAMBIR, "1", field.hash, field.key_id],
    ]
    assert all(line[0].startswith(str(first.at.year)) for line in lines)  # when: ISO time


def test_an_event_rolled_back_anchors_nothing(db, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        audit_record("upload.submitted", area="31")
        try:
            with transaction.atomic():
                audit_record("upload.loaded", area="31")
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert len(_anchor_lines(settings)) == 1
    assert audit_verify()["ok"] is True


def test_hashing_again_under_a_guessed_key_is_caught(trail_of_a_decision):
    """Someone who knows the code and guesses a key (the demo's, or any other) cannot make
    the links the real key makes."""
    decision = trail_of_a_decision["main"][3]
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [decision.pk])
    prev = GENESIS
    for position, event in enumerate(Event.objects.filter(chain="").order_by("id"), 1):
        event.seq, event.prev_hash = position, prev
        event.hash = trail.link_mac(b"kunci-tebakan-" + b"x" * 32, prev, event)
        _tamper(
            f"UPDATE {TABLE} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.seq, event.prev_hash, event.hash, event.pk],
        )
        prev = event.hash
    result = audit_verify()
    assert (result["ok"], result["why"]) == (False, "hash")


def test_a_link_under_a_key_not_in_the_keyring_is_caught(trail_of_a_decision):
    event = trail_of_a_decision["main"][2]
    _tamper(f"UPDATE {TABLE} SET key_id = 'asing' WHERE id = %s", [event.pk])
    result = audit_verify()
    assert (result["ok"], result["first_broken"], result["why"]) == (False, event.pk, "key")


def test_a_new_key_keys_new_links_and_the_old_one_still_verifies_the_old(
    db, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        old = audit_record("upload.submitted", area="31")
    settings.AUDIT_KEYS = [("2026", "kunci-audit-baru-" + "b" * 32), *settings.AUDIT_KEYS]
    with django_capture_on_commit_callbacks(execute=True):
        new = audit_record("upload.loaded", area="31")
    assert (old.key_id, new.key_id) == ("1", "2026")
    assert audit_verify()["ok"] is True
    settings.AUDIT_KEYS = settings.AUDIT_KEYS[:1]  # the old key dropped: its links unverifiable
    assert audit_verify()["why"] == "key"


def test_a_checkpoint_holds_the_kelurahan_heads_it_recorded(trail_of_a_decision, settings):
    """What a Berita Acara prints is a checkpoint: the heads of its area's kelurahan chains.
    Cutting a chain back behind a checkpoint is caught by the checkpoint itself, anchor file
    or not."""
    from audit.trail import audit_checkpoint, heads_digest

    printed = audit_checkpoint(area="31.71", purpose="test")
    gambir = trail_of_a_decision[GAMBIR]
    assert printed["chains"] == 2
    assert printed["main_short"] == printed["main_head"][:16]
    assert printed["digest"] == heads_digest(
        {GAMBIR: (3, gambir[-1].hash), CIDENG: (3, trail_of_a_decision[CIDENG][-1].hash)}
    )
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [gambir[-1].pk])
    result = audit_verify(anchor_files=[])
    assert (result["ok"], result["why"]) == (False, "head")
    assert result["anchor"]["chain"] == GAMBIR and result["anchor"]["seq"] == 3
    assert result["anchor"]["source"].startswith("checkpoint:")


def test_a_head_read_off_the_paper_is_checked(trail_of_a_decision):
    from audit.trail import audit_checkpoint

    printed = audit_checkpoint(area="31.71")
    paper = f"utama:{printed['main_seq']}:{printed['main_short']}"
    assert audit_verify(heads=[paper])["ok"] is True
    forged = f"utama:{printed['main_seq']}:{'0' * 16}"
    result = audit_verify(heads=[forged])
    assert (result["ok"], result["why"], result["anchor"]["source"]) == (False, "head", "given")


def test_the_command_names_what_the_anchors_hold_and_the_database_lost(trail_of_a_decision):
    import io
    import json

    from django.core.management import call_command

    _tamper(f"DELETE FROM {TABLE} WHERE chain = %s", [CIDENG])
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("audit_verify", stdout=out)
    assert f"rantai {CIDENG} tercatat sampai nomor 3" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("audit_verify", "--json", stdout=out)
    assert json.loads(out.getvalue())["anchor"] == {
        "chain": CIDENG, "seq": 3, "found": 0, "source": "anchor-file",
    }  # fmt: skip


def test_rotating_links_every_chain_once_under_the_new_key(
    db, settings, django_capture_on_commit_callbacks
):
    import io
    import json

    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        audit_record("upload.submitted", area="31")
        audit_record("verfak.recorded", area=GAMBIR, chain=GAMBIR)
    settings.AUDIT_KEYS = [("2026", "kunci-audit-baru-" + "b" * 32), *settings.AUDIT_KEYS]
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("audit_rotate", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"key_id": "2026", "chains": 2}
    rotated = Event.objects.filter(action="audit.key_rotated")
    assert sorted(rotated.values_list("chain", "key_id")) == [("", "2026"), (GAMBIR, "2026")]
    assert audit_verify()["ok"] is True
    out = io.StringIO()
    call_command("audit_rotate", "--json", stdout=out)  # nothing left under the old key
    assert json.loads(out.getvalue())["chains"] == 0


def test_a_demo_reset_sets_the_old_trails_anchors_aside_and_production_never(
    db, settings, django_capture_on_commit_callbacks
):
    from pathlib import Path

    from audit.anchors import anchors_set_aside

    with django_capture_on_commit_callbacks(execute=True):
        audit_record("upload.submitted", area="31")
    aside = anchors_set_aside()
    assert aside is not None and Path(aside).read_text().count("\n") == 1
    assert not Path(settings.AUDIT_ANCHOR_FILE).exists()
    settings.PRODUCTION = True
    with pytest.raises(RuntimeError, match="never"):
        anchors_set_aside()


def test_with_the_key_stolen_a_rewrite_is_still_caught_by_the_anchors(trail_of_a_decision):
    """Database and key both taken: the decision deleted, every later link hashed again under
    the real key, and a filler event appended so that the chain is as long as before. The
    anchor file, which neither reaches, still holds the old head at position 8."""
    decision = trail_of_a_decision["main"][3]
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [decision.pk])
    last = None
    for event in Event.objects.filter(chain="").order_by("id"):
        trail.chain_link(event, last)  # the real key, as the application would
        _tamper(
            f"UPDATE {TABLE} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.seq, event.prev_hash, event.hash, event.pk],
        )
        last = (event.seq, event.hash)
    filler = Event(at=decision.at, action="names.read", area="31", data={"page": 9})
    trail.chain_link(filler, last)
    filler.save()  # an INSERT: no trigger refuses it, and no anchor line follows it
    assert filler.seq == 8
    result = audit_verify()
    assert (result["ok"], result["why"], result["first_broken"]) == (False, "anchor", filler.pk)
    assert result["anchor"]["seq"] == 8
