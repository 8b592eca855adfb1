"""Pages for administrative verification: start a run, follow it, the recap, a team's results.

Engine modules are imported inside the views: they are heavy, and the pages must load (and
the URL resolver must import) even on a machine where a verification has never run.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates import selectors
from candidates.models import Round
from electorate.access import (
    code_within,
    is_commission,
    is_supervisor,
    is_team,
    q_within,
    user_area,
    user_pair_id,
)
from electorate.models import Region
from verification.rules import REASON_LABELS, reason_labels
from verification.selectors import round_param

log = logging.getLogger(__name__)
PAGE_SIZE = 50
# Field paths on what verification.selectors.supporter_results returns.
RESULT_KELURAHAN = "kelurahan__code"
RESULT_OUTCOME = "outcome"


CHILD_LEVELS = ("kecamatan", "kelurahan")


def _regions_in_area(regions: dict, area: str) -> dict:
    """Keep the branches of a recap's by_region tree that lie in the area or lead down to it."""
    kept = {}
    for code, entry in regions.items():
        if code_within(code, area):
            kept[code] = entry
        elif code_within(area, code):
            entry = dict(entry)
            for child in CHILD_LEVELS:
                if isinstance(entry.get(child), dict):
                    entry[child] = _regions_in_area(entry[child], area)
            kept[code] = entry
    return kept


def recap_for_area(*, pair, round: int | None, area: str | None) -> dict:
    """The pair's recap; the table by region cut to the user's area (totals stay the pair's)."""
    from verification.recap import recap_compute

    recap = recap_compute(pair=pair, round=round)
    if area:
        recap = dict(recap, by_region=_regions_in_area(recap.get("by_region") or {}, area))
    return recap


def flags_in_area(flags: list[dict], area: str | None, *, election_region: str) -> list[dict]:
    """Flags about places outside the user's area are not theirs to see. A flag tied to no place
    (a run of NIK serials spans the list) is for those whose area covers the whole election."""
    if not area or code_within(election_region, area):
        return flags
    return [
        f
        for f in flags
        if "region" in f and (code_within(f["region"], area) or code_within(area, f["region"]))
    ]


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


# Above this many rows the recap table opens one kab/kota or kecamatan at a time (?wilayah=).
RECAP_ROWS_ALL = 60


def recap_rows_focused(rows: list[dict], focus: str) -> tuple[list[dict], bool]:
    """A province-wide recap has hundreds of kelurahan: show the kab/kota, and below them only
    the branch the user opened. Small recaps (a PPK's, a kab/kota's) are shown whole."""
    if len(rows) <= RECAP_ROWS_ALL:
        return rows, False
    kept = []
    for row in rows:
        code, level = row["code"], row["level"]
        parent = code.rsplit(".", 1)[0]
        if level == 1 or code_within(focus, parent):
            open_ = bool(focus) and code_within(focus, code)
            kept.append(dict(row, drill=level < 3, open=open_, up=parent if level > 1 else ""))
    return kept, True


def flags_for_display(flags: list[dict]) -> list[dict]:
    """Percentages as numbers, so that the page formats them the Indonesian way (61,6%)."""
    for flag in flags:
        if flag.get("kind") == "share":
            flag["share_pct"] = 100 * flag["share"]
            flag["limit_pct"] = 100 * flag["limit"]
    return flags


def results_visible(*, user, pair, round: int | None, status: str = ""):
    """Verification results of the pair's supporters that the user may see."""
    from verification.selectors import supporter_results

    rows = supporter_results(pair=pair, round=round)
    area = user_area(user)
    if user_pair_id(user) != pair.pk and area:
        rows = rows.filter(q_within(RESULT_KELURAHAN, area))
    if status in ("MS", "BMS", "TMS"):
        rows = rows.filter(**{RESULT_OUTCOME: status})
    return rows


def may_see_recap(user) -> bool:
    """KPU and Bawaslu of the area, and the pair's own team (the pair itself is checked first)."""
    return is_commission(user) or is_supervisor(user) or is_team(user)


def _pair(request, pk: int):
    return get_object_or_404(
        selectors.pairs_visible(user=request.user).select_related("election__region"), pk=pk
    )


