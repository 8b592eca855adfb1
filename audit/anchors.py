"""Anchors: the chains' heads written outside the database, where a rewrite of the database
cannot reach them.

Every committed event appends one line to settings.AUDIT_ANCHOR_FILE: when, which chain
("-" for the main one), its position there and its head (with the key id). The file is opened
with O_APPEND for each line, and deploy/ makes it append-only for everyone but root
(`chattr +a` in a root-owned directory): the application adds lines and can neither change
nor remove one. A line is written after the commit (transaction.on_commit), so a rolled-back
event never names a head that does not exist; a crash between the commit and the line leaves
that event unanchored (the next one anchors it: a head commits to everything before it).

`audit_verify` reads the files back: the last anchored position of every chain must still be
in the database with the same head. Only the last one matters: a head is a MAC over the
head before it, so a chain whose anchored head is intact is intact up to there.

What a keyed link and its anchor line cost per event: `python -m bench.audit_cost`
(docs/security.md).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

log = logging.getLogger("audit")
MAIN = "-"  # the main chain ("") as the file writes it


def anchor_line(*, at: str, chain: str, seq: int, head: str, key_id: str) -> str:
    return f"{at}\t{chain or MAIN}\t{seq}\t{head}\t{key_id}\n"


def anchor_write(line: str) -> None:
    """Append one line (after the commit). A failure is logged, never raised: the action it
    anchors is committed already; `check --deploy` refuses an anchor file it cannot write."""
    path = settings.AUDIT_ANCHOR_FILE
    if not path:
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except OSError as exc:
        log.error("audit anchor not written to %s: %s", path, exc)


@dataclass
class Anchors:
    """What the anchor files say: the last anchored position of each chain and its head(s)
    (two heads at one position: two histories were anchored, at most one is in the
    database)."""

    files: list[str] = field(default_factory=list)
    lines: int = 0
    unreadable: int = 0
    last: dict[str, tuple[int, set[str]]] = field(default_factory=dict)

    def add(self, chain: str, seq: int, head: str) -> None:
        known = self.last.get(chain)
        if known is None or seq > known[0]:
            self.last[chain] = (seq, {head})
        elif seq == known[0]:
            known[1].add(head)


def anchors_read(paths: Iterable[str | Path]) -> Anchors:
    """Every line of the files, streamed (memory: one entry per chain)."""
    anchors = Anchors()
    for path in paths:
        path = Path(path)
        if not path.exists():
            continue
        anchors.files.append(str(path))
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 5 or not parts[2].isdigit() or len(parts[3]) != 64:
                    anchors.unreadable += 1
                    continue
                anchors.lines += 1
                chain = "" if parts[1] == MAIN else parts[1]
                anchors.add(chain, int(parts[2]), parts[3])
    return anchors


def anchor_file_check() -> str | None:
    """Why the anchor file cannot be written (for the system check), or None."""
    path = settings.AUDIT_ANCHOR_FILE
    if not path:
        return "AUDIT_ANCHOR_FILE is empty"
    target = Path(path)
    if target.exists():
        return None if os.access(target, os.W_OK) else f"{path} is not writable"
    return None if os.access(target.parent, os.W_OK) else f"{target.parent} is not writable"


def anchors_set_aside() -> str | None:
    """A demo database emptied and built again (`demo_setup --reset`) starts a new trail: the
    old trail's anchor file is renamed beside it (…log.<time>), not deleted, so that
    `audit_verify` holds the new trail to its own anchors. Never in production, where an
    emptied trail is exactly what the anchors must catch. Returns the new name."""
    if getattr(settings, "PRODUCTION", False):
        raise RuntimeError("the audit anchors are never set aside in production")
    path = Path(settings.AUDIT_ANCHOR_FILE) if settings.AUDIT_ANCHOR_FILE else None
    if path is None or not path.exists():
        return None
    aside = path.with_name(f"{path.name}.{time.strftime('%Y%m%dT%H%M%S')}.reset")
    path.rename(aside)
    return str(aside)
