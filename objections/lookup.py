"""The citizen's check (cek dukungan): is my NIK listed as a supporter, of which pair, at which
stage? Support is political data, so:

- the NIK alone is not enough, and neither is the birth date, which the NIK carries (digits
  7-12, +40 for women): the name as on the KTP-el must match too, compared as the verification
  compares names (verification.names: old and new spelling, abbreviations, titles and word
  order are the same name; a given name more or less is not). Both the birth date and the
  name may match the support list's or the election's voter roll's (a team that typed a wrong
  date or name must not hide a misuse from the person it belongs to). docs/check-security.md
  says why the name and not another factor;
- "not listed", "birth date does not match", "name does not match" and a lookup withheld by a
  cap (objections.limits) are one answer: the same response;
- the same query runs whatever the answer: one lookup by the keyed hash (indexed) that brings
  every row of that NIK with the roll's birth date and name, then every row is compared in
  Python; what follows a match (which pairs are decided) runs only for a match, which shows
  anyway. The views add a response-time floor (settings.CHECK_RESPONSE_FLOOR_MS);
- nothing here logs or stores the NIK: the limiter keeps counts under keyed hashes only.

A positive answer carries, per pair, a token for the objection form: the supporter rows,
encrypted and bound to their purpose (keys.keyring), valid TOKEN_SECONDS. It proves the
bearer passed the check without carrying the NIK from page to page.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from candidates.models import Election, Pair, Supporter
from electorate.models import Voter
from fieldwork.models import Stage, Task
from fieldwork.standing import supporter_counts
from keys import keyring
from keys.models import KeyState
from keys.nik import birth_hash_text
from replica.scope import primary_reads, read_connection
from verification.models import VerificationResult
from verification.names import names_differ

TOKEN_SECONDS = 30 * 60  # long enough to find a photo of a signed statement
TOKEN_CONTEXT = "objection-check"


NAME_MAX = 200


class NikInputError(ValueError):
    """A NIK that is not 16 digits: said without repeating what was typed."""


class NameInputError(ValueError):
    """A name without a letter in it."""


def nik_normalise(text: str) -> str:
    """16 digits, with the spaces, dots and dashes people type between groups dropped."""
    digits = "".join(ch for ch in (text or "") if ch not in " .-\t")
    if len(digits) != 16 or not digits.isdigit() or not digits.isascii():
        raise NikInputError(_("NIK harus 16 angka, sesuai KTP-el."))
    return digits


def name_normalise_input(text: str) -> str:
    """The name as typed, its spaces tidied; it must hold a letter."""
    name = " ".join((text or "").split())[:NAME_MAX]
    if not any(ch.isalpha() for ch in name):
        raise NameInputError(_("Tulis nama lengkap seperti pada KTP-el."))
    return name


@dataclass
class Support:
    """One pair the NIK is listed for, as the citizen sees it."""

    pair_id: int
    pair: str
    election: str
    stage: str
    supporter_ids: list[int] = field(default_factory=list)
    counted: bool | None = None  # whether it counts now (None: not verified yet)


COLUMNS = (
    "id",
    "round",
    "birth_hash",
    "roll_birth_hash",
    "name",
    "roll_name",
    "pair_id",
    "pair__name",
    "pair__election__name",
    "verification__outcome",
    "verification__superseded",
    "field_task__result",
    "field_task__stage__number",
    "field_task__stage__status",
    "pair__decided_at",
    "field_task__note",
)
# One statement, by the indexed hash; every join is by primary or unique key. The birth dates
# are the keyed hashes of the NIK and the date (keys.nik: no clear birth date is kept),
# compared with the hash of what was typed. The roll's birth hash and name are two scalar
# subqueries, each one probe of voter_unique_nik_per_roll: a LEFT
# JOIN of the partitioned voter table, prepared, measured half as fast again. Written out
# rather than built by the ORM so that PostgreSQL can keep it prepared per connection:
# planning it (1 ms) cost three times its execution (0.3 ms), and the check runs at 500/s.
LOOKUP_SQL = f"""
    SELECT s.id, s.round, s.birth_hash,
           (SELECT v.birth_hash FROM {Voter._meta.db_table} v
            WHERE v.roll_id = e.roll_id AND v.nik_hash = s.nik_hash LIMIT 1),
           s.name,
           (SELECT v.name FROM {Voter._meta.db_table} v
            WHERE v.roll_id = e.roll_id AND v.nik_hash = s.nik_hash LIMIT 1),
           s.pair_id, p.name, e.name, r.outcome, r.superseded, t.result, st.number, st.status,
           p.decided_at, t.note
    FROM {Supporter._meta.db_table} s
    JOIN {Pair._meta.db_table} p ON p.id = s.pair_id
    JOIN {Election._meta.db_table} e ON e.id = p.election_id
    LEFT JOIN {VerificationResult._meta.db_table} r ON r.supporter_id = s.id
    LEFT JOIN {Task._meta.db_table} t ON t.supporter_id = s.id
    LEFT JOIN {Stage._meta.db_table} st ON st.id = t.stage_id
    WHERE s.nik_hash = %s
    ORDER BY s.pair_id, s.round, s.id
