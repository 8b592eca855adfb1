"""What derives from a finished run, computed once instead of at every page load: the red flags
of the pair's lists (GROUP BYs over every supporter and the whole roll, about 3 s at DKI scale,
which the recap page used to repeat for each request), the recap's groups and the results
list's counts (a GROUP BY over 840k rows each, 0.2-0.6 s). Stored in models.RunDerived.

- `run_derive` is called once a run is DONE: by verification.tasks after `verification_run`,
  and by the commands that run the engine in-process (verify_admin, demo_setup).
- The readers (`red_flags_stored`, `recap_groups`, `list_counts`) take the stored part of the
  pair's latest finished run. What is missing is computed and stored on first read: a run that
  ended elsewhere (a test, the benchmark's child process), a pair with no finished run yet, or
  a part emptied because what it counts changed:
  - a confirmed objection changes results (services.result_reason_add): `results_changed`
    empties groups and counts; `red_flags_provided_refresh` recomputes the misuse flag;
  - a new upload of the pair adds supporters: `upload_loaded` empties the list counts (and,
    before any run, the flags), and for every pair of its election the count of results whose
    DUPLICATE_EXTERNAL a new run would change (the run page's `external_pending`).
- Between a run's start and its end the pages show what the last finished run left, not a
  half-written mix.

One row per pair: that of its latest finished run (replace-by-scope).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from candidates.models import Pair, Supporter
from replica.scope import primary_reads
from verification.engine.external import external_changes
from verification.models import RunDerived, VerificationResult, VerificationRun
from verification.placement import PLACE, SUPERSEDED
from verification.redflags import red_flags_lists, red_flags_provided
from verification.rules import reason_counts_sql

RESULT = VerificationResult._meta.db_table
SUPPORTER = Supporter._meta.db_table


def _fetch(sql: str, params: list) -> list[list]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [list(row) for row in cursor.fetchall()]


def _groups_compute(pair: Pair) -> list[list]:
    """The recap's GROUP BY: per (kelurahan of the result, round, outcome, superseded), the
    count and the count of each reason (verification.recap reads these)."""
    return _fetch(
        f"""
        SELECT kelurahan_code, round, outcome, superseded, COUNT(*), {reason_counts_sql()}
        FROM {RESULT} WHERE pair_id = %s
        GROUP BY kelurahan_code, round, outcome, superseded
        """,
        [pair.pk],
    )


def _counts_compute(pair: Pair) -> list[list]:
    """Supporters per (place, round, outcome): null not verified yet, SUPERSEDED a record a
    later round's resubmission replaced (not counted again). What the results list, the
    recap's "listed" figure and the share flags count, for any area, round and status, by
    adding these up. The place is verification.placement's: one placement everywhere."""
    status = f"CASE WHEN r.superseded = %s THEN '{SUPERSEDED}' ELSE r.outcome END"
    return _fetch(
        f"""
        SELECT {PLACE}, s.round, {status}, COUNT(*)
        FROM {SUPPORTER} s LEFT JOIN {RESULT} r ON r.supporter_id = s.id
        WHERE s.pair_id = %s
        GROUP BY {PLACE}, s.round, {status}
        """,
        [True, pair.pk, True],
    )


PARTS: dict[str, Callable[[Pair], Any]] = {
    "flags": lambda pair: red_flags_lists(pair=pair),
    "provided": lambda pair: red_flags_provided(pair=pair),
    "groups": _groups_compute,
    "counts": _counts_compute,
    "external": lambda pair: external_changes(pair=pair),
}


def latest_done_run(*, pair: Pair) -> VerificationRun | None:
    """The pair's run (any round) that finished last: what the pages show derives from it."""
    return (
        VerificationRun.objects.filter(pair=pair, status=VerificationRun.Status.DONE)
        .order_by("-finished_at", "-pk")
        .only("pk", "pair_id", "finished_at")
        .first()
    )


def run_derive(*, run: VerificationRun) -> RunDerived:
    """Compute and store everything that derives from this finished run (done once: a second
    call finds it stored)."""
    derived = _row(pair=run.pair, run=run)
    _fill(derived, list(PARTS))
    return derived


