"""The pair's page: its stages, the counts by area with what the user may close or reopen (the
selectors' answer), the KPU's forms and a team's own results. Its actions: views/actions.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from candidates import selectors as candidates
from candidates.models import Pair, Round
from fieldwork import pages, selectors
from fieldwork.forms import StageStartForm, WindowForm, WorklistFilterForm
from fieldwork.models import Advice, Stage
from fieldwork.services import stage_close_preview
from fieldwork.views.common import PAGE_SIZE, pair_get


def _stage_for(stages: list[Stage], number: str | None) -> Stage | None:
    if number and number.isdigit():
        for stage in stages:
            if stage.number == int(number):
                return stage
    return stages[-1] if stages else None


@login_required
@require_GET
def pair_page(request, pk: int):
    pair = pair_get(request, pk)
    user = request.user
    stages = list(selectors.stages_visible(user=user, pair=pair).select_related("pair__election"))
    stage = _stage_for(stages, request.GET.get("tahap"))
    manage = selectors.may_manage_stage(user=user, pair=pair)
    open_stage = next((s for s in stages if s.status == Stage.Status.OPEN), None)
    today = timezone.localdate()
    close_all = bool(manage and open_stage and today > open_stage.closes)
    context: dict = {
        "pair": pair,
        "stages": stages,
        "stage": stage,
        "open_stage": open_stage,
        "may_manage": manage,
        "today": today,
        "start_form": StageStartForm() if manage and open_stage is None else None,
        "window_form": WindowForm(initial={"closes": open_stage.closes})
        if manage and open_stage
        else None,
        "may_close_all": close_all,
        # What closing it all turns TMS without a visit: the KPU confirms that number.
        "close_preview": stage_close_preview(stage=open_stage, as_of=today) if close_all else None,
        "may_sheet": selectors.may_submit_sheet(user=user, pair=pair) and open_stage is not None,
        "is_team": candidates.is_own_team(user=user, pair=pair),
    }
    if stage is not None:
        context.update(_stage_context(request, pair, stage))
        if context["is_team"]:
            context.update(_team_context(request, stage))
    return render(request, "fieldwork/pair.html", context)


def _stage_context(request, pair: Pair, stage: Stage) -> dict:
    user = request.user
    scope = selectors.scope_of(user=user, pair=pair)
    focus = request.GET.get("wilayah", "").strip()
    table = selectors.area_table(user=user, stage=stage, scope=scope, focus=focus)
    advice = selectors.advice_visible(user=user, stage=stage).filter(status=Advice.Status.OPEN)
    return {
        "scope": scope,
        "round_label": Round(stage.round).label,
        "scope_label": selectors.area_label(scope),
        "counts": table.counts,
        "by_finding": pages.by_finding(table.counts),
        "rows": table.rows,
        "collapsed": table.collapsed,
        "focus": focus,
        "open_advice": advice.order_by("at")[:20],
        "open_advice_count": advice.count(),
        "may_advice": selectors.may_see_advice(user),
        "reports": selectors.reports_visible(user=user, stage=stage).order_by("-observed_at")[:10],
        "may_reports": selectors.may_see_reports(user),
        "may_advise": selectors.may_advise_stage(user=user, stage=stage),
    }


def _team_context(request, stage: Stage) -> dict:
    """A team's own results: each supporter with result and the reason (never a statement),
    and those not met that it may still bring to the PPS office, with the deadline."""
    tasks = selectors.tasks_visible(user=request.user, stage=stage)
    form = WorklistFilterForm(request.GET or None)
    listed = tasks
    if form.is_valid():
        listed = selectors.worklist_filter(
            tasks, q=form.cleaned_data["q"], status=form.cleaned_data["status"]
        )
    listed = listed.select_related("supporter").order_by("position", "pk")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.task_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "team_page": page,
        "team_waiting": selectors.bring_in_waiting(user=request.user, stage=stage),
        "team_filter": form,
        "query": query.urlencode(),
        "bring_in_days": stage.pair.election.bring_in_days,
    }
