"""The KPU's decision on a pair (docs/domain.md, the decision), from its standing.

The decision is the last step: it comes once nothing is in flight (uploads, runs, an open
factual verification, unanswered advice or objections, administrative MS still due in the
field) and once the law gives the pair no more repair round: a pair that falls short is owed
the next repair round until its window has passed unused, unless the pair renounced it in
writing (Renunciation). Once recorded, it is written down on the pair (Pair.decided_at), where
every layer below reads it and refuses further uploads, runs and stages.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.models import Pair, Round, SubmissionWindow, SupportUpload
from decisions.models import Decision, Renunciation
from decisions.standing import standing_report
from fieldwork.models import Advice, Stage
from fieldwork.standing import standing_now
from objections.selectors import open_objections_of_election
from verification.derived import list_counts


def _d(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def repair_owed(*, pair: Pair, standing: dict, today: dt.date | None = None) -> str | None:
    """Why the pair is still owed a repair round (in Indonesian), or None: a pair short of the
    threshold or the spread keeps its next round (repair 1 after the initial round, repair 2
    after factual verification 1) until that round's window has passed unused or the pair
    has renounced it in writing."""
    owed = standing.get("repair_owed")
    if owed is None:
        return None
    if Renunciation.objects.filter(pair=pair, round=owed).exists():
        return None
    today = today or timezone.localdate()
    label = Round(owed).label
    window = SubmissionWindow.objects.filter(election_id=pair.election_id, round=owed).first()
    if window is not None and window.closes < today:
        return None
    if window is None:
        return _(
            "Pasangan ini belum memenuhi syarat dan masih berhak atas %(round)s, yang masa "
            "penyerahannya belum ditetapkan: tetapkan masanya dan tunggu sampai berakhir, atau "
            "catat surat pernyataan pasangan tidak menggunakan hak perbaikan itu."
        ) % {"round": label}
    return _(
        "Pasangan ini belum memenuhi syarat dan masih berhak atas %(round)s (masa penyerahan "
        "%(a)s s.d. %(b)s): keputusan ditetapkan sesudah perbaikan itu diverifikasi, sesudah "
        "masanya lewat tanpa penyerahan, atau bila pasangan menyatakan secara tertulis tidak "
        "menggunakannya."
    ) % {"round": label, "a": _d(window.opens), "b": _d(window.closes)}


def decision_blockers(*, pair: Pair, standing: dict | None = None) -> list[str]:
    """Why the pair cannot be decided yet, in Indonesian; empty when it can."""
    standing = standing if standing is not None else standing_now(pair=pair)
    reasons = []
    in_flight = SupportUpload.objects.filter(
        pair=pair, status__in=[SupportUpload.Status.PENDING, SupportUpload.Status.RUNNING]
    )
    if in_flight.exists():
        reasons.append(_("Masih ada unggahan daftar dukungan yang sedang diproses."))
    # The list's counts stored when the latest run ended and emptied by every upload
    # (verification.derived), not an anti-join over the pair's 840k supporters per page load.
    if any(outcome is None for _place, _round, outcome, _n in list_counts(pair=pair)):
        reasons.append(_("Masih ada pendukung yang belum diverifikasi administrasi."))
    for stage in Stage.objects.filter(pair=pair, status=Stage.Status.OPEN):
        reasons.append(
            _("Verifikasi faktual %(n)s masih berlangsung: tutup dulu semua tingkatannya.")
            % {"n": stage.number}
        )
    open_advice = Advice.objects.filter(stage__pair=pair, status=Advice.Status.OPEN).count()
    if open_advice:
        reasons.append(_("%(n)s saran perbaikan pengawas belum dijawab KPU.") % {"n": open_advice})
    # Public responses are followed up before the decision: any objection of the election,
    # since a confirmed one may concern a NIK that another pair listed too.
    open_objections = open_objections_of_election(election_id=pair.election_id).count()
    if open_objections:
        reasons.append(
            _("%(n)s tanggapan masyarakat pada pemilihan ini belum diputuskan KPU.")
            % {"n": open_objections}
        )
    if standing.get("MS_due_in_field"):
        reasons.append(
            _("%(n)s pendukung MS belum diverifikasi faktual.") % {"n": standing["MS_due_in_field"]}
        )
    owed = repair_owed(pair=pair, standing=standing)
    if owed:
        reasons.append(owed)
    return reasons


def decision_record(*, pair: Pair, by=None) -> Decision:
    """Record the decision from the standing. Refused while anything in decision_blockers
    holds, or when the pair is decided already."""
    with transaction.atomic():
        pair = Pair.objects.select_for_update().select_related("election").get(pk=pair.pk)
        if pair.decided_at is not None or Decision.objects.filter(pair=pair).exists():
            raise ValidationError(_("Keputusan untuk pasangan ini sudah ditetapkan."))
        standing = standing_now(pair=pair)
        reasons = decision_blockers(pair=pair, standing=standing)
        if reasons:
            raise ValidationError(reasons)
        decision = Decision.objects.create(
            pair=pair,
            result=(
                Decision.Result.MEMENUHI if standing["meets"] else Decision.Result.TIDAK_MEMENUHI
            ),
            ms=standing["MS"],
            threshold=standing["threshold"],
            spread_achieved=standing["spread"]["achieved"],
            spread_required=standing["spread"]["required"],
            standing=standing_report(pair=pair),
            decided_by=by,
        )
        Pair.objects.filter(pk=pair.pk).update(
            decided_at=decision.decided_at, decision_result=decision.result
        )
        audit_record("decision.recorded", actor=by, area=pair.election.region_id,
                     target=decision, data={"result": decision.result, "ms": decision.ms,
                                            "threshold": decision.threshold})  # fmt: skip
        return decision


def renunciation_record(*, pair: Pair, round: int, letter: str, by=None) -> Renunciation:
    """The pair declares in writing that it does not use repair round `round`."""
    letter = " ".join((letter or "").split())
    if not letter:
        raise ValidationError(_("Tulis nomor dan tanggal surat pernyataan pasangan."))
    if round not in (Round.REPAIR_1, Round.REPAIR_2):
        raise ValidationError(_("Pernyataan hanya untuk Perbaikan 1 atau Perbaikan 2."))
    if SupportUpload.objects.filter(pair=pair, round=round).exists():
        raise ValidationError(
            _("Pasangan sudah menyerahkan daftar %(round)s: pernyataan tidak dapat dicatat.")
            % {"round": Round(round).label}
        )
    with transaction.atomic():
        renunciation, created = Renunciation.objects.get_or_create(
            pair=pair, round=round, defaults={"letter": letter[:200], "recorded_by": by}
        )
        if created:
            audit_record(
                "decision.renunciation",
                actor=by,
                area=pair.election.region_id,
                target=renunciation,
                data={"round": round, "letter": letter[:200]},
            )
    return renunciation