def _row(*, pair: Pair, run: VerificationRun | None) -> RunDerived:
    """The pair's row for this run; rows of earlier runs go (one row per pair)."""
    derived = RunDerived.objects.filter(pair=pair, run=run).first()
    if derived is not None:
        return derived
    with transaction.atomic():
        derived, _created = RunDerived.objects.get_or_create(pair=pair, run=run)
        RunDerived.objects.filter(pair=pair).exclude(pk=derived.pk).delete()
    return derived


def _fill(derived: RunDerived, parts: list[str]) -> None:
    """Compute the parts that are missing and store them (only where still missing: a part
    emptied meanwhile by a change is left for the next read to compute again)."""
    missing = [part for part in parts if getattr(derived, part) is None]
    for part in missing:
        value = PARTS[part](derived.pair)
        setattr(derived, part, value)
        RunDerived.objects.filter(pk=derived.pk, **{f"{part}__isnull": True}).update(
            **{part: value}
        )


def _derived(pair: Pair, *parts: str) -> RunDerived:
    stored = RunDerived.objects.filter(pair=pair, run=latest_done_run(pair=pair)).first()
    if stored is not None and all(getattr(stored, part) is not None for part in parts):
        return stored  # only read: on the replica inside the pages' replica_reads
    # Stored on first read: what is missing is looked for again where it is written.
    with primary_reads:
        derived = _row(pair=pair, run=latest_done_run(pair=pair))
        _fill(derived, list(parts))
    return derived


def red_flags_stored(*, pair: Pair) -> list[dict]:
    """The pair's red flags as its latest finished run left them."""
    derived = _derived(pair, "flags", "provided")
    return list(derived.flags or []) + list(derived.provided or [])


def red_flags_stored_many(*, pair_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The red flags of many pairs as their latest finished runs left them, in one query, only
    read (never computed here: a pair whose flags are not stored yet is absent)."""
    latest = (
        VerificationRun.objects.filter(pair=OuterRef("pair"), status=VerificationRun.Status.DONE)
        .order_by("-finished_at", "-pk")
        .values("pk")[:1]
    )
    rows = (
        RunDerived.objects.filter(pair_id__in=pair_ids, flags__isnull=False)
        .annotate(latest=Subquery(latest))
        .values_list("pair_id", "run_id", "latest", "flags", "provided")
    )
    return {
        pair_id: list(flags or []) + list(provided or [])
        for pair_id, run_id, latest_id, flags, provided in rows
        if run_id == latest_id
    }


def recap_groups(*, pair: Pair) -> list[list]:
    """The recap's groups (see _groups_compute) of the pair's latest finished run."""
    return _derived(pair, "groups").groups or []


def list_counts(*, pair: Pair) -> list[list]:
    """[kelurahan, round, outcome or None, n] of every supporter of the pair."""
    return _derived(pair, "counts").counts or []


def external_pending(*, pair: Pair) -> int:
    """Results of the pair's latest run whose DUPLICATE_EXTERNAL a new run would change."""
    return _derived(pair, "external").external or 0


def red_flags_provided_refresh(*, pair: Pair) -> int:
    """The flags of the apps above, again (an objection was decided). Returns rows changed."""
    if not RunDerived.objects.filter(pair=pair).exists():
        return 0  # nothing stored yet: the next read computes everything
    return RunDerived.objects.filter(pair=pair).update(provided=red_flags_provided(pair=pair))


def results_changed(*, pair_ids: set[int]) -> None:
    """Results were changed outside a run (a confirmed objection): their counts again."""
    RunDerived.objects.filter(pair_id__in=pair_ids).update(groups=None, counts=None)


def upload_loaded(*, pair_id: int) -> None:
    """A new upload of the pair: its list counts again (before any run, its flags too); and for
    every pair of the election, what a new run would change for DUPLICATE_EXTERNAL."""
    RunDerived.objects.filter(pair_id=pair_id).update(counts=None)
    RunDerived.objects.filter(pair_id=pair_id, run__isnull=True).update(flags=None)
    election = Pair.objects.filter(pk=pair_id).values("election_id")
    RunDerived.objects.filter(pair__election_id__in=election).update(external=None)
