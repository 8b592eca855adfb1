"""Pages: the citizen's check, objection and follow-up (public, no account), and the KPU's and
Bawaslu's handling of objections (area-scoped).

Public pages: rate-limited per client network and globally (objections.limits; 429 with the
reason in Indonesian), never cached, the NIK, birth date and name marked sensitive (left out of
any error report) and never put in a URL. Every answer of the check leaves no earlier than
CHECK_RESPONSE_FLOOR_MS after the request came in (lookup.py says why). A lookup over one of
the check's caps is looked up all the same and answered "not listed": the cap is no oracle.
The staff desk that files an objection by NIK follows the same rules, per user.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from audit.trail import audit_record
from candidates import selectors as candidates
from electorate.models import Region
from electorate.params import id_param
from files.uploads import upload_bound
from files.vault import vault_open
from objections import selectors
from objections.forms import (
    CheckForm,
    ClarifyForm,
    DecideForm,
    ObjectionForm,
    StaffObjectionForm,
    TrackForm,
)
from objections.limits import (
    Limit,
    check_gate,
    desk_gate,
    floor_wait,
    limit_hit,
    limit_message,
    objection_limit_hit,
)
from objections.lookup import supports_find, token_make, token_read
from objections.models import Objection
from objections.redflags import misuse_shares
from objections.services import (
    TokenRefused,
    contact_masked,
    objection_clarify,
    objection_contact,
    objection_decide,
    objection_file,
    objection_note,
    objection_status,
    objection_submit,
)
from objections.statements import CONTENT_TYPES, statement_kind
from objections.tasks import check_counts_flush_soon
from replica.scope import replica_reads
from staff.access import is_supervisor
from staff.clients import client_network

PAGE_SIZE = 50


def _limited(request, limit: Limit, template: str, context: dict):
    response = render(request, template, {**context, "limited": limit_message(limit)}, status=429)
    response["Retry-After"] = str(limit.retry_after)
    return response


# --- public: the check ------------------------------------------------------------------------


@never_cache
@sensitive_variables("form")
@sensitive_post_parameters("nik", "birth_date", "name")
@require_http_methods(["GET", "POST"])
def check_page(request):
    """Type the NIK, name and birth date; learn which pairs list it, and at which stage."""
    started = time.perf_counter()
    if request.method != "POST":
        return render(request, "objections/check.html", {"form": CheckForm()})
    form = CheckForm(request.POST)
    valid = form.is_valid()
    gate = check_gate(request, nik=form.cleaned_data["nik"] if valid else None, channel="web")
    if gate.flush:
        check_counts_flush_soon()
    if gate.limit is not None:
        return _limited(request, gate.limit, "objections/check.html", {"form": CheckForm()})
    if not valid:
        return render(request, "objections/check.html", {"form": form}, status=400)
    with replica_reads:  # after the gate's writes (Redis): the lookup only reads
        supports = supports_find(
            nik=form.cleaned_data["nik"],
            birth_date=form.cleaned_data["birth_date"],
            name=form.cleaned_data["name"],
        )
    if gate.withheld:  # looked up all the same: a capped answer takes a real one's time
        supports = []
    rows = [
        {
            "support": s,
            "token": token_make(s, client=client_network(request)),  # files once, from here
            "form": ObjectionForm(prefix=f"p{s.pair_id}"),
        }
        for s in supports
    ]
    response = render(
        request,
        "objections/check.html",
        {"form": CheckForm(), "checked": True, "rows": rows},
    )
    floor_wait(started)
    return response


@never_cache
@sensitive_post_parameters("contact", "note")
@require_http_methods(["GET", "POST"])
def objection_new(request):
    """The objection from a positive check: the token names the supporter rows."""
    token = request.POST.get("token", "")
    found = token_read(token, client=client_network(request)) if token else None
    if found is None:
        messages.error(
            request, _("Sesi pengecekan sudah berakhir. Cek NIK Anda sekali lagi, lalu ajukan.")
        )
        return redirect("check")
    pair_id, _rows = found
    prefix = f"p{pair_id}"
    form = ObjectionForm(request.POST, request.FILES, prefix=prefix)
    context = {"form": form, "token": token, "pair_id": pair_id}
    limit = objection_limit_hit(request)
    if limit is not None:
        return _limited(request, limit, "objections/objection_form.html", context)
    if form.is_valid():
        statement = form.cleaned_data.get("statement")
        try:
            objection = objection_submit(
                token=token,
                client=client_network(request),
                kind=form.cleaned_data["kind"],
                contact=form.cleaned_data["contact"],
                note=form.cleaned_data["note"],
                statement_file=statement,
                statement_size=statement.size if statement else 0,
            )
        except TokenRefused as exc:  # spent by an objection filed with it: check again
            messages.error(request, exc.messages[0])
            return redirect("check")
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return render(request, "objections/objection_done.html", {"objection": objection})
    return render(request, "objections/objection_form.html", context, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def track_page(request):
    """A reference code in, the objection's status out (nothing else)."""
    if request.method != "POST":
        return render(request, "objections/track.html", {"form": TrackForm()})
    form = TrackForm(request.POST)
    limit = limit_hit(request, group="track", per_client=settings.CHECK_RATE_PER_CLIENT)
    if limit is not None:
        return _limited(request, limit, "objections/track.html", {"form": form})
    objection = None
    if form.is_valid():
        objection = objection_status(reference=form.cleaned_data["reference"])
        if objection is None:
            form.add_error("reference", _("Kode tanggapan tidak ditemukan. Periksa kembali."))
    return render(
        request,
        "objections/track.html",
        {"form": form, "objection": objection},
        status=200 if objection else 400,
    )