"""


VERSION_SQL = f"SELECT version FROM {KeyState._meta.db_table} WHERE id = %s"


def _fetch(sql: str, params: list) -> list[tuple]:
    connection = read_connection()  # the replica inside the views' replica_reads
    connection.ensure_connection()
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # A server-side-binding cursor of psycopg 3: prepare=True keeps the plan on this
    # connection (Django's own cursors bind on the client and plan every time).
    import psycopg

    started = time.monotonic()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        found = cursor.fetchall()
    if connection.queries_logged:  # seen by the tests' query capture, as Django's are
        connection.queries_log.append(
            {"sql": sql % tuple("%s" for _p in params), "time": f"{time.monotonic() - started:.3f}"}
        )
    return found


def _hasher() -> keyring.Hasher:
    """keyring.hasher(fresh=True) at the cost of one prepared SELECT: a web process lives long
    and the chain may have been rotated since it last looked (every rotation bumps the
    version); read it again only then."""
    found = _fetch(VERSION_SQL, [1])
    if not found:  # a new database: the keyring writes the chain's row, on the primary
        with primary_reads:
            return keyring.hasher(fresh=True)
    cached = keyring.hasher()
    if found[0][0] != cached.version:
        return keyring.hasher(fresh=True)
    return cached


def _rows(nik_hash: bytes) -> list[dict]:
    return [dict(zip(COLUMNS, row, strict=True)) for row in _fetch(LOOKUP_SQL, [nik_hash])]


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)  # memoryview on PostgreSQL


def names_match(typed: str, rows: list[dict]) -> list[bool]:
    """Per row: the typed name is the list's or the roll's name (verification.names)."""
    listed = [row["name"] for row in rows]
    roll = [row["roll_name"] or "" for row in rows]
    on_list = names_differ([typed] * len(rows), listed)
    on_roll = names_differ([typed] * len(rows), roll)
    return [not a or (bool(r) and not b) for a, b, r in zip(on_list, on_roll, roll, strict=True)]


def supports_find(*, nik: str, birth_date: dt.date, name: str) -> list[Support]:
    """The pairs whose lists hold this NIK with this birth date and this name (each the
    support list's or the roll's)."""
    hasher = _hasher()
    rows = _rows(hasher.hash(nik))
    named = names_match(name, rows)
    typed = hasher.hash(birth_hash_text(nik, birth_date))
    matched = [
        row
        for row, same_name in zip(rows, named, strict=True)
        if same_name and typed in (_bytes(row["birth_hash"]), _bytes(row["roll_birth_hash"]))
    ]  # every row compared: the work does not depend on which one matches
    if not matched:
        return []
    # The decision is written down on the pair (decisions.services.decision_record).
    decided = {row["pair_id"] for row in matched if row["pair__decided_at"] is not None}
    supports: dict[int, Support] = {}
    last: dict[int, dict] = {}
    for row in matched:  # ordered by round: the latest row of a pair says where it stands
        support = supports.setdefault(
            row["pair_id"],
            Support(
                pair_id=row["pair_id"],
                pair=row["pair__name"],
                election=row["pair__election__name"],
                stage="",
            ),
        )
        support.supporter_ids.append(row["id"])
        last[row["pair_id"]] = row
        if not row["verification__superseded"]:
            support.stage, support.counted = stage_of(row, decided=row["pair_id"] in decided)
    for support in supports.values():
        if not support.stage:  # only superseded rows matched: the latest of them
            row = last[support.pair_id]
            support.stage, support.counted = stage_of(row, decided=support.pair_id in decided)
    return list(supports.values())


def stage_of(row: dict, *, decided: bool) -> tuple[str, bool | None]:
    """Where the support stands, in plain Indonesian, and whether it counts now by the
    standing's rule (fieldwork.standing.supporter_counts): the same answer the pair's figures
    give. No reason, no name: nothing the citizen does not know already."""
    outcome = row["verification__outcome"]
    field_result = row["field_task__result"]
    counted = supporter_counts(
        outcome=outcome,
        superseded=bool(row["verification__superseded"]),
        task_result=field_result,
        stage_status=row["field_task__stage__status"],
        task_note=row["field_task__note"] or "",
    )
    if decided:
        return (
            _("Keputusan KPU sudah ditetapkan; dukungan ini dihitung.")
            if counted
            else _("Keputusan KPU sudah ditetapkan; dukungan ini tidak dihitung."),
            bool(counted),
        )
    if field_result:
        number = row["field_task__stage__number"]
        texts = {
            "MS": _("Verifikasi faktual %(n)s: dukungan dibenarkan (memenuhi syarat)."),
            "TMS": _("Verifikasi faktual %(n)s: dukungan tidak memenuhi syarat."),
            "PENDING": _("Verifikasi faktual %(n)s: menunggu didatangi petugas PPS."),
        }
        return texts[field_result] % {"n": number}, counted
    if outcome:
        texts = {
            "MS": _("Verifikasi administrasi: memenuhi syarat; menunggu verifikasi faktual."),
            "BMS": _("Verifikasi administrasi: belum memenuhi syarat; dapat diperbaiki."),
            "TMS": _("Verifikasi administrasi: tidak memenuhi syarat."),
        }
        return texts[outcome], counted
    return _("Diserahkan oleh bakal pasangan calon; belum diverifikasi."), None


# --- the objection token ------------------------------------------------------------------------


def token_make(support: Support, *, client: str = "", now: float | None = None) -> str:
    """The objection form's token for one support found: the pair, the supporter rows, when,
    and the client network the check answered (staff.clients.client_network), encrypted. It
    files one objection (objections.services.objection_submit spends it)."""
    body = json.dumps(
        {
            "p": support.pair_id,
            "s": support.supporter_ids,
            "t": int(now or time.time()),
            "c": client,
        }
    ).encode()
    blob = keyring.encrypt(body, context=TOKEN_CONTEXT)
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def token_read(
    token: str, *, client: str = "", now: float | None = None
) -> tuple[int, list[int]] | None:
    """(pair id, supporter ids) of a valid, unexpired token made for this client network;
    None otherwise."""
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(keyring.decrypt(blob, context=TOKEN_CONTEXT))
        pair_id, ids, made = int(body["p"]), [int(i) for i in body["s"]], int(body["t"])
        made_for = str(body.get("c", ""))
    except (ValueError, TypeError, KeyError, keyring.KeyringError, IndexError, AttributeError):
        return None
    if not ids or (now or time.time()) - made > TOKEN_SECONDS or made_for != client:
        return None
    return pair_id, ids
