"""DUPLICATE_EXTERNAL across an election: a NIK listed for more than one pair."""

from __future__ import annotations

from django.db import connection, transaction

from candidates.models import Election
from verification.engine.backends import RESULT, SUPPORTER
from verification.engine.prepare import pairs_with_lists
from verification.rules import Reason, outcome_masks, outcome_sql, reason_outcomes


def duplicate_external_refresh(*, election: Election, exclude_pair_id: int | None = None) -> int:
    """Bring DUPLICATE_EXTERNAL up to date on every verified supporter of the election: set where
    the NIK is now also listed for another pair (whichever uploaded first), clear where it no
    longer is. Two UPDATEs touching only the rows that change; outcomes follow the election's
    current rules. Returns the number of results changed."""
    pair_ids = pairs_with_lists(election.pk)
    target = [p for p in pair_ids if p != exclude_pair_id]
    if not target:
        return 0
    masks = outcome_masks(reason_outcomes(election))
    bit = int(Reason.DUPLICATE_EXTERNAL)
    # Pair ids are integers from the database: safe inline.
    pairs_sql = ", ".join(str(int(p)) for p in pair_ids)
    target_sql = ", ".join(str(int(p)) for p in target)
    # A semi-join on the NIK-hash index: probes only the target pairs' rows, where grouping
    # every supporter of the election by NIK cost a second and more at DKI scale.
    flagged = f"""
        SELECT s.id FROM {SUPPORTER} s WHERE s.pair_id IN ({target_sql}) AND EXISTS (
            SELECT 1 FROM {SUPPORTER} o WHERE o.nik_hash = s.nik_hash
              AND o.pair_id IN ({pairs_sql}) AND o.pair_id <> s.pair_id
        )"""
    changed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if len(pair_ids) > 1:
            new = f"(reasons | {bit})"
            cursor.execute(
                f"UPDATE {RESULT} SET reasons = {new}, outcome = {outcome_sql(new, masks)} "
                f"WHERE pair_id IN ({target_sql}) AND (reasons & {bit}) = 0 "
                f"AND supporter_id IN ({flagged})"
            )
            changed += cursor.rowcount
        new = f"(reasons - {bit})"
        not_flagged = f"AND supporter_id NOT IN ({flagged})" if len(pair_ids) > 1 else ""
        cursor.execute(
            f"UPDATE {RESULT} SET reasons = {new}, outcome = {outcome_sql(new, masks)} "
            f"WHERE pair_id IN ({target_sql}) AND (reasons & {bit}) <> 0 {not_flagged}"
        )
        changed += cursor.rowcount
    return changed
