"""A kelurahan's worklist: its supporters, each row with the forms the selectors offer."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from candidates.services import names_read_log
from electorate.areas import KECAMATAN, KELURAHAN, code_ancestor, code_depth
from fieldwork import findings, pages, selectors
from fieldwork.counts import active_closures, empty_counts, kelurahan_counts
from fieldwork.forms import EntryForm, WorklistFilterForm
from fieldwork.models import Task
from fieldwork.views.common import (
    PAGE_SIZE,
    SW_CACHE,
    entry_forms,
    stage_get,
    worklist_required,
)


class RowEntryForms:
    """The worklist's entry form, rendered once per page (and once more if a double supporter
    needs the chosen-pair field) and stamped with each row's task id. Rows differ only in that
    id (the prefix, the form's URLs): Django renders every widget through its own template, and
    25 rows of 4-5 widgets took 150 of the page's 200 ms (make bench-load, py-spy)."""

    STAMP = 9_007_199_254_740_993  # a task id no table reaches (2^53 + 1)

    def __init__(self, request, pairs, here: str) -> None:
        self.request, self.pairs, self.here = request, pairs, here
        self.rendered: dict[bool, str] = {}

    def html(self, task: Task) -> str:
        if task.double not in self.rendered:
            stand_in = Task(pk=self.STAMP, double=task.double, stage=task.stage)
            self.rendered[task.double] = render_to_string(
                "fieldwork/_entry_form.html",
                {"task": stand_in, "next": self.here,
                 "form": EntryForm(task=stand_in, pairs=self.pairs)},
                request=self.request,
            )  # fmt: skip
        return mark_safe(self.rendered[task.double].replace(str(self.STAMP), str(task.pk)))  # noqa: S308 (rendered by the template above)


def _worklist_stage(request, pk: int, code: str):
    stage = stage_get(request, pk)
    if code_depth(code) != KELURAHAN or not selectors.area_in_reach(
        user=request.user, stage=stage, code=code
    ):
        raise Http404
    worklist_required(request)
    return stage


def _counts(stage, code: str) -> dict:
    """The worklist's counters (the page and its fragment): the kelurahan's kelurahan_counts
    entry (with "not_met_last", which the close button asks)."""
    counts = kelurahan_counts(stage, code).get(code) or {**empty_counts(), "not_met_last": None}
    return {"counts": counts, "todo": counts["todo"], "waiting": counts["PENDING"] - counts["todo"]}


@login_required
@require_GET
def worklist_counts(request, pk: int, code: str):
    """The counters alone: the page asks for them again after each entry (htmx, event
    verfak:entry from static/js/verfak.js), so they follow without a reload."""
    stage = _worklist_stage(request, pk, code)
    context = {"stage": stage, "code": code, **_counts(stage, code)}
    return render(request, "fieldwork/_worklist_counts.html", context)


@login_required
@require_GET
def worklist(request, pk: int, code: str):
    stage = _worklist_stage(request, pk, code)
    tasks = selectors.tasks_visible(user=request.user, stage=stage).filter(kelurahan_code=code)
    form = WorklistFilterForm(request.GET or None)
    listed = tasks
    if form.is_valid():
        listed = selectors.worklist_filter(
            tasks, q=form.cleaned_data["q"], status=form.cleaned_data["status"]
        )
    listed = listed.select_related("supporter", "chosen_pair").order_by("position", "pk")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    names_read_log(
        user=request.user, pair=stage.pair, what=f"verfak-worklist:{code}", rows=len(page),
        page=page.number,
    )  # fmt: skip
    pairs = pages.election_pairs(stage.pair)
    offers = pages.task_offers(user=request.user, stage=stage, code=code)
    here = request.get_full_path()
    row_forms = RowEntryForms(request, pairs, here)
    for task in page:
        task.stage = stage
        task.forms = entry_forms(task, pairs, offers(task))
        task.entry_html = row_forms.html(task) if task.forms["entry"] else ""
        task.note_label = findings.note_label(task.note)
    counted = _counts(stage, code)
    closure = active_closures(stage, code).get(code)
    query = request.GET.copy()
    query.pop("page", None)
    kecamatan = code_ancestor(code, KECAMATAN)
    names = selectors.region_names([code, kecamatan])
    return render(
        request,
        "fieldwork/worklist.html",
        {
            "pair": stage.pair,
            "stage": stage,
            "code": code,
            "area_label": selectors.area_label(code, names),
            "kecamatan_label": names.get(kecamatan, ""),
            "page": page,
            "filter": form,
            "query": query.urlencode(),
            **counted,
            "closure": closure,
            "may_close": selectors.kelurahan_may_close(
                user=request.user,
                stage=stage,
                code=code,
                counts=counted["counts"],
                closed=closure is not None,
            ),
            "here": here,
            "is_pkd": selectors.is_pkd(request.user),
            "sw_cache": SW_CACHE,
        },
    )
