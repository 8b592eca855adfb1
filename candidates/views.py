"""Pages for elections, pairs, teams, support uploads and supporters.

Every object is looked up inside what the user may see (candidates.selectors): outside it is a
404, so that the page does not even confirm that the object exists. Seeing an object but not
being allowed to act on it is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates import selectors
from candidates.forms import (
    ElectionForm,
    PairForm,
    SupporterFilterForm,
    SupportUploadForm,
    TeamMemberForm,
)
from candidates.models import Election, Pair, Round, SupportUpload
from candidates.services import (
    election_create,
    election_roll_ensure,
    election_threshold,
    pair_create,
    team_member_create,
)
from electorate.access import (
    commission_required,
    is_commission,
    is_supervisor,
    is_team,
    q_within,
    user_area,
    user_pair_id,
    user_role,
)

PAGE_SIZE = 50


def _managed(user, election: Election) -> bool:
    return selectors.elections_managed(user=user).filter(pk=election.pk).exists()


def _pair_links(user) -> dict:
    """Which of a pair's pages this user may open, so that no link on a page ends in a 403
    (mirrors verification.views and supporter_list)."""
    return {
        "may_recap": is_commission(user) or is_supervisor(user) or is_team(user),
        "may_names": not is_supervisor(user),
    }


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
            "election": election,
            "threshold": election_threshold(election),
            "pairs": pairs,
            "can_manage": _managed(request.user, election),
            **_pair_links(request.user),
        },
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
        pair = pair_create(election=election, name=form.cleaned_data["name"])
        messages.success(request, _("Bakal pasangan calon didaftarkan."))
        return redirect("pair-detail", pk=pair.pk)
    return render(request, "candidates/pair_form.html", {"form": form, "election": election})


@login_required
def pair_detail(request, pk: int):
    pair = get_object_or_404(
        selectors.pairs_visible(user=request.user).select_related("election__region"), pk=pk
    )
    can_manage = _managed(request.user, pair.election)
    uploads = selectors.uploads_visible(user=request.user).filter(pair=pair).order_by("-id")[:20]
    members = pair.team.select_related("user").order_by("user__username") if can_manage else []
    # Imported here: the verification app sits on top of this one.
    from verification.selectors import latest_run

    run = latest_run(pair=pair)
    return render(
        request,
        "candidates/pair_detail.html",
        {
            "pair": pair,
            "can_manage": can_manage,
            "is_own_team": user_pair_id(request.user) == pair.pk,
            "can_see_supporters": not is_supervisor(request.user),
            "uploads": uploads,
            "members": members,
            "run": run,
            "round_label": Round(run.round).label if run else "",
            "threshold": election_threshold(pair.election),
            **_pair_links(request.user),
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
            pair=pair, username=data["username"], password=data["password"], email=data["email"]
        )
        messages.success(request, _("Akun tim %(name)s dibuat.") % {"name": data["username"]})
        return redirect("pair-detail", pk=pair.pk)
    return render(request, "candidates/team_member_form.html", {"form": form, "pair": pair})


@login_required
def supporter_list(request, pk: int):
    pair = get_object_or_404(selectors.pairs_visible(user=request.user), pk=pk)
    if is_supervisor(request.user):
        # Bawaslu supervises through the recap; names are not published one by one.
        raise PermissionDenied
    form = SupporterFilterForm(request.GET or None)
    supporters = selectors.supporters_visible(user=request.user, pair=pair)
    if form.is_valid():
        if form.cleaned_data["round"] is not None:
            supporters = supporters.filter(round=form.cleaned_data["round"])
        if form.cleaned_data["kelurahan"]:
            supporters = supporters.filter(
                q_within("kelurahan__code", form.cleaned_data["kelurahan"])
            )
    supporters = supporters.select_related("kelurahan").order_by("id")
    page = Paginator(supporters, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "candidates/supporter_list.html",
        {"pair": pair, "form": form, "page": page, "query": query.urlencode()},
    )


def _may_upload(user, pair: Pair) -> bool:
    return user_pair_id(user) == pair.pk or _managed(user, pair.election)


@login_required
@require_http_methods(["GET", "POST"])
def upload_create(request, pk: int):
    pair = get_object_or_404(
        selectors.pairs_visible(user=request.user).select_related("election"), pk=pk
    )
    if not _may_upload(request.user, pair):
        raise PermissionDenied
    form = SupportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # Imported here: the intake module is heavy and only this path needs it.
        from candidates.intake import support_upload_create
        from candidates.tasks import support_upload_task

        f = form.cleaned_data["file"]
        with transaction.atomic():
            upload, created = support_upload_create(
                pair=pair,
                round=form.cleaned_data["round"],
                file=f,
                original_name=f.name,
                uploaded_by=request.user,
            )
            # New, or a failed/dead upload of the same file put back to pending: run it.
            if upload.status == upload.Status.PENDING:
                transaction.on_commit(lambda: support_upload_task.delay(upload.pk))
        if created:
            messages.success(request, _("Berkas diterima dan sedang diproses."))
        elif upload.status == upload.Status.PENDING:
            messages.success(
                request, _("Berkas yang sama sudah pernah diunggah; kini diproses ulang.")
            )
        else:
            messages.warning(
                request,
                _("Berkas yang sama sudah pernah diunggah; ini hasil unggahan sebelumnya."),
            )
        return redirect("upload-detail", pk=upload.pk)
    uploads = selectors.uploads_visible(user=request.user).filter(pair=pair).order_by("-id")[:20]
    return render(
        request, "candidates/upload_form.html", {"form": form, "pair": pair, "uploads": uploads}
    )


def _upload(request, pk: int) -> SupportUpload:
    return get_object_or_404(
        selectors.uploads_visible(user=request.user).select_related("pair", "uploaded_by"), pk=pk
    )


@login_required
def upload_detail(request, pk: int):
    return render(request, "candidates/upload_detail.html", {"upload": _upload(request, pk)})


@login_required
def upload_progress(request, pk: int):
    """The htmx partial polled while the file is read; it stops polling once finished."""
    return render(request, "candidates/_upload_progress.html", {"upload": _upload(request, pk)})


@login_required
def home(request):
    """One dashboard; what it lists depends on the role (the selectors decide)."""
    user = request.user
    team_pair = selectors.pair_for_team(user=user)
    elections = (
        selectors.elections_visible(user=user)
        .select_related("region")
        .annotate(pair_count=Count("pairs"))
        .order_by("-voting_day", "name")[:20]
    )
    pairs = selectors.pairs_visible(user=user).select_related("election").order_by("name")[:50]
    return render(
        request,
        "home.html",
        {
            "team_pair": team_pair,
            "elections": elections,
            "pairs": pairs,
            "role": user_role(user),
            "area": user_area(user),
            "is_commission": is_commission(user),
            **_pair_links(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def roll_upload(request, pk: int):
    """KPU uploads the voter roll of an election it runs; progress follows on the import page."""
    from electorate.forms import RollUploadForm
    from electorate.models import RollImport

    election = get_object_or_404(
        selectors.elections_visible(user=request.user).select_related("roll"), pk=pk
    )
    if not _managed(request.user, election):
        raise PermissionDenied
    form = RollUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from electorate.roll_import import roll_import_create
        from electorate.tasks import roll_import_task

        f = form.cleaned_data["file"]
        roll = election_roll_ensure(election=election)
        with transaction.atomic():
            imp, created = roll_import_create(
                roll=roll, file=f, original_name=f.name, uploaded_by=request.user
            )
            # New, or a failed/dead import of the same file put back to pending: run it.
            if imp.status == imp.Status.PENDING:
                transaction.on_commit(lambda: roll_import_task.delay(imp.pk))
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
        {"form": form, "election": election, "imports": imports},
    )
