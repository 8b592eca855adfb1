"""The voting day ages are judged on, once the birth dates are no longer in the clear.

A stored row keeps whether its person is under 17 on voting day (keys.nik, "the birth
date"): a supporter against its election's voting day (candidates.intake), a voter against its
roll's (VoterRoll.voting_day, electorate.roll_import). So when an election's voting day or its
rolls change (only before any verification: candidates.services.election_settings_change):
- its supporters are judged again, from each row's birth-date ciphertext;
- an empty roll takes the election's voting day; a roll whose voters were judged on another day
  cannot be judged again (it keeps no birth date, no NIK): the change is refused, with the way
  out (undo the roll's imports, change, import again). A run refuses such a roll too
  (verification.engine.start), whatever path left it so.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.models import Election, Supporter
from electorate.models import Voter, VoterRoll
from keys import keyring
from keys.nik import birth_decrypt, birth_minor, supporter_birth_context

BATCH = 5_000


def election_ages_follow(*, election: Election) -> int:
    """After a change of the election's voting day or rolls: its rolls on its voting day (or the
    change refused, ValidationError), its supporters judged again. Returns the supporters whose
    flag changed."""
    for roll in (election.roll, election.dp4_roll):
        if roll is not None:
            roll_voting_day_follow(roll=roll, voting_day=election.voting_day)
    return supporters_minor_recompute(election=election)


def roll_voting_day_follow(*, roll: VoterRoll, voting_day: Any) -> None:
    if roll.voting_day == voting_day:
        return
    if Voter.objects.filter(roll=roll).exists():
        raise ValidationError(
            _(
                "%(roll)s sudah dimuat dengan umur pemilih per hari pemungutan suara %(day)s; "
                "tanggal lahir pemilih tidak disimpan, jadi umurnya tidak dapat dihitung ulang "
                "untuk hari %(voting_day)s. Batalkan impor daftar itu dulu, ubah, lalu impor "
                "ulang berkasnya."
            )
            % {
                "roll": roll.name,
                "day": date_format(roll.voting_day, "SHORT_DATE_FORMAT")
                if roll.voting_day
                else "-",
                "voting_day": date_format(voting_day, "SHORT_DATE_FORMAT"),
            },
            code="roll_ages",
        )
    VoterRoll.objects.filter(pk=roll.pk).update(voting_day=voting_day)
    roll.voting_day = voting_day


def supporters_minor_recompute(*, election: Election) -> int:
    """Whether each supporter of the election is under 17 on its voting day and not married,
    judged again from the row's birth-date ciphertext. Returns the rows that changed."""
    rows = (
        Supporter.objects.filter(pair__election=election)
        .only("pk", "upload_id", "row_number", "birth_cipher", "marital_status", "minor")
        .order_by("pk")
    )
    changed, batch = 0, []
    for row in rows.iterator(chunk_size=BATCH):
        context = supporter_birth_context(row.upload_id, row.row_number)
        minor = birth_minor(
            birth_decrypt(bytes(row.birth_cipher), context=context),
            voting_day=election.voting_day,
            marital=row.marital_status,
        )
        if minor != row.minor:
            row.minor = minor
            batch.append(row)
        if len(batch) >= BATCH:
            Supporter.objects.bulk_update(batch, ["minor"])
            changed, batch = changed + len(batch), []
    if batch:
        Supporter.objects.bulk_update(batch, ["minor"])
        changed += len(batch)
    return changed


def supporters_birth_rekey(*, hasher: Any = None, rehashed: bool = False) -> int:
    """Key rotation (keys.rotation): every birth-date ciphertext not under the current
    encryption key is encrypted again under it (the birth hash goes down the chain with the
    NIK hashes: a registered hash column). Returns the rows changed."""
    current = keyring.current_key_id()
    rows = Supporter.objects.only("pk", "upload_id", "row_number", "birth_cipher").order_by("pk")
    changed, batch = 0, []
    for row in rows.iterator(chunk_size=BATCH):
        if keyring.key_id_of(bytes(row.birth_cipher)) == current:
            continue
        context = supporter_birth_context(row.upload_id, row.row_number)
        plain = keyring.decrypt(bytes(row.birth_cipher), context=context)
        row.birth_cipher = keyring.encrypt(plain, context=context)
        batch.append(row)
        if len(batch) >= BATCH:
            Supporter.objects.bulk_update(batch, ["birth_cipher"])
            changed, batch = changed + len(batch), []
    if batch:
        Supporter.objects.bulk_update(batch, ["birth_cipher"])
        changed += len(batch)
    return changed