# --- KPU and Bawaslu --------------------------------------------------------------------------


def _see_required(user) -> None:
    if not selectors.may_see_objections(user):
        raise PermissionDenied


def _region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


@login_required
def objection_list(request):
    _see_required(request.user)
    visible = selectors.objections_visible(user=request.user)
    status = request.GET.get("status", "terbuka")
    pair_id = id_param(request.GET.get("paslon"))  # not an id: every pair
    rows = selectors.objections_filter(
        visible.select_related("pair", "election"), status=status, pair_id=pair_id
    ).order_by("filed_at", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _region_names(o.region_code for o in page)
    for objection in page:
        objection.region_name = names.get(objection.region_code, "")
    counts = selectors.status_counts(visible)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "objections/list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "status": status,
            "open": sum(counts[s] for s in Objection.OPEN_STATUSES),
            "tabs": [(value, label, counts[value]) for value, label in Objection.Status.choices],
            "may_file": selectors.may_file(request.user),
        },
    )


@login_required
@sensitive_post_parameters("nik", "name", "contact", "note")
@require_http_methods(["GET", "POST"])
def objection_file_page(request):
    """Bawaslu files its own objection; a KPU desk files one it received. The NIK is looked up
    with the name, under the desk's limits and caps (objections.limits.desk_gate): "not a
    supporter", "another name" and a capped lookup are one answer, so the desk is no oracle."""
    if not selectors.may_file(request.user):
        raise PermissionDenied
    pairs = list(selectors.filing_pairs(user=request.user))
    form = StaffObjectionForm(request.POST or None, request.FILES or None, pairs=pairs)
    if request.method != "POST":
        return render(request, "objections/file.html", {"form": form})
    started = time.perf_counter()
    valid = form.is_valid()
    gate = desk_gate(request, nik=form.cleaned_data["nik"] if valid else None)
    if gate.flush:
        check_counts_flush_soon()
    if gate.limit is not None:
        return _limited(request, gate.limit, "objections/file.html", {"form": form})
    if valid:
        pair = next(p for p in pairs if p.pk == form.cleaned_data["pair"])
        statement = form.cleaned_data.get("statement")
        source = Objection.Source.BAWASLU if is_supervisor(request.user) else Objection.Source.DESK
        try:
            objection = objection_file(
                pair=pair,
                nik=form.cleaned_data["nik"],
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                by=request.user,
                source=source,
                contact=form.cleaned_data["contact"],
                note=form.cleaned_data["note"],
                statement_file=statement,
                statement_size=statement.size if statement else 0,
                withheld=gate.withheld,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("Tanggapan %(ref)s dicatat.") % {"ref": objection.reference}
            )
            return redirect("objection-detail", pk=objection.pk)
    response = render(request, "objections/file.html", {"form": form}, status=400)
    floor_wait(started)
    return response


