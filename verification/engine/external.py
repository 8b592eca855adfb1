"""DUPLICATE_EXTERNAL across an election: a NIK listed for more than one pair.

A pair's results take the bit in its own run (prepare.external_flag), against the other
pairs' lists as they are then. Another pair's upload never changes them: a team cannot move a
rival's MS to BMS by listing the rival's supporters. The change takes effect at the KPU's next
verification of that pair; until then `external_changes` counts it, for the KPU to see.
"""

from __future__ import annotations

from django.db import connection

from candidates.models import Pair
from verification.engine.backends import RESULT, SUPPORTER
from verification.engine.prepare import pairs_with_lists
from verification.rules import Reason


def external_changes(*, pair: Pair) -> int:
    """How many of the pair's verified results would change their DUPLICATE_EXTERNAL bit if
    verified now (the NIK newly listed by another pair, or no longer). One semi-join on the
    NIK-hash index over the pair's results."""
    others = [p for p in pairs_with_lists(pair.election_id) if p != pair.pk]
    listed = "0"
    if others:
        # Pair ids are integers from the database: safe inline.
        listed = f"""CASE WHEN EXISTS (
            SELECT 1 FROM {SUPPORTER} o WHERE o.nik_hash = s.nik_hash
              AND o.pair_id IN ({", ".join(str(int(p)) for p in others)})
        ) THEN 1 ELSE 0 END"""
    bit = int(Reason.DUPLICATE_EXTERNAL)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*) FROM {RESULT} r JOIN {SUPPORTER} s ON s.id = r.supporter_id
            WHERE r.pair_id = %(pair)s
              AND (CASE WHEN (r.reasons & {bit}) <> 0 THEN 1 ELSE 0 END) <> {listed}
            """,
            {"pair": pair.pk},
        )
        return cursor.fetchone()[0]
