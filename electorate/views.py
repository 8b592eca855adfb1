"""Pages for voter-roll imports: detail with errors, and the progress partial htmx polls."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from electorate.access import roll_imports_visible


def _import(request, pk: int):
    return get_object_or_404(
        roll_imports_visible(user=request.user).select_related("roll", "uploaded_by"), pk=pk
    )


@login_required
def roll_import_detail(request, pk: int):
    imp = _import(request, pk)
    # The elections checked against this roll, for the way back (usually exactly one).
    from candidates.selectors import elections_visible

    elections = elections_visible(user=request.user).filter(roll=imp.roll_id).order_by("name")[:3]
    return render(
        request, "electorate/roll_import_detail.html", {"imp": imp, "elections": elections}
    )


@login_required
def roll_import_progress(request, pk: int):
    return render(request, "electorate/_roll_import_progress.html", {"imp": _import(request, pk)})
