"""Pages: a pair's minutes (KPU and Bawaslu of the area read and download them; the KPU issues
them) and the public verification of a presented PDF (no account, rate-limited like the
citizens' check, nothing personal shown)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from candidates import selectors as candidates
from documents import selectors
from documents.forms import IssueForm, LookupForm, VerifyForm
from documents.models import Minutes
from documents.render import issuer_title
from documents.services import (
    Meeting,
    code_normalise,
    level_of,
    minutes_download,
    minutes_issue,
    minutes_verify,
)
from electorate.models import Region
from objections.limits import limit_hit, limit_message
from replica.scope import replica_reads


def _issue_form(request, pair, areas: list[str]) -> IssueForm:
    names = dict(Region.objects.filter(code__in=areas).values_list("code", "name"))
    choices = [(code, f"{names.get(code, code)} ({code})") for code in areas]
    return IssueForm(request.POST or None, areas=choices)


@login_required
@require_http_methods(["GET", "POST"])
def pair_page(request, pk: int):
    """The pair's minutes of the user's area; the KPU's form to issue new ones."""
    pair = get_object_or_404(
        candidates.pairs_visible(user=request.user).select_related("election__region"), pk=pk
    )
    if not selectors.may_see_minutes(request.user):
        raise PermissionDenied
    areas = selectors.issue_areas(user=request.user, pair=pair)
    form = _issue_form(request, pair, areas) if areas else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                minutes = minutes_issue(
                    pair=pair,
                    stage=data["stage"],
                    round=data["round"] or 0,
                    area=data["area"],
                    meeting=Meeting(
                        date=data["meeting_date"],
                        place=data["meeting_place"],
                        number=data["number"],
                        present=form.people(),
                    ),
                    by=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Berita acara %(number)s diterbitkan (kode %(code)s).")
                    % {"number": minutes.number, "code": minutes.code},
                )
                return redirect("minutes-pair", pk=pair.pk)
    rows = selectors.minutes_visible(user=request.user, pair=pair).select_related(
        "region", "issued_by"
    )
    return render(
        request,
        "documents/pair.html",
        {"pair": pair, "rows": rows.order_by("-issued_at", "-pk"), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET"])
def download(request, pk: int):
    """The issued PDF, byte for byte; each download is in the audit trail."""
    minutes = get_object_or_404(
        Minutes.objects.filter(pair__in=candidates.pairs_visible(user=request.user)), pk=pk
    )
    if not selectors.may_see_minutes(request.user):
        raise PermissionDenied
    # Minutes of a level above the user's area (the province's, for a kab/kota) are out of
    # reach, as the recap's other branches are.
    minutes = get_object_or_404(
        selectors.minutes_visible(user=request.user).select_related("pdf"), pk=pk
    )
    body = minutes_download(minutes=minutes, by=request.user)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="berita-acara-{minutes.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- public -------------------------------------------------------------------------------------


def _public(minutes: Minutes) -> dict:
    """What the public page shows: the document, never a person (not even the officials')."""
    return {
        "code": minutes.code,
        "kind": minutes.get_stage_display(),
        "round": minutes.figures.get("round_label", ""),
        "pair": minutes.pair.name,
        "election": minutes.pair.election.name,
        "number": minutes.number,
        "meeting_date": minutes.meeting_date,
        "issued_at": minutes.issued_at,
        "level": level_of(minutes),
        "area": minutes.region.name,
        "issuer": "KPU " + issuer_title(minutes.region.name, minutes.region.level),
        "sha256": minutes.sha256,
        # The audit trail's heads printed on the paper (audit.trail.audit_checkpoint): public,
        # so that anyone may hold the trail to them later.
        "audit": minutes.figures.get("audit"),
    }


@never_cache
@require_http_methods(["GET"])
def lookup(request):
    """A code typed from the paper (no QR scanner at hand) -> its verification page."""
    form = LookupForm(request.GET or None)
    if form.is_valid():
        code = code_normalise(form.cleaned_data["code"])
        if code:
            return redirect("minutes-verify", code=code)
        form.add_error("code", _("Kode verifikasi terdiri dari 12 huruf dan angka."))
    return render(request, "documents/lookup.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@replica_reads  # anonymous and read-only: the limiter counts in Redis
def verify(request, code: str):
    """Is the presented PDF the one issued under this code? Answered by SHA-256, with the
    document's kind, pair, election, date, level and SHA-256: nothing personal."""
    normal = code_normalise(code)
    minutes = (
        Minutes.objects.select_related("pair__election", "region").filter(code=normal).first()
        if normal
        else None
    )
    if minutes is None:
        return render(request, "documents/verify.html", {"unknown": True}, status=404)
    if normal != code:
        return redirect("minutes-verify", code=normal)
    context = {"doc": _public(minutes), "form": VerifyForm()}
    if request.method == "POST":
        limit = limit_hit(request, group="minutes", per_client=settings.CHECK_RATE_PER_CLIENT)
        if limit is not None:
            context["limited"] = limit_message(limit)
            response = render(request, "documents/verify.html", context, status=429)
            response["Retry-After"] = str(limit.retry_after)
            return response
        form = VerifyForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, "documents/verify.html", context, status=400)
        verdict = minutes_verify(minutes=minutes, file=form.cleaned_data["file"])
        context["verdict"] = verdict
    return render(request, "documents/verify.html", context)
