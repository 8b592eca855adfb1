"""The decision page: where the pair stands after its latest stage, what still blocks the
decision, and the KPU's decision once recorded."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates import selectors as candidates
from candidates.models import Election, Round
from decisions.models import Decision
from decisions.services import decision_blockers, decision_record, renunciation_record
from decisions.standing import standing_report
from electorate.models import Region
from staff.access import may_see_recap


@login_required
@require_http_methods(["GET", "POST"])
def decision_page(request, pk: int):
    """KPU, Bawaslu and the pair's own team (those who read the recap); the KPU running the
    election records the decision."""
    pair = get_object_or_404(
        candidates.pairs_visible(user=request.user).select_related("election__region"), pk=pk
    )
    if not may_see_recap(request.user):
        raise PermissionDenied
    may_decide = candidates.manages_pair(user=request.user, pair=pair)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "renounce":
                renunciation_record(
                    pair=pair,
                    round=_round(request.POST.get("round")),
                    letter=request.POST.get("letter", ""),
                    by=request.user,
                )
                messages.success(request, _("Surat pernyataan dicatat."))
            else:
                decision_record(pair=pair, by=request.user)
                messages.success(request, _("Keputusan ditetapkan."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("decision-pair", pk=pair.pk)
    decision = Decision.objects.filter(pair=pair).select_related("decided_by").first()
    # The stored standing (fieldwork.standing): read, not counted again per request.
    standing = standing_report(pair=pair)
    final = decision.standing["final"] if decision is not None else standing["final"]
    reached = dict(
        Region.objects.filter(code__in=final["spread"]["reached"]).values_list("code", "name")
    )
    return render(
        request,
        "decisions/decision.html",
        {
            "pair": pair,
            "standing": standing,
            "final": final,
            "reached": [(code, reached.get(code, code)) for code in final["spread"]["reached"]],
            "blockers": (
                [str(r) for r in decision_blockers(pair=pair, standing=final)]
                if decision is None and pair.decided_at is None
                else []
            ),
            "decision": decision,
            # A pair ruled out at submission is decided without a Decision row.
            "may_decide": may_decide and decision is None and pair.decided_at is None,
            "rule_set": Election.RuleSet(pair.election.rule_set).label,
            "stage_round_label": Round(final["stage"]["round"]).label,
            "owed_label": (
                Round(final["repair_owed"]).label if final.get("repair_owed") is not None else ""
            ),
        },
    )


def _round(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