def _run_context(pair) -> dict:
    from verification.selectors import latest_run

    run = latest_run(pair=pair)
    return {"run": run, "round_label": Round(run.round).label if run else ""}


def _round(request) -> int | None:
    return round_param(request.GET.get("round") or request.POST.get("round"))


def _manages(user, pair) -> bool:
    return selectors.pairs_managed(user=user).filter(pk=pair.pk).exists()


@login_required
@require_http_methods(["GET", "POST"])
def run_page(request, pk: int):
    """Everyone who sees the pair sees the run's status; only the KPU running it starts one."""

    pair = _pair(request, pk)
    may_start = _manages(request.user, pair)
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied
        from verification.engine import admin_verification_start

        try:
            admin_verification_start(pair=pair, round=_round(request), started_by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Verifikasi administrasi dimulai."))
        return redirect("verification-run", pk=pair.pk)
    return render(
        request,
        "verification/run.html",
        {
            "pair": pair,
            **_run_context(pair),
            "may_start": may_start,
            "rounds": Round.choices,
            "may_recap": may_see_recap(request.user),
            "may_names": not is_supervisor(request.user),
        },
    )


@login_required
def run_status(request, pk: int):

    pair = _pair(request, pk)
    return render(request, "verification/_run_status.html", {"pair": pair, **_run_context(pair)})


@login_required
def recap_page(request, pk: int):
    """KPU and Bawaslu see the recap of their area, with red flags beside it; a team its own."""
    pair = _pair(request, pk)
    if not may_see_recap(request.user):
        raise PermissionDenied
    round_ = _round(request)
    recap = recap_for_area(pair=pair, round=round_, area=user_area(request.user))
    flags = None
    if not is_team(request.user):
        from verification.redflags import red_flags_compute

        flags = flags_for_display(
            flags_in_area(
                red_flags_compute(pair=pair),
                user_area(request.user),
                election_region=pair.election.region_id,
            )
        )
    focus = request.GET.get("wilayah", "").strip()
    rows, collapsed = recap_rows_focused(recap_rows(recap.get("by_region") or {}), focus)
    return render(
        request,
        "verification/recap.html",
        {
            "pair": pair,
            "recap": recap,
            "rows": rows,
            "collapsed": collapsed,
            "focus": focus,
            "may_names": not is_supervisor(request.user),
            "reasons": [
                (reason.name, label, recap.get("reasons", {}).get(reason.name, 0))
                for reason, label in REASON_LABELS.items()
            ],
            "flags": flags,
            "round": round_,
            "rounds": Round.choices,
        },
    )


@login_required
def results_page(request, pk: int):
    """Supporters with outcome and reasons: the team for its own pair, KPU/PPK/PPS in their area."""
    pair = _pair(request, pk)
    if is_supervisor(request.user):
        raise PermissionDenied
    round_ = _round(request)
    status = request.GET.get("status") or ""
    rows = results_visible(user=request.user, pair=pair, round=round_, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = dict(
        Region.objects.filter(code__in={row.kelurahan_id for row in page}).values_list(
            "code", "name"
        )
    )
    for row in page:
        row.reason_list = reason_labels(row.reasons or 0)
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
            ],
            "may_recap": may_see_recap(request.user),
            "query": query.urlencode(),
            "may_download": user_pair_id(request.user) == pair.pk or _manages(request.user, pair),
        },
    )


@login_required
def results_xlsx(request, pk: int):
    """The team's (or running KPU's) whole result list, to prepare the repair. Logged: who, what."""
    pair = _pair(request, pk)
    if not (user_pair_id(request.user) == pair.pk or _manages(request.user, pair)):
        raise PermissionDenied
    from verification.exports import supporter_results_export

    round_ = _round(request)
    out, rows = supporter_results_export(pair=pair, round=round_, user=request.user)
    log.info("export pair=%s round=%s rows=%s by user=%s", pair.pk, round_, rows, request.user.pk)
    suffix = f"-tahap{round_}" if round_ is not None else ""
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"hasil-verifikasi-{pair.pk}{suffix}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
