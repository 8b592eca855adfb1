"""Pages for administrative verification: start a run, follow it, the recap, a team's results."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates import selectors as candidates
from candidates.check_text import check_message
from candidates.models import Pair, Round
from candidates.paging import ListPaginator
from candidates.services import names_read_log
from candidates.submission import check_latest
from electorate.areas import KABKOTA, code_depth, rows_collapsed
from electorate.models import Region
from replica.scope import replica_reads
from staff.access import (
    code_within,
    may_see_names,
    may_see_recap,
    may_see_red_flags,
)
from verification import selectors
from verification.charts import recap_charts
from verification.placement import SUPERSEDED
from verification.rules import REASON_LABELS, reason_labels
from verification.services import verification_start

log = logging.getLogger(__name__)
PAGE_SIZE = 50


def recap_rows(by_region: dict) -> list[dict]:
    """The recap tree flattened for a table: kab/kota, its kecamatan, their kelurahan."""
    rows = []
    for kab, kab_entry in by_region.items():
        rows.append({"level": 1, "code": kab, **kab_entry})
        for kec, kec_entry in (kab_entry.get("kecamatan") or {}).items():
            rows.append({"level": 2, "code": kec, **kec_entry})
            for kel, kel_entry in (kec_entry.get("kelurahan") or {}).items():
                rows.append({"level": 3, "code": kel, **kel_entry})
    return rows


def recap_rows_focused(rows: list[dict], focus: str) -> tuple[list[dict], bool]:
    """A province-wide recap has hundreds of kelurahan: show the kab/kota, and below them only
    the branch the user opened. Small recaps (a PPK's, a kab/kota's) are shown whole."""
    return rows_collapsed(rows, focus, shown_depth=KABKOTA)


def flags_for_display(flags: list[dict]) -> list[dict]:
    """Percentages as numbers, so that the page formats them the Indonesian way (61,6%), and
    the level of the area a flag names (Gambir is a kecamatan and a kelurahan)."""
    for flag in flags:
        if flag.get("kind") == "share":
            flag["share_pct"] = 100 * flag["share"]
            flag["limit_pct"] = 100 * flag["limit"]
        if flag.get("region"):
            level = code_depth(flag["region"])
            flag["region_level"] = Region.Level(level).label if level in Region.Level else ""
    return flags


def _pair(request, pk: int) -> Pair:
    return get_object_or_404(
        candidates.pairs_visible(user=request.user).select_related("election__region"), pk=pk
    )


def _run_context(pair: Pair) -> dict:
    run = selectors.latest_run(pair=pair)
    return {
        "run": run,
        "round_label": Round(run.round).label if run else "",
        "run_number": selectors.run_number(run) if run else 0,
    }


def _round(request) -> int | None:
    return selectors.round_param(request.GET.get("round") or request.POST.get("round"))


def _may_download(user, pair: Pair) -> bool:
    return selectors.may_export(user=user, pair=pair)


@login_required
@require_http_methods(["GET", "POST"])
def run_page(request, pk: int):
    """Everyone who sees the pair sees the run's status; only the KPU running it starts one."""
    pair = _pair(request, pk)
    may_start = candidates.manages_pair(user=request.user, pair=pair)
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied
        try:
            verification_start(pair=pair, round=_round(request), started_by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        # No "started" message: the status card says it while the run is under way and is
        # replaced by the result when it ends (a flash message stayed beside "Selesai").
        return redirect("verification-run", pk=pair.pk)
    context = _run_context(pair)
    # Another pair's list may have changed which NIKs are double since the last run: the KPU
    # applies that by verifying again (verification/engine/external.py).
    external_pending = (
        selectors.external_pending(pair=pair)
        if may_start and context["run"] and context["run"].status == "done"
        else 0
    )
    waiting = selectors.rounds_waiting(pair=pair) if may_start else []
    return render(
        request,
        "verification/run.html",
        {
            "pair": pair,
            **context,
            "external_pending": external_pending,
            "may_start": may_start,
            "waiting": waiting,
            "next_round": selectors.round_next(waiting),
            "rounds": Round.choices,
            "may_recap": may_see_recap(request.user),
            "may_names": may_see_names(request.user),
            # Pair-wide figures: for those whose figures are the whole list.
            **(
                _check_context(pair)
                if candidates.sees_whole_list(user=request.user, pair=pair)
                else {}
            ),
        },
    )


def _check_context(pair: Pair) -> dict:
    """The count-and-spread check of the initial list in force: why a start may be refused."""
    check = check_latest(pair=pair, round=Round.INITIAL)
    return {"check": check, "check_message": check_message(check) if check else ""}


@login_required
def run_status(request, pk: int):
    pair = _pair(request, pk)
    return render(request, "verification/_run_status.html", {"pair": pair, **_run_context(pair)})


@login_required  # the user read on the primary, before the replica scope
@replica_reads
def recap_page(request, pk: int):
    """The recap in the user's scope (selectors.scope_for), named on the page: the whole list
    for the team, the KPU running the election and those above it; the part of the list in
    their area for the others. Charts first, the same figures in tables; red flags beside."""
    pair = _pair(request, pk)
    if not may_see_recap(request.user):
        raise PermissionDenied
    round_ = _round(request)
    scope = selectors.scope_for(user=request.user, pair=pair)
    recap = selectors.recap_for_area(
        pair=pair, round=round_, area=None if scope.whole else scope.area
    )
    flags = None
    if may_see_red_flags(request.user):
        flags = flags_for_display(selectors.red_flags_for(user=request.user, pair=pair))
    focus = request.GET.get("wilayah", "").strip()
    by_region = recap.get("by_region") or {}
    rows, collapsed = recap_rows_focused(recap_rows(by_region), focus)
    region = pair.election.region_id
    for row in rows:
        row["outside"] = not code_within(row["code"], region)
    parent = region if scope.whole else scope.area
    charts = recap_charts(
        recap=recap,
        scope_label=scope.label,
        whole=scope.whole,
        parent=parent,
        parent_level=pair.election.region.level if scope.whole else scope.level,
        reason_labels=[(reason.name, str(label)) for reason, label in REASON_LABELS.items()],
        area_units=None
        if scope.whole
        else list(Region.objects.filter(parent_id=parent).order_by("code").values("code", "name")),
    )
    return render(
        request,
        "verification/recap.html",
        {
            "pair": pair,
            "scope": scope,
            "recap": recap,
            "charts": charts,
            "rows": rows,
            "collapsed": collapsed,
            "focus": focus,
            "may_names": may_see_names(request.user),
            "flags": flags,
            "round": round_,
            "rounds": Round.choices,
        },
    )


@login_required
def results_page(request, pk: int):
    """Supporters with outcome and reasons: the team for its own pair, KPU/PPK/PPS in their area."""
    pair = _pair(request, pk)
    if not may_see_names(request.user):
        raise PermissionDenied
    round_ = _round(request)
    status = request.GET.get("status") or ""
    search = request.GET.get("q", "")
    reason = request.GET.get("alasan", "")
    scope = selectors.scope_for(user=request.user, pair=pair)
    # Counted from the figures stored when the latest run ended, not per request (840k rows).
    counts = selectors.results_counts_stored(pair=pair, round=round_, scope=scope)
    rows = selectors.results_visible(
        user=request.user, pair=pair, round=round_, status=status, search=search, reason=reason
    )
    listed = {
        "MS": counts["MS"],
        "BMS": counts["BMS"],
        "TMS": counts["TMS"],
        SUPERSEDED: counts["superseded"],
    }.get(status, counts["total"] + counts["superseded"])
    known = None if search or reason else listed
    page = ListPaginator(
        rows, PAGE_SIZE, count=known, rows_for=lambda ids: selectors.results_rows(pair, ids)
    ).get_page(request.GET.get("page"))
    names_read_log(
        user=request.user, pair=pair, what="verification-results", rows=len(page),
        page=page.number,
    )  # fmt: skip
    names = dict(
        Region.objects.filter(
            code__in={row.kelurahan_id for row in page} | {row.place for row in page}
        ).values_list("code", "name")
    )
    for row in page:
        row.reason_list = reason_labels(row.reasons or 0)
        row.place_name = names.get(row.place, "")
        row.kelurahan_name = names.get(row.kelurahan_id, "")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "verification/results.html",
        {
            "pair": pair,
            "page": page,
            "round": round_,
            "status": status,
            "rounds": Round.choices,
            "statuses": [
                ("MS", _("MS: memenuhi syarat")),
                ("BMS", _("BMS: belum memenuhi syarat")),
                ("TMS", _("TMS: tidak memenuhi syarat")),
                (SUPERSEDED, _("Diganti oleh data perbaikan")),
            ],
            "scope": scope,
            "counts": counts,
            "search": search,
            "reason": reason,
            "reason_choices": [(r.name, label) for r, label in REASON_LABELS.items()],
            "filtered": bool(status or search or reason or round_ is not None),
            "may_recap": may_see_recap(request.user),
            "query": query.urlencode(),
            "may_download": _may_download(request.user, pair),
        },
    )
