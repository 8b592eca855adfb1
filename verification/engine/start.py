"""Recording a run and splitting it into chunks (or resuming the unfinished one)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.models import Election, Pair, Round, Supporter, SupportUpload
from candidates.standing import pair_undecided_check
from electorate.models import RollImport, Voter
from verification.engine.backends import backend
from verification.models import VerificationChunk, VerificationRun
from verification.rules import reason_outcomes


def run_create(*, pair: Pair, round: int | None = None, started_by=None) -> VerificationRun:
    """Record a run of the pair's round (default: its latest round with supporters) and split
    it into chunks. Nothing is enqueued: verification.services.verification_start does that.

    An unfinished run of the same pair and round (pending, running or failed: a worker died, a
    chunk failed) is resumed rather than doubled: its finished chunks stay finished. Starts are
    serialised by a lock on the pair row, so two clicks make one run."""
    election: Election = pair.election
    pair_undecided_check(pair)  # decided: no run of any kind, whoever starts it
    if election.roll_id is None:
        raise ValidationError(_("Pemilihan ini belum memiliki DPT: impor daftar pemilih dulu."))
    _rolls_voting_day_check(election)
    if round is None:
        round = round_to_verify(pair)
    _startable_check(pair, round)
    outcomes = reason_outcomes(election)
    rolls = [election.roll_id, *([election.dp4_roll_id] if election.dp4_roll_id else [])]
    sha = list(
        RollImport.objects.filter(roll_id__in=rolls, status=RollImport.Status.DONE)
        .order_by("pk")
        .values_list("sha256", flat=True)
    )
    with transaction.atomic():
        Pair.objects.select_for_update().filter(pk=pair.pk).first()
        bounds = chunk_bounds(pair_id=pair.pk, round=round)
        run = _unfinished(pair, round, bounds)
        if run is None:
            run = VerificationRun.objects.create(
                pair=pair,
                round=round,
                started_by=started_by,
                rule_set=election.rule_set,
                reason_outcomes=outcomes,
                voting_day=election.voting_day,
                roll_id=election.roll_id,
                roll_sha256=sha,
                dp4_roll_id=election.dp4_roll_id,
                registry=election.registry_confirmation,
                chunks_total=len(bounds),
            )
            VerificationChunk.objects.bulk_create(
                VerificationChunk(run=run, seq=i, id_from=lo, id_to=hi)
                for i, (lo, hi) in enumerate(bounds)
            )
    return run


def _rolls_voting_day_check(election: Election) -> None:
    """A roll keeps whether each voter is under 17 on the voting day it was made for, not the
    birth date (keys.nik): judged against another day its ages would be wrong, so the
    run is refused, with the way out."""
    for roll in (election.roll, election.dp4_roll):
        if roll is None or roll.voting_day == election.voting_day:
            continue
        if not Voter.objects.filter(roll=roll).exists():
            continue
        raise ValidationError(
            _(
                "%(roll)s dimuat dengan umur pemilih per hari pemungutan suara %(day)s, bukan "
                "%(voting_day)s (hari pemungutan suara pemilihan ini); tanggal lahir pemilih "
                "tidak disimpan, jadi umurnya tidak dapat dihitung ulang. Batalkan impor "
                "daftar itu, lalu impor ulang berkasnya."
            )
            % {
                "roll": roll.name,
                "day": date_format(roll.voting_day, "SHORT_DATE_FORMAT")
                if roll.voting_day
                else "-",
                "voting_day": date_format(election.voting_day, "SHORT_DATE_FORMAT"),
            }
        )


def round_to_verify(pair: Pair) -> int:
    """The round a run starts on when none is named: the earliest round with supporters not
    yet verified (a later round cannot go first), else the latest round (a rerun)."""
    supporters = Supporter.objects.filter(pair=pair)
    # Round by round (Round has three), an EXISTS that stops at the first unverified
    # supporter: one MIN over the anti-join of the whole list took 0.7 s at 1.6M supporters.
    for round in sorted(Round.values):
        if supporters.filter(round=round, verification__isnull=True).exists():
            return round
    return supporters.aggregate(r=Max("round"))["r"] or 0


def _startable_check(pair: Pair, round: int) -> None:
    earlier = (
        Supporter.objects.filter(pair=pair, round__lt=round, verification__isnull=True)
        .values("round")
        .annotate(n=Count("pk"))
        .order_by("round")
        .first()
    )
    if earlier:
        raise ValidationError(
            _(
                "Tahap %(round)s belum diverifikasi (%(n)s pendukung): verifikasi tahap itu "
                "dulu, baru %(this)s."
            )
            % {
                "round": Round(earlier["round"]).label,
                "n": f"{earlier['n']:,}".replace(",", "."),
                "this": Round(round).label,
            }
        )
    in_flight = SupportUpload.objects.filter(
        pair=pair,
        round=round,
        status__in=[SupportUpload.Status.PENDING, SupportUpload.Status.RUNNING],
    )
    if in_flight.exists():
        raise ValidationError(
            _(
                "Masih ada unggahan daftar dukungan tahap ini yang sedang diproses: tunggu "
                "sampai selesai, lalu mulai verifikasi."
            )
        )


def _unfinished(pair: Pair, round: int, bounds: list[tuple[int, int]]) -> VerificationRun | None:
    """The run to resume, if any: unfinished, and split over the same list as today's."""
    run = (
        VerificationRun.objects.filter(pair=pair, round=round)
        .exclude(status=VerificationRun.Status.DONE)
        .order_by("-pk")
        .first()
    )
    if run is not None and bounds_of(run) != bounds:
        # The round's list changed since that run was split: it can no longer finish it.
        VerificationRun.objects.filter(pk=run.pk).update(
            status=VerificationRun.Status.FAILED,
            error=_("Digantikan oleh verifikasi baru: daftar dukungan berubah."),
        )
        return None
    return run


def bounds_of(run: VerificationRun) -> list[tuple[int, int]]:
    return list(
        VerificationChunk.objects.filter(run=run).order_by("seq").values_list("id_from", "id_to")
    )


def chunk_bounds(*, pair_id: int, round: int, size: int | None = None) -> list[tuple[int, int]]:
    """Inclusive id ranges of about `size` supporters each. By default one per session of a
    run (verification/engine/run.py: _sessions), of at most VERIFICATION_CHUNK_SIZE. The join
    against the roll reads the whole roll once per chunk (a hash join: 8M probes are slower
    than one scan), so chunks are large: DKI's 840,640 supporters are two, one per session."""
    with connection.cursor() as cursor:
        return backend().chunk_bounds(cursor, {"pair": pair_id, "round": round}, size)
