"""One person (one NIK) across the pairs of an election: for which pairs they count as MS.

A person counts as MS for pair P when P's field task of them (any stage) is MS, or, where P
has no task of them (not yet handed to P's field work), P's administrative result of them
(not superseded by a resubmission) is MS. The rule that this is at most one pair is kept by
fieldwork.records (see its docstring) and checked there after every entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from fieldwork.models import Result, Task
from verification.models import VerificationResult
from verification.rules import Outcome


def ms_pairs(
    *, election_id: int, nik_hashes: Iterable[bytes] | None = None
) -> dict[bytes, set[int]]:
    """{nik_hash: the pairs the person counts as MS for}, for every person of the election
    (or only those of `nik_hashes`) who counts for at least one. One query (a UNION of the
    field results and the administrative results of pairs without a task of the person)."""
    field = Task.objects.filter(pair__election_id=election_id, result=Result.MS)
    admin = VerificationResult.objects.filter(
        pair__election_id=election_id, outcome=Outcome.MS, superseded=False
    )
    tasked = Task.objects.filter(
        nik_hash=OuterRef("supporter__nik_hash"), pair_id=OuterRef("pair_id")
    )
    admin = admin.exclude(Exists(tasked))
    if nik_hashes is not None:
        hashes = [bytes(h) for h in nik_hashes]
        field = field.filter(nik_hash__in=hashes)
        admin = admin.filter(supporter__nik_hash__in=hashes)
    rows = field.values_list("nik_hash", "pair_id").union(
        admin.values_list("supporter__nik_hash", "pair_id"), all=True
    )
    pairs: dict[bytes, set[int]] = defaultdict(set)
    for nik, pair_id in rows:
        pairs[bytes(nik)].add(pair_id)
    return dict(pairs)
