"""Supervision: Bawaslu's Form A reports and correction advice, and the KPU's answer (with a
correction of the supporter's result when the advice is about one)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from electorate.params import id_param
from fieldwork import pages, selectors
from fieldwork.forms import AdviceForm, AnswerForm, EntryForm, ReportForm
from fieldwork.models import Advice
from fieldwork.services import advice_answer, advice_create, report_create
from fieldwork.views.common import PAGE_SIZE, stage_get


def _labelled(items, field: str = "region_code"):
    """Each item of a page with its area's label."""
    names = selectors.region_names(getattr(item, field) for item in items)
    for item in items:
        item.area_label = selectors.area_label(getattr(item, field), names)


@login_required
@require_http_methods(["GET", "POST"])
def reports_page(request, pk: int):
    stage = stage_get(request, pk)
    user = request.user
    if not selectors.may_see_reports(user):
        raise PermissionDenied
    form = None
    if selectors.may_file_report(user):
        regions = pages.regions_for(user=user, stage=stage)
        form = ReportForm(request.POST or None, regions=regions)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                report_create(
                    stage=stage,
                    region_code=data["region_code"],
                    observed_at=data["observed_at"],
                    place=data["place"],
                    observed=data["observed"],
                    by=user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Laporan hasil pengawasan (Form A) tersimpan."))
                return redirect("verfak-reports", pk=stage.pk)
    reports = selectors.reports_visible(user=user, stage=stage).select_related("by")
    page = Paginator(reports.order_by("-observed_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _labelled(page)
    return render(
        request,
        "fieldwork/reports.html",
        {"pair": stage.pair, "stage": stage, "page": page, "form": form, "query": ""},
    )


def _advice_required(user) -> None:
    if not selectors.may_see_advice(user):
        raise PermissionDenied


@login_required
def advice_list(request, pk: int):
    stage = stage_get(request, pk)
    _advice_required(request.user)
    advice = selectors.advice_visible(user=request.user, stage=stage).select_related("by", "task")
    status = request.GET.get("status", "")
    if status in Advice.Status.values:
        advice = advice.filter(status=status)
    page = Paginator(advice.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    _labelled(page)
    counts = selectors.advice_counts(user=request.user, stage=stage)
    return render(
        request,
        "fieldwork/advice_list.html",
        {
            "pair": stage.pair,
            "stage": stage,
            "page": page,
            "status": status,
            "statuses": [(v, label, counts.get(v, 0)) for v, label in Advice.Status.choices],
            "may_advise": selectors.may_advise_stage(user=request.user, stage=stage),
            "query": f"status={status}" if status else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def advice_new(request, pk: int):
    stage = stage_get(request, pk)
    user = request.user
    if not selectors.may_file_advice(user):
        raise PermissionDenied
    task = None
    task_id = request.POST.get("tugas") or request.GET.get("tugas") or ""
    if task_id:
        task = get_object_or_404(
            selectors.tasks_visible(user=user, stage=stage).select_related("supporter"),
            pk=id_param(task_id) or 0,
        )
    regions = pages.regions_for(user=user, stage=stage)
    form = AdviceForm(request.POST or None, regions=regions, task=task)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = task.kelurahan_code if task is not None else data["region_code"]
        if region and not selectors.may_advise(user=user, region_code=region):
            raise PermissionDenied
        try:
            advice = advice_create(
                stage=stage,
                target=data["target"],
                text=data["text"],
                by=user,
                region_code=region,
                task=task if data["target"] == Advice.Target.SUPPORTER else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saran perbaikan dikirim ke KPU."))
            return redirect("verfak-advice", pk=advice.pk)
    return render(
        request,
        "fieldwork/advice_form.html",
        {"pair": stage.pair, "stage": stage, "form": form, "task": task},
    )


@login_required
@require_http_methods(["GET", "POST"])
def advice_page(request, pk: int):
    advice = get_object_or_404(
        selectors.advice_in_reach(user=request.user).select_related(
            "by", "answered_by", "task__supporter"
        ),
        pk=pk,
    )
    _advice_required(request.user)
    stage = advice.stage
    may_answer = advice.status == Advice.Status.OPEN and selectors.may_answer(
        user=request.user, advice=advice
    )
    form = correction = None
    if may_answer:
        form = AnswerForm(request.POST or None)
        if advice.task is not None:
            # Filled only when the answer includes a correction: no browser-side `required`.
            correction = EntryForm(
                request.POST or None,
                task=advice.task,
                pairs=pages.election_pairs(stage.pair),
                prefix="koreksi",
                use_required_attribute=False,
            )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if _answer(request, advice, form, correction):
            messages.success(request, _("Saran perbaikan dijawab."))
            return redirect("verfak-advice", pk=advice.pk)
    show_task = (
        advice.task is not None
        and selectors.tasks_visible(user=request.user, stage=stage)
        .filter(pk=advice.task_id)
        .exists()
        and selectors.may_see_worklist(request.user)
    )
    return render(
        request,
        "fieldwork/advice.html",
        {
            "pair": stage.pair,
            "stage": stage,
            "advice": advice,
            "area_label": selectors.area_label(advice.region_code),
            "form": form,
            "correction": correction,
            "show_task": show_task,
        },
    )


def _answer(request, advice: Advice, form: AnswerForm, correction: EntryForm | None) -> bool:
    if not form.is_valid():
        return False
    accept = form.cleaned_data["accept"]
    entry = None
    if accept and form.cleaned_data["correct"]:
        if correction is None:
            form.add_error(
                "correct", _("Koreksi hasil hanya untuk saran tentang seorang pendukung.")
            )
            return False
        if not correction.is_valid():
            return False
        entry = correction.entry()
    try:
        advice_answer(
            advice=advice,
            accept=accept,
            answer=form.cleaned_data["answer"],
            by=request.user,
            correction=entry,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True