def _objection(request, pk: int) -> Objection:
    objection = get_object_or_404(
        selectors.objections_in_reach(user=request.user).select_related(
            "pair__election", "supporter", "filed_by", "decided_by", "statement"
        ),
        pk=pk,
    )
    _see_required(request.user)
    return objection


@login_required
@sensitive_post_parameters("note", "reason")
@require_http_methods(["GET", "POST"])
def objection_detail(request, pk: int):
    """The objection, its steps, and (for the KPU handling it) clarify and decide."""
    objection = _objection(request, pk)
    may_handle = objection.is_open and selectors.may_handle(user=request.user, objection=objection)
    clarify = ClarifyForm(prefix="k")
    decide = DecideForm(prefix="d")
    if request.method == "POST":
        if not may_handle:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "clarify":
            clarify = ClarifyForm(request.POST, prefix="k")
            if _act(request, clarify, lambda d: objection_clarify(
                objection=objection, by=request.user, method=d["method"],
                happened_at=d["happened_at"], note=d["note"],
            )):  # fmt: skip
                messages.success(request, _("Klarifikasi dicatat."))
                return redirect("objection-detail", pk=objection.pk)
        elif action == "decide":
            decide = DecideForm(request.POST, prefix="d")
            if _act(request, decide, lambda d: objection_decide(
                objection=objection, by=request.user, confirmed=d["confirmed"],
                reason=d["reason"],
            )):  # fmt: skip
                messages.success(request, _("Keputusan atas tanggapan dicatat."))
                return redirect("objection-detail", pk=objection.pk)
        else:
            raise PermissionDenied
    contact = objection_contact(objection)
    handles = selectors.may_handle(user=request.user, objection=objection)
    names = _region_names([objection.region_code])
    return render(
        request,
        "objections/detail.html",
        {
            "objection": objection,
            "pair": objection.pair,
            "steps": objection.steps.select_related("by"),
            "contact": contact if handles else contact_masked(contact),
            "note": objection_note(objection),
            "region_name": names.get(objection.region_code, ""),
            "may_handle": may_handle,
            "clarify": clarify,
            "decide": decide if objection.status == Objection.Status.CLARIFIED else None,
        },
    )


def _act(request, form, action) -> bool:
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return False
    return True


@login_required
@require_http_methods(["GET"])
def statement_download(request, pk: int):
    """The statement file, decrypted for KPU and Bawaslu of the area; each reading is kept."""
    objection = _objection(request, pk)
    statement = objection.statement
    if statement is None:
        raise Http404
    # A few MB at most (OBJECTION_STATEMENT_MAX_BYTES): read whole, decrypted as it is read.
    with vault_open(statement.file.name, bound=upload_bound(statement)) as fh:
        body = fh.read()
    kind = statement_kind(body[:16]) or "pdf"
    audit_record(
        "objection.statement_read",
        actor=request.user,
        area=objection.region_code,
        target=objection,
        data={"sha256": statement.sha256},
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    # Never shown inside the browser: whatever a file holds, the official's own reader opens
    # a download, and the type is not guessed from the content.
    response["Content-Disposition"] = f'attachment; filename="{statement.original_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def pair_page(request, pk: int):
    """A pair's objections in the user's area and the share of confirmed misuse per area."""
    pair = get_object_or_404(
        candidates.pairs_visible(user=request.user).select_related("election"), pk=pk
    )
    _see_required(request.user)
    visible = selectors.objections_visible(user=request.user).filter(pair=pair)
    shares = misuse_shares(pair=pair)
    names = _region_names([s["region"] for s in shares])
    for share in shares:
        share["name"] = names.get(share["region"], "")
        share["share_pct"] = 100 * share["share"]
        share["limit_pct"] = 100 * share["limit"]
    return render(
        request,
        "objections/pair.html",
        {
            "pair": pair,
            "counts": selectors.status_counts(visible),
            "recent": visible.order_by("-filed_at", "-pk")[:20],
            "shares": shares,
            "open_in_election": selectors.open_objections_of_election(
                election_id=pair.election_id
            ).count(),
        },
    )
