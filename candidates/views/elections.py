"""Pages for elections, their submission windows, pairs, teams and supporters.

Every object is looked up inside what the user may see (candidates.selectors): outside it is a
404, so that the page does not even confirm that the object exists. Seeing an object but not
being allowed to act on it is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates import selectors
from candidates.elections import election_threshold
from candidates.forms import (
    ElectionForm,
    PairForm,
    SupporterFilterForm,
    TeamMemberForm,
    WindowForm,
)
from candidates.models import Round
from candidates.paging import ListPaginator
from candidates.services import (
    election_create,
    names_read_log,
    pair_create,
    team_member_create,
    window_set,
)
from candidates.standing import standing_read
from staff.access import (
    commission_required,
    may,
    may_see_names,
    q_within,
    user_area,
)
from staff.capabilities import Capability

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
        {"elections": elections, "is_commission": may(request.user, Capability.RUN_ELECTIONS)},
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
