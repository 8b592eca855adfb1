"""The DP4 (data penduduk potensial pemilih, from the civil registry) as a second roll of an
election (DOMAIN.md step 3: a NIK not found "in the voter roll (DPT, optionally DP4)").

Loaded like the DPT, by the same import (electorate.roll_import: the same columns, the same
checks, one file after another into one roll of kind DP4), into Election.dp4_roll. Decided
here: a supporter whose NIK the DPT lacks but the DP4 holds is on the roll (not NOT_IN_ROLL),
and its DP4 record is checked as a DPT record is (kelurahan for the region and the placement,
birth date, sex, name); where both rolls hold a NIK, the DPT's record is the one read
(verification/engine/backends.py: roll_match). Without a DP4 the DPT alone is read.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.files import File
from django.db import transaction

from audit.trail import audit_record
from candidates.models import Election
from electorate.models import RollImport, VoterRoll
from electorate.services import roll_import_submit


def election_dp4_ensure(*, election: Election, by: Any = None) -> VoterRoll:
    """The election's DP4 roll, created (kind DP4, the election's region) at its first file.
    Locked, so two first files at once still make one roll."""
    if election.dp4_roll is not None:
        return election.dp4_roll
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        roll = locked.dp4_roll
        if roll is None:
            roll = VoterRoll.objects.create(
                name=f"DP4 {election.name}",
                region=election.region,
                kind=VoterRoll.Kind.DP4,
                voting_day=election.voting_day,
            )
            locked.dp4_roll = roll
            locked.save(update_fields=["dp4_roll"])
            audit_record(
                "election.dp4_roll_created",
                actor=by,
                area=election.region_id,
                target=election,
                data={"roll": roll.pk},
            )
    election.dp4_roll = roll
    return roll


def election_dp4_submit(
    *, election: Election, file: IO[bytes] | File, original_name: str, uploaded_by: Any = None
) -> tuple[RollImport, bool]:
    """A DP4 file for the election: into its DP4 roll, loaded in a task as a DPT file is."""
    roll = election_dp4_ensure(election=election, by=uploaded_by)
    return roll_import_submit(
        roll=roll, file=file, original_name=original_name, uploaded_by=uploaded_by
    )
