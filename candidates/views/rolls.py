"""Pages for an election's voter roll (DPT): the upload, an import's progress and result, its
undo, and the guide.

Every object is looked up inside what the user may see (candidates.selectors): outside it is a
404, so that the page does not even confirm that the object exists. Seeing an object but not
being allowed to act on it is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates import selectors
from candidates.forms import (
    RollUploadForm,
)
from candidates.guide import guide_columns
from candidates.services import (
    election_roll_submit,
)
from electorate.models import RollImport
from electorate.roll_import import REQUIRED as ROLL_COLUMNS
from electorate.services import roll_import_undo
from staff.access import (
    roll_imports_visible,
)


@login_required
def roll_guide(request):
    """How to fill the voter roll (DPT) file: the same, for its ten columns."""
    return render(
        request,
        "candidates/guide.html",
        {
            "title": _("Panduan pengisian berkas DPT"),
            "columns": guide_columns(ROLL_COLUMNS),
            "kind": "roll",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def roll_upload(request, pk: int):
    """KPU uploads the voter roll of an election it runs; progress follows on the import page."""
    election = get_object_or_404(
        selectors.elections_visible(user=request.user).select_related("roll"), pk=pk
    )
    if not selectors.manages_election(user=request.user, election=election):
        raise PermissionDenied
    voters = _roll_voters(election.roll_id)
    form = RollUploadForm(request.POST or None, request.FILES or None, voters=voters)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        imp, created = election_roll_submit(
            election=election, file=f, original_name=f.name, uploaded_by=request.user
        )
        if created:
            messages.success(request, _("Berkas DPT diterima dan sedang diproses."))
        elif imp.status == imp.Status.PENDING:
            messages.success(
                request, _("Berkas yang sama sudah pernah diimpor; kini diproses ulang.")
            )
        else:
            messages.warning(
                request, _("Berkas yang sama sudah pernah diimpor; ini hasil impor sebelumnya.")
            )
        return redirect("roll-import-detail", pk=imp.pk)
    imports = (
        RollImport.objects.filter(roll_id=election.roll_id).order_by("-id")[:20]
        if election.roll_id
        else []
    )
    return render(
        request,
        "candidates/roll_upload.html",
        {"form": form, "election": election, "imports": imports, "voters": voters},
    )


def _roll_voters(roll_id: int | None) -> int:
    """The voters a roll holds, from its imports' counts (a COUNT of 8 million rows is not
    for a page view): the accepted rows of every finished import not undone."""
    if roll_id is None:
        return 0
    return (
        RollImport.objects.filter(roll_id=roll_id, status=RollImport.Status.DONE).aggregate(
            n=Sum("accepted")
        )["n"]
        or 0
    )


def _roll_import(request, pk: int) -> RollImport:
    return get_object_or_404(
        roll_imports_visible(user=request.user).select_related("roll", "uploaded_by"), pk=pk
    )


@login_required
def roll_import_detail(request, pk: int):
    imp = _roll_import(request, pk)
    # The elections checked against this roll, for the way back (usually exactly one).
    elections = (
        selectors.elections_visible(user=request.user).filter(roll=imp.roll_id).order_by("name")[:3]
    )
    may_undo = (
        imp.status == RollImport.Status.DONE
        and imp.undone_at is None
        and selectors.elections_managed(user=request.user).filter(roll=imp.roll_id).exists()
    )
    return render(
        request,
        "candidates/roll_import_detail.html",
        {"imp": imp, "elections": elections, "may_undo": may_undo},
    )


@login_required
@require_http_methods(["GET", "POST"])
def roll_import_undo_view(request, pk: int):
    """The KPU running an election on this roll takes one import's voters out again, after
    confirming on this page; refused, with the reason, once a verification has used them."""
    imp = _roll_import(request, pk)
    if not selectors.elections_managed(user=request.user).filter(roll=imp.roll_id).exists():
        raise PermissionDenied
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            messages.error(request, _("Centang pernyataan pembatalan dulu."))
            return redirect("roll-import-undo", pk=imp.pk)
        try:
            deleted = roll_import_undo(import_id=imp.pk, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Impor dibatalkan: %(n)s pemilih dikeluarkan dari DPT.")
                % {"n": number_format(deleted, force_grouping=True)},
            )
        return redirect("roll-import-detail", pk=imp.pk)
    return render(request, "candidates/roll_import_undo.html", {"imp": imp})


@login_required
def roll_import_progress(request, pk: int):
    """The htmx partial polled while the roll file is read."""
    return render(
        request, "candidates/_roll_import_progress.html", {"imp": _roll_import(request, pk)}
    )
