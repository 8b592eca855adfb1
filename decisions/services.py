"""The KPU's decision on a pair (DOMAIN.md step 6), from its final standing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.models import Pair, SupportUpload
from decisions.models import Decision
from decisions.standing import standing_compute
from fieldwork.models import Advice, Stage
from objections.selectors import open_objections_of_election
from verification.derived import list_counts


def decision_blockers(*, pair: Pair) -> list[str]:
    """Why the pair cannot be decided yet, in Indonesian; empty when it can."""
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
    # Public responses are followed up before the decision (DOMAIN.md step 7): any objection of
    # the election, since a confirmed one may concern a NIK that another pair listed too.
    open_objections = open_objections_of_election(election_id=pair.election_id).count()
    if open_objections:
        reasons.append(
            _("%(n)s tanggapan masyarakat pada pemilihan ini belum diputuskan KPU.")
            % {"n": open_objections}
        )
    return reasons


def decision_record(*, pair: Pair, by=None) -> Decision:
    """Record the decision from the final counts. Refused while a stage is open, an advice is
    unanswered, administrative MS are still due in the field, or the pair is decided already."""
    with transaction.atomic():
        Pair.objects.select_for_update().filter(pk=pair.pk).first()
        if Decision.objects.filter(pair=pair).exists():
            raise ValidationError(_("Keputusan untuk pasangan ini sudah ditetapkan."))
        reasons = decision_blockers(pair=pair)
        standing = standing_compute(pair=pair)
        final = standing["final"]
        if final["MS_due_in_field"]:
            reasons.append(
                _("%(n)s pendukung MS belum diverifikasi faktual.")
                % {"n": final["MS_due_in_field"]}
            )
        if reasons:
            raise ValidationError(reasons)
        decision = Decision.objects.create(
            pair=pair,
            result=Decision.Result.MEMENUHI if final["meets"] else Decision.Result.TIDAK_MEMENUHI,
            ms=final["MS"],
            threshold=final["threshold"],
            spread_achieved=final["spread"]["achieved"],
            spread_required=final["spread"]["required"],
            standing=standing,
            decided_by=by,
        )
        audit_record("decision.recorded", actor=by, area=pair.election.region_id,
                     target=decision, data={"result": decision.result, "ms": decision.ms,
                                            "threshold": decision.threshold})  # fmt: skip
        return decision
