"""Pages for elections, pairs, teams, support uploads and supporters.

Every object is looked up inside what the user may see (candidates.selectors): outside it is a
404, so that the page does not even confirm that the object exists. Seeing an object but not
being allowed to act on it is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates import selectors
from candidates.forms import (
    ElectionForm,
    PairForm,
    RollUploadForm,
    SummaryUploadForm,
    SupporterFilterForm,
    SupportUploadForm,
    TeamMemberForm,
    WindowForm,
)
from candidates.guide import guide_columns
from candidates.intake import REQUIRED as SUPPORT_COLUMNS
from candidates.models import Round, SupportUpload
from candidates.paging import ListPaginator
from candidates.services import (
    election_create,
    election_roll_submit,
    election_threshold,
    names_read_log,
    pair_create,
    support_upload_submit,
    team_member_create,
    window_set,
)
from candidates.standing import standing_read
from candidates.submission import check_latest, check_message, submission_check_run, upload_check
from candidates.summary import summary_latest, summary_submit
from electorate.models import RollImport
from electorate.roll_import import REQUIRED as ROLL_COLUMNS
from electorate.services import roll_import_undo
from staff.access import (
    commission_required,
    is_commission,
    may_see_names,
    q_within,
    roll_imports_visible,
    user_area,
)

PAGE_SIZE = 50


def _managed(user, election) -> bool:
    return selectors.manages_election(user=user, election=election)


@login_required
def election_list(request):
    elections = (
        selectors.elections_visible(user=request.user)
        .select_related("region")
        .annotate(pair_count=Count("pairs"))
        .order_by("-voting_day", "name")
    )
    return render(
        request,
        "candidates/election_list.html",
        {"elections": elections, "is_commission": is_commission(request.user)},
    )


@login_required
def election_detail(request, pk: int):
    election = get_object_or_404(
        selectors.elections_visible(user=request.user).select_related("region", "roll"), pk=pk
    )
    pairs = selectors.pairs_visible(user=request.user).filter(election=election).order_by("name")
    return render(
        request,
        "candidates/election_detail.html",
        {
            "window_rows": _window_rows(election),
            "election": election,
            "threshold": election_threshold(election),
            "pairs": pairs,
            "can_manage": _managed(request.user, election),
        },
    )


def _window_rows(election) -> list[tuple]:
    windows = {w.round: w for w in election.windows.all()}
    return [(value, label, windows.get(value)) for value, label in Round.choices]


@login_required
@require_http_methods(["GET", "POST"])
def window_set_view(request, pk: int, round: int):
    """The KPU running the election sets a round's submission window."""
    election = get_object_or_404(selectors.elections_visible(user=request.user), pk=pk)
    if not _managed(request.user, election) or round not in Round.values:
        raise PermissionDenied
    window = election.windows.filter(round=round).first()
    initial = {"opens": window.opens, "closes": window.closes} if window else {}
    form = WindowForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            window_set(
                election=election,
                round=round,
                opens=form.cleaned_data["opens"],
                closes=form.cleaned_data["closes"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Masa penyerahan disimpan."))
            return redirect("election-detail", pk=election.pk)
    return render(
        request,
        "candidates/window_form.html",
        {"form": form, "election": election, "round_label": Round(round).label},
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_create_view(request):
    commission_required(request.user)
    form = ElectionForm(request.POST or None, area=user_area(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            election = election_create(
                slug=data["slug"],
                region_code=data["region"].code,
                level=data["level"],
                dpt=data["dpt"],
                voting_day=data["voting_day"],
                name=data["name"],
                rule_set=data["rule_set"],
                submission_start=data["submission_start"],
                submission_end=data["submission_end"],
                submission_check=data["submission_check"],
                registry_confirmation=data["registry_confirmation"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Pemilihan dibuat."))
            return redirect("election-detail", pk=election.pk)
    return render(request, "candidates/election_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def pair_create_view(request, pk: int):
    election = get_object_or_404(selectors.elections_visible(user=request.user), pk=pk)
    if not _managed(request.user, election):
        raise PermissionDenied
    form = PairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pair = pair_create(election=election, name=form.cleaned_data["name"], by=request.user)
        messages.success(request, _("Bakal pasangan calon didaftarkan."))
        return redirect("pair-detail", pk=pair.pk)
    return render(request, "candidates/pair_form.html", {"form": form, "election": election})


@login_required
def pair_detail(request, pk: int):
    """The pair as registered: threshold, uploads, team accounts. The stages that follow
    (verification, field work, decision) are reached through the pair's tabs (portal)."""
    pair = get_object_or_404(
        selectors.pairs_visible(user=request.user).select_related("election__region"), pk=pk
    )
    can_manage = _managed(request.user, pair.election)
    uploads = selectors.uploads_visible(user=request.user).filter(pair=pair).order_by("-id")[:20]
    members = pair.team.select_related("user").order_by("user__username") if can_manage else []
    return render(
        request,
        "candidates/pair_detail.html",
        {
            "pair": pair,
            "can_manage": can_manage,
            "may_upload": selectors.may_upload(user=request.user, pair=pair),
            "can_see_supporters": may_see_names(request.user),
            "uploads": uploads,
            "members": members,
            "threshold": election_threshold(pair.election),
            # The pair-wide standing for those whose figures are the whole list (the team, the
            # KPU running the election, staff above it): others read their area's figures.
            "standing": (
                standing_read(pair=pair)
                if selectors.sees_whole_list(user=request.user, pair=pair)
                else None
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_member_create_view(request, pk: int):
    pair = get_object_or_404(selectors.pairs_visible(user=request.user), pk=pk)
    if not _managed(request.user, pair.election):
        raise PermissionDenied
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team_member_create(
            pair=pair,
            username=data["username"],
            password=data["password"],
            email=data["email"],
            by=request.user,
        )
        messages.success(request, _("Akun tim %(name)s dibuat.") % {"name": data["username"]})
        return redirect("pair-detail", pk=pair.pk)
    return render(request, "candidates/team_member_form.html", {"form": form, "pair": pair})


@login_required
def supporter_list(request, pk: int):
    pair = get_object_or_404(selectors.pairs_visible(user=request.user), pk=pk)
    if not may_see_names(request.user):
        raise PermissionDenied
    form = SupporterFilterForm(
        request.GET or None, areas=selectors.area_choices(user=request.user, pair=pair)
    )
    supporters = selectors.supporters_visible(user=request.user, pair=pair)
    filters = form.cleaned_data if form.is_valid() else {}
    if form.is_valid():
        if form.cleaned_data["round"] is not None:
            supporters = supporters.filter(round=form.cleaned_data["round"])
        if form.cleaned_data["kelurahan"]:
            supporters = supporters.filter(
                q_within("kelurahan__code", form.cleaned_data["kelurahan"])
            )
        supporters = selectors.supporters_search(supporters, form.cleaned_data["q"])
    # Upload order, off the list's index (supporter_pair_order): see candidates/paging.py.
    supporters = supporters.select_related("kelurahan").order_by("round", "upload_id", "row_number")
    known = None  # the whole list: counted by its uploads, not by a COUNT(*) over 840k rows
    whole = not filters.get("kelurahan") and not filters.get("q")
    if whole and selectors.sees_whole_list(user=request.user, pair=pair):
        known = selectors.supporters_loaded(pair=pair, round=filters.get("round"))
    page = ListPaginator(supporters, PAGE_SIZE, count=known).get_page(request.GET.get("page"))
    names_read_log(
        user=request.user, pair=pair, what="supporter-list", rows=len(page), page=page.number
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "candidates/supporter_list.html",
        {"pair": pair, "form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload_create(request, pk: int):
    pair = get_object_or_404(
        selectors.pairs_visible(user=request.user).select_related("election"), pk=pk
    )
    if not selectors.may_upload(user=request.user, pair=pair):
        raise PermissionDenied
    # The same page takes the team's B.2-KWK and the KPU's count-and-spread check.
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "b2":
        return _summary_upload(request, pair)
    if action == "check":
        return _submission_check(request, pair)
    form = SupportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            upload, created = support_upload_submit(
                pair=pair,
                round=form.cleaned_data["round"],
                file=f,
                original_name=f.name,
                uploaded_by=request.user,
            )
        except ValidationError as exc:  # outside the round's submission window
            form.add_error(None, exc)
        else:
            _upload_message(request, upload, created)
            return redirect("upload-detail", pk=upload.pk)
    uploads = selectors.uploads_visible(user=request.user).filter(pair=pair).order_by("-id")[:20]
    return render(
        request,
        "candidates/upload_form.html",
        {
            "form": form,
            "pair": pair,
            "uploads": uploads,
            "windows": pair.election.windows.all(),
            **_check_context(request, pair),
        },
    )


def _check_context(request, pair) -> dict:
    """The count-and-spread check in force and the team's B.2-KWK, for the upload page."""
    check = check_latest(pair=pair, round=Round.INITIAL)
    return {
        "check": check,
        "check_message": check_message(check) if check else "",
        "summary": summary_latest(pair=pair),
        "summary_form": SummaryUploadForm(),
        "may_check": selectors.manages_pair(user=request.user, pair=pair),
    }


def _summary_upload(request, pair):
    """The team (or the KPU on its behalf) hands in its form B.2-KWK for the initial list."""
    if pair.decided_at:
        raise PermissionDenied
    form = SummaryUploadForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["summary"]
        try:
            summary = summary_submit(pair=pair, file=f, original_name=f.name, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if summary.status != summary.Status.DONE:
                messages.error(request, summary.failure)
            else:
                messages.success(
                    request,
                    _("Formulir B.2-KWK diterima: %(ok)s wilayah, %(bad)s baris ditolak.")
                    % {"ok": summary.accepted, "bad": summary.rejected},
                )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("upload-create", pk=pair.pk)


def _submission_check(request, pair):
    """The KPU running the election checks the initial list's count and spread now."""
    if not selectors.manages_pair(user=request.user, pair=pair):
        raise PermissionDenied
    try:
        check = submission_check_run(pair=pair, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        level = messages.success if check.status == check.Status.MEMENUHI else messages.warning
        level(request, check_message(check))
    return redirect("upload-create", pk=pair.pk)


def _upload_message(request, upload: SupportUpload, created: bool) -> None:
    """What the banner says after sending a file. Without a broker the file has been read by
    now: the banner then says how it went, never "received" beside a failed file; the page
    below it shows the details, and keeps following a file still being read."""
    sent_back = upload.status != upload.Status.PENDING  # as returned: nothing to read again
    upload.refresh_from_db()
    if sent_back and upload.status == upload.Status.DONE:
        messages.warning(
            request, _("Berkas yang sama sudah pernah diunggah; ini hasil unggahan sebelumnya.")
        )
    elif upload.status == upload.Status.FAILED:
        messages.error(request, _("Berkas tidak dapat diproses: lihat sebabnya di bawah."))
    elif upload.status == upload.Status.DONE:
        messages.success(
            request,
            _("Berkas selesai diproses: %(ok)s baris diterima, %(bad)s ditolak.")
            % {"ok": _thousands(upload.accepted), "bad": _thousands(upload.rejected)},
        )
    elif created:
        messages.info(request, _("Berkas diterima dan sedang diproses."))
    else:
        messages.info(request, _("Berkas yang sama sudah pernah diunggah; kini diproses ulang."))


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _upload(request, pk: int) -> SupportUpload:
    return get_object_or_404(
        selectors.uploads_visible(user=request.user).select_related("pair", "uploaded_by"), pk=pk
    )


def _upload_context(upload: SupportUpload) -> dict:
    """The upload and, for a repair round, its check against the repair the pair owes."""
    check = upload_check(upload) if upload.round != Round.INITIAL else None
    return {
        "upload": upload,
        "repair_check": check,
        "repair_message": check_message(check) if check else "",
    }


@login_required
def upload_detail(request, pk: int):
    return render(request, "candidates/upload_detail.html", _upload_context(_upload(request, pk)))


@login_required
def upload_guide(request):
    """How to fill the support list: its columns, what goes in them, the headers accepted."""
    return render(
        request,
        "candidates/guide.html",
        {
            "title": _("Panduan pengisian daftar dukungan"),
            "columns": guide_columns(SUPPORT_COLUMNS),
            "example": "contoh/daftar-dukungan.csv",
            "kind": "support",
        },
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
def upload_progress(request, pk: int):
    """The htmx partial polled while the file is read; it stops polling once finished."""
    return render(
        request, "candidates/_upload_progress.html", _upload_context(_upload(request, pk))
    )


@login_required
@require_http_methods(["GET", "POST"])
def roll_upload(request, pk: int):
    """KPU uploads the voter roll of an election it runs; progress follows on the import page."""
    election = get_object_or_404(
        selectors.elections_visible(user=request.user).select_related("roll"), pk=pk
    )
    if not _managed(request.user, election):
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
                % {"n": _thousands(deleted)},
            )
        return redirect("roll-import-detail", pk=imp.pk)
    return render(request, "candidates/roll_import_undo.html", {"imp": imp})


@login_required
def roll_import_progress(request, pk: int):
    """The htmx partial polled while the roll file is read."""
    return render(
        request, "candidates/_roll_import_progress.html", {"imp": _roll_import(request, pk)}
    )


@login_required
@require_http_methods(["GET"])
def support_template(request, pk: int):
    """The XLSX template of one kelurahan of the pair's election (?kelurahan=CODE), for the
    team and the KPU running it; without a kelurahan of the election, the page to choose one."""
    import io

    from django.http import HttpResponse

    from candidates.template import support_template_xlsx, template_name
    from electorate.models import Region
    from electorate.parsing import kelurahan_code_normalize

    pair = get_object_or_404(
        selectors.pairs_visible(user=request.user).select_related("election"), pk=pk
    )
    if not selectors.may_upload(user=request.user, pair=pair):
        raise PermissionDenied
    villages = Region.objects.filter(
        q_within("code", pair.election.region_id), level=Region.Level.KELURAHAN
    )
    code = kelurahan_code_normalize(request.GET.get("kelurahan", ""))
    kelurahan = villages.filter(code=code).select_related("parent__parent").first()
    if kelurahan is None:
        return render(
            request,
            "candidates/support_template.html",
            {"pair": pair, "choices": villages.order_by("code").values_list("code", "name")},
            status=400 if request.GET.get("kelurahan") else 200,
        )
    body = io.BytesIO()
    support_template_xlsx(pair=pair, kelurahan=kelurahan, out=body)
    response = HttpResponse(
        body.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{template_name(kelurahan)}"'
    return response
