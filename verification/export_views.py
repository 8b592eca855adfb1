"""Pages of the results export: start one from the results page, follow its progress, download
it while its link lasts.

Who: the pair's own team, the KPU running its election and a KPU of an area inside it (its
part) start exports (selectors.may_export);
an export is then opened and downloaded by the user who asked for it and nobody else (any other
user gets 404: the page does not confirm that it exists). The file holds what the results page
shows that user. Expired: 410 with what to do. Every download is an audit event
(services.export_download).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from candidates import selectors as candidates
from candidates.models import Pair, Round
from verification import selectors
from verification.exports import export_expired
from verification.models import Export
from verification.services import export_download, export_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTED = 20


def _pair(request, pk: int) -> Pair:
    return get_object_or_404(
        candidates.pairs_visible(user=request.user).select_related("election"), pk=pk
    )


def _export(request, pk: int) -> Export:
    export = get_object_or_404(
        selectors.exports_visible(user=request.user).select_related("pair__election"), pk=pk
    )
    if not selectors.may_export(user=request.user, pair=export.pair):
        raise Http404  # no longer theirs to take (a team left, an area changed)
    return export


@login_required
@require_http_methods(["GET", "POST"])
def exports_page(request, pk: int):
    """GET: the user's exports of this pair. POST (from the results page): start one with the
    page's round and status filter."""
    pair = _pair(request, pk)
    if not selectors.may_export(user=request.user, pair=pair):
        raise PermissionDenied
    if request.method == "POST":
        round_ = selectors.round_param(request.POST.get("round"))
        export = export_start(
            user=request.user, pair=pair, round=round_, outcome=request.POST.get("status", "")
        )
        # The export's card says it is being written and is replaced by the link when ready.
        return redirect("verification-export", pk=export.pk)
    exports = (
        selectors.exports_visible(user=request.user).filter(pair=pair).order_by("-pk")[:LISTED]
    )
    return render(
        request,
        "verification/exports.html",
        {"pair": pair, "exports": exports, "rounds": dict(Round.choices)},
    )


def _context(export: Export) -> dict:
    return {
        "export": export,
        "expired": export_expired(export),
        "round_label": Round(export.round).label if export.round is not None else "",
    }


@login_required
def export_page(request, pk: int):
    export = _export(request, pk)
    return render(request, "verification/export.html", {"pair": export.pair, **_context(export)})


@login_required
def export_progress(request, pk: int):
    """The progress card alone, polled by htmx while the export is written."""
    export = _export(request, pk)
    return render(request, "verification/_export_progress.html", _context(export))


@login_required
def export_file(request, pk: int):
    export = _export(request, pk)
    if export_expired(export):
        return render(
            request,
            "verification/export_gone.html",
            {"pair": export.pair, **_context(export)},
            status=410,
        )
    if export.status != Export.Status.READY:
        raise Http404  # not written yet: the export page shows its progress
    suffix = f"-tahap{export.round}" if export.round is not None else ""
    suffix += f"-{export.outcome}" if export.outcome else ""
    response = StreamingHttpResponse(
        _blocks(export_download(export=export, user=request.user)), content_type=XLSX
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"hasil-verifikasi-{export.pair_id}{suffix}.xlsx"
    )
    response["Content-Length"] = str(export.size)
    response["Cache-Control"] = "private, no-store"
    return response


def _blocks(fh, size: int = 1 << 20):
    """The decrypted file in 1 MB blocks, closed at the end (or when the client goes away)."""
    with fh:
        while block := fh.read(size):
            yield block
