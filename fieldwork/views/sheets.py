"""A PPS's typed-in paper sheet: upload (with the findings table as the sheet's help), the
result, and the progress polled while it is applied."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fieldwork import findings, selectors
from fieldwork.forms import SheetForm
from fieldwork.models import Sheet, Stage
from fieldwork.services import sheet_submit
from fieldwork.views.common import pair_get


@login_required
@require_http_methods(["GET", "POST"])
def sheet_upload(request, pk: int):
    pair = pair_get(request, pk)
    if not selectors.may_submit_sheet(user=request.user, pair=pair):
        raise PermissionDenied
    form = SheetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        sheet, created = sheet_submit(
            pair=pair, file=f, original_name=f.name, uploaded_by=request.user
        )
        if created:
            messages.success(request, _("Lembar diterima dan sedang diproses."))
        else:
            messages.warning(
                request, _("Lembar yang sama sudah pernah diunggah; ini hasil sebelumnya.")
            )
        return redirect("verfak-sheet", pk=sheet.pk)
    sheets = selectors.sheets_visible(user=request.user).filter(pair=pair).order_by("-id")[:20]
    return render(
        request,
        "fieldwork/sheet_upload.html",
        {
            "pair": pair,
            "form": form,
            "sheets": sheets,
            "open_stage": Stage.objects.filter(pair=pair, status=Stage.Status.OPEN).first(),
            # The HASIL codes and the columns only some findings fill, from the findings table.
            "findings": findings.kinds(),
            "finding_columns": [
                (column, findings.codes_text(findings.column_findings(column)))
                for column in findings.finding_columns()
            ],
        },
    )


def _sheet(request, pk: int) -> Sheet:
    return get_object_or_404(
        selectors.sheets_visible(user=request.user).select_related("pair", "uploaded_by"), pk=pk
    )


@login_required
def sheet_detail(request, pk: int):
    sheet = _sheet(request, pk)
    return render(request, "fieldwork/sheet_detail.html", {"sheet": sheet, "pair": sheet.pair})


@login_required
def sheet_progress(request, pk: int):
    """The htmx partial polled while the sheet is applied."""
    return render(request, "fieldwork/_sheet_progress.html", {"sheet": _sheet(request, pk)})
