"""Pages of factual verification (verfak): the pair's stages and counts, a kelurahan's worklist,
one supporter's history, sheets, Form A reports and correction advice.

Objects come only from what the user may reach (fieldwork.selectors): outside it a 404; seen
but not allowed, a 403. The work is the services'; their ValidationErrors go to `messages` or
onto the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from candidates import selectors as candidates
from candidates.models import Pair, Round
from candidates.services import names_read_log
from electorate.models import Region
from fieldwork import offline, selectors
from fieldwork.closing import (
    area_close,
    area_reopen,
    depth,
    stage_close_all,
    stage_close_preview,
)
from fieldwork.counts import (
    active_closures,
    add_counts,
    area_counts,
    empty_counts,
    kelurahan_closed,
    kelurahan_counts,
)
from fieldwork.forms import (
    AdviceForm,
    AnswerForm,
    AttestForm,
    CorrectionForm,
    EntryForm,
    ReasonForm,
    ReportForm,
    SheetForm,
    StageStartForm,
    WindowForm,
    WorklistFilterForm,
)
from fieldwork.models import Advice, Finding, Method, Record, Result, Sheet, Stage, Task
from fieldwork.records import attest_denial, record_entry
from fieldwork.rules import NOTES, bring_in_deadline
from fieldwork.services import sheet_submit
from fieldwork.stages import stage_start, window_change
from fieldwork.supervision import advice_answer, advice_create, report_create
from staff.access import (
    code_within,
    is_commission,
    is_committee,
    is_supervisor,
    q_within,
    user_area,
)

PAGE_SIZE = 25
# Above this many rows the area table opens one branch at a time (?wilayah=), as the recap does.
AREA_ROWS_ALL = 60
# The service worker's cache (templates/fieldwork/sw.js); the pages add themselves to it.
SW_CACHE = "verfak-v1"
LEVEL_NAMES = {
    1: _lazy("Provinsi"),
    2: _lazy("Kab/Kota"),
    3: _lazy("Kecamatan"),
    4: _lazy("Kelurahan/Desa"),
}


# --- lookups ------------------------------------------------------------------------------------


def _pair(request, pk: int) -> Pair:
    return get_object_or_404(
        candidates.pairs_visible(user=request.user).select_related("election__region"), pk=pk
    )


def _stage(request, pk: int) -> Stage:
    return get_object_or_404(
        selectors.stages_reachable(user=request.user).select_related("pair__election__region"),
        pk=pk,
    )


def _task(request, pk: int) -> Task:
    return get_object_or_404(
        selectors.tasks_in_reach(user=request.user).select_related(
            "stage__pair__election", "supporter", "chosen_pair"
        ),
        pk=pk,
    )


def _worklist_required(request) -> None:
    if not selectors.may_see_worklist(request.user):
        raise PermissionDenied


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _scope(user, pair: Pair) -> str:
    """The area whose figures the user sees: the election's region, or the user's own area
    inside it (a PPS sees its kelurahan, a KPU Kab/Kota its kab/kota of a governor election)."""
    top = pair.election.region_id
    if candidates.is_own_team(user=user, pair=pair):
        return top
    area = user_area(user) or ""
    return area if area and code_within(area, top) else top


def _area_label(code: str, names: dict[str, str]) -> str:
    return f"{names.get(code, '')} ({code})".strip()


def _worklist_url(stage: Stage, code: str) -> str:
    return reverse("verfak-worklist", kwargs={"pk": stage.pk, "code": code})


def _election_pairs(pair: Pair):
    return list(Pair.objects.filter(election_id=pair.election_id).order_by("name"))


# --- the pair's page ----------------------------------------------------------------------------


def _area_rows(
    request, stage: Stage, scope: str, focus: str, per_kelurahan: dict[str, dict]
) -> tuple[list[dict], bool]:
    """The scope and every area below it with supporters: counts, closure, what the user may do."""
    user = request.user
    totals: dict[str, dict] = {}
    top = depth(scope)
    for kel, counts in per_kelurahan.items():
        for level in range(top, 5):
            code = ".".join(kel.split(".")[:level])
            entry = totals.setdefault(
                code, dict.fromkeys(("MS", "TMS", "PENDING", "total", "todo"), 0)
            )
            for key in ("MS", "TMS", "PENDING", "total"):
                entry[key] += counts[key]
            entry["todo"] += counts["todo"]
    closures = active_closures(stage, scope)
    names = _region_names(totals)
    worklist = selectors.may_see_worklist(user)
    children_of: dict[str, list[str]] = {}
    for code in totals:
        if depth(code) > top:
            children_of.setdefault(code.rsplit(".", 1)[0], []).append(code)
    rows = []
    for code in sorted(totals, key=lambda c: [int(p) for p in c.split(".")]):
        closure = closures.get(code)
        level = depth(code)
        # Offer to close only what is ready (the service checks again): a kelurahan with
        # everyone recorded, an area whose areas below are all closed.
        children = children_of.get(code, [])
        ready = totals[code]["todo"] == 0 if level == 4 else all(c in closures for c in children)
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "level": level - top + 1,
                "depth": level,
                "kind": LEVEL_NAMES[level],
                **totals[code],
                "closure": closure,
                "may_close": closure is None
                and ready
                and stage.status == Stage.Status.OPEN
                and selectors.may_close(user=user, region_code=code),
                "may_reopen": closure is not None
                and selectors.may_reopen(user=user, region_code=code),
                "worklist": _worklist_url(stage, code) if level == 4 and worklist else "",
            }
        )
    if len(rows) <= AREA_ROWS_ALL:
        return rows, False
    kept = []
    for row in rows:
        parent = row["code"].rsplit(".", 1)[0]
        if row["depth"] <= top + 1 or (focus and code_within(focus, parent)):
            opened = bool(focus) and code_within(focus, row["code"])
            drill = top < row["depth"] < 4
            kept.append(dict(row, drill=drill, open=opened, up=parent))
    return kept, True


def _team_context(request, stage: Stage) -> dict:
    """A team's own results: each supporter with result and the reason (never a statement),
    and those not met that it may still bring to the PPS office, with the deadline."""
    tasks = selectors.tasks_visible(user=request.user, stage=stage).select_related("supporter")
    days = stage.pair.election.bring_in_days
    waiting = list(
        tasks.filter(finding=Finding.TIDAK_DITEMUI, result=Result.PENDING).order_by(
            "not_met_on", "position", "pk"
        )[:500]
    )
    names = _region_names(t.kelurahan_code for t in waiting)
    for task in waiting:
        task.deadline = bring_in_deadline(task.not_met_on, days)
        task.kelurahan_name = names.get(task.kelurahan_code, task.kelurahan_code)
    form = WorklistFilterForm(request.GET or None)
    listed = tasks
    if form.is_valid():
        listed = selectors.worklist_filter(
            tasks, q=form.cleaned_data["q"], status=form.cleaned_data["status"]
        )
    page = Paginator(listed.order_by("position", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    names.update(_region_names(t.kelurahan_code for t in page))
    for task in page:
        task.note_label = NOTES.get(task.note, "")
        task.kelurahan_name = names.get(task.kelurahan_code, task.kelurahan_code)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "team_page": page,
        "team_waiting": waiting,
        "team_filter": form,
        "query": query.urlencode(),
        "bring_in_days": days,
    }


def _stage_for(stages: list[Stage], number: str | None) -> Stage | None:
    if number and number.isdigit():
        for stage in stages:
            if stage.number == int(number):
                return stage
    return stages[-1] if stages else None


@login_required
@require_http_methods(["GET", "POST"])
def pair_page(request, pk: int):
    pair = _pair(request, pk)
    if request.method == "POST":
        return _pair_post(request, pair)
    user = request.user
    stages = list(selectors.stages_visible(user=user, pair=pair).select_related("pair__election"))
    stage = _stage_for(stages, request.GET.get("tahap"))
    manage = selectors.may_manage_stage(user=user, pair=pair)
    open_stage = next((s for s in stages if s.status == Stage.Status.OPEN), None)
    today = timezone.localdate()
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
        "may_close_all": bool(manage and open_stage and today > open_stage.closes),
        # What closing it all turns TMS without a visit: the KPU confirms that number.
        "close_preview": (
            stage_close_preview(stage=open_stage, as_of=today)
            if manage and open_stage and today > open_stage.closes
            else None
        ),
        "may_sheet": selectors.may_submit_sheet(user=user, pair=pair) and open_stage is not None,
        "is_team": candidates.is_own_team(user=user, pair=pair),
    }
    if stage is not None:
        scope = _scope(user, pair)
        focus = request.GET.get("wilayah", "").strip()
        # One GROUP BY over the stage's tasks (108k for DKI) serves the table and the totals.
        per_kelurahan = kelurahan_counts(stage, scope)
        rows, collapsed = _area_rows(request, stage, scope, focus, per_kelurahan)
        counts = empty_counts()
        for kelurahan in per_kelurahan.values():
            add_counts(counts, kelurahan)
        names = _region_names([scope])
        advice = selectors.advice_visible(user=user, stage=stage)
        context.update(
            {
                "scope": scope,
                "round_label": Round(stage.round).label,
                "scope_label": _area_label(scope, names),
                "counts": counts,
                "by_finding": [
                    (_("Belum diverifikasi"), counts["todo"]),
                    # No finding but TMS: a double who chose another pair, one struck off.
                    (_("Tanpa kunjungan, TMS"), counts["by_finding"].get("", 0) - counts["todo"]),
                    *((label, counts["by_finding"].get(v, 0)) for v, label in Finding.choices),
                ],
                "rows": rows,
                "collapsed": collapsed,
                "focus": focus,
                "open_advice": advice.filter(status=Advice.Status.OPEN).order_by("at")[:20],
                "open_advice_count": advice.filter(status=Advice.Status.OPEN).count(),
                "may_advice": is_commission(user) or is_supervisor(user) or is_committee(user),
                "reports": selectors.reports_visible(user=user, stage=stage).order_by(
                    "-observed_at"
                )[:10],
                "may_reports": is_commission(user) or is_supervisor(user),
                "may_advise": is_supervisor(user) and stage.status == Stage.Status.OPEN,
            }
        )
        if context["is_team"]:
            context.update(_team_context(request, stage))
    return render(request, "fieldwork/pair.html", context)


def _pair_post(request, pair: Pair):
    """The KPU's and the committees' actions on the pair's page: start a stage, move its window,
    close it all; close or reopen one area."""
    action = request.POST.get("action", "")
    handlers = {
        "start": _start,
        "window": _window,
        "close_all": _close_all,
        "close": _close,
        "reopen": _reopen,
    }
    if action not in handlers:
        raise Http404
    default = reverse("verfak-pair", kwargs={"pk": pair.pk})
    handlers[action](request, pair)
    return redirect(_next(request, default))


def _managed_stage(request, pair: Pair) -> Stage:
    if not selectors.may_manage_stage(user=request.user, pair=pair):
        raise PermissionDenied
    stage_id = request.POST.get("stage", "")
    return get_object_or_404(
        selectors.stages_visible(user=request.user, pair=pair),
        pk=int(stage_id) if stage_id.isdigit() else 0,
    )


def _start(request, pair: Pair) -> None:
    if not selectors.may_manage_stage(user=request.user, pair=pair):
        raise PermissionDenied
    form = StageStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Periksa tahap dan tanggal mulai."))
        return
    try:
        stage = stage_start(
            pair=pair,
            round=form.cleaned_data["round"],
            opens=form.cleaned_data["opens"],
            by=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return
    messages.success(
        request,
        _("Verifikasi faktual %(n)s dimulai: %(total)s pendukung, %(a)s s.d. %(b)s.")
        % {
            "n": stage.number,
            "total": intcomma(stage.tasks_total),
            "a": stage.opens.strftime("%d-%m-%Y"),
            "b": stage.closes.strftime("%d-%m-%Y"),
        },
    )


def _window(request, pair: Pair) -> None:
    stage = _managed_stage(request, pair)
    form = WindowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Isi tanggal penutupan baru dan alasannya."))
        return
    try:
        window_change(
            stage=stage,
            closes=form.cleaned_data["closes"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return
    messages.success(request, _("Masa verifikasi faktual diubah."))


def _close_all(request, pair: Pair) -> None:
    stage = _managed_stage(request, pair)
    confirm = request.POST.get("confirm", "")
    try:
        counts = stage_close_all(
            stage=stage, by=request.user, confirm=int(confirm) if confirm.isdigit() else None
        )
    except ValidationError as exc:
        _errors(request, exc)
        return
    messages.success(
        request,
        _("Verifikasi faktual %(n)s ditutup di semua tingkat: MS %(ms)s, TMS %(tms)s.")
        % {"n": stage.number, "ms": counts["MS"], "tms": counts["TMS"]},
    )


def _area(request, pair: Pair) -> tuple[Stage, str]:
    stage_id = request.POST.get("stage", "")
    stage = get_object_or_404(
        selectors.stages_visible(user=request.user, pair=pair).select_related("pair__election"),
        pk=int(stage_id) if stage_id.isdigit() else 0,
    )
    code = request.POST.get("code", "").strip()
    if not selectors.area_in_reach(user=request.user, stage=stage, code=code):
        raise Http404
    return stage, code


def _close(request, pair: Pair) -> None:
    stage, code = _area(request, pair)
    if not selectors.may_close(user=request.user, region_code=code):
        raise PermissionDenied
    try:
        closure = area_close(stage=stage, region_code=code, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return
    counts = closure.counts
    messages.success(
        request,
        _("Wilayah %(area)s ditutup: MS %(ms)s, TMS %(tms)s dari %(total)s pendukung.")
        % {
            "area": _area_label(code, _region_names([code])),
            "ms": counts["MS"],
            "tms": counts["TMS"],
            "total": counts["total"],
        },
    )


def _reopen(request, pair: Pair) -> None:
    stage, code = _area(request, pair)
    if not selectors.may_reopen(user=request.user, region_code=code):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tuliskan alasan membuka kembali."))
        return
    try:
        area_reopen(
            stage=stage, region_code=code, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
        return
    messages.success(
        request,
        _("Wilayah %(area)s dibuka kembali.") % {"area": _area_label(code, _region_names([code]))},
    )


# --- a kelurahan's worklist ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """What the forms of one kelurahan's rows depend on, worked out once per page."""

    open: bool  # the stage is open and the kelurahan too
    correct: bool  # closed, and this user is the KPU that corrects it


def _place(user, stage: Stage, code: str) -> _Place:
    stage_open = stage.status == Stage.Status.OPEN
    closed = stage_open and kelurahan_closed(stage.pk, code)
    return _Place(
        open=stage_open and not closed,
        correct=closed and selectors.may_correct(user=user, stage=stage),
    )


def _entry_forms(user, task: Task, pairs, place: _Place) -> dict:
    """Which forms apply to this user on this task (the worklist's row and the task page)."""
    record = place.open and selectors.may_record(user=user, task=task)
    attest = (
        place.open
        and task.finding == Finding.TOLAK
        and not task.attested
        and selectors.is_pkd(user)
        and selectors.may_attest(user=user, task=task)
    )
    return {
        "entry": EntryForm(task=task, pairs=pairs) if record else None,
        "correction": CorrectionForm(task=task, pairs=pairs) if place.correct else None,
        "attest": AttestForm(prefix=f"s{task.pk}") if attest else None,
        "advise": task.stage.status == Stage.Status.OPEN
        and selectors.may_advise(user=user, region_code=task.kelurahan_code),
    }


class _RowEntryForms:
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


@login_required
@require_GET
def worklist(request, pk: int, code: str):
    stage = _stage(request, pk)
    if depth(code) != 4 or not selectors.area_in_reach(user=request.user, stage=stage, code=code):
        raise Http404
    _worklist_required(request)
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
    pairs = _election_pairs(stage.pair)
    place = _place(request.user, stage, code)
    here = request.get_full_path()
    row_forms = _RowEntryForms(request, pairs, here)
    for task in page:
        task.stage = stage
        task.forms = _entry_forms(request.user, task, pairs, place)
        task.entry_html = row_forms.html(task) if task.forms["entry"] else ""
        task.note_label = NOTES.get(task.note, "")
    counts = area_counts(stage, code)
    closure = active_closures(stage, code).get(code)
    query = request.GET.copy()
    query.pop("page", None)
    names = _region_names([code, code.rsplit(".", 1)[0]])
    return render(
        request,
        "fieldwork/worklist.html",
        {
            "pair": stage.pair,
            "stage": stage,
            "code": code,
            "area_label": _area_label(code, names),
            "kecamatan_label": names.get(code.rsplit(".", 1)[0], ""),
            "page": page,
            "filter": form,
            "query": query.urlencode(),
            "counts": counts,
            "todo": counts["todo"],
            "waiting": counts["PENDING"] - counts["todo"],
            "closure": closure,
            "may_close": closure is None
            and counts["todo"] == 0
            and stage.status == Stage.Status.OPEN
            and selectors.may_close(user=request.user, region_code=code),
            "here": here,
            "is_pkd": selectors.is_pkd(request.user),
            "sw_cache": SW_CACHE,
        },
    )


# --- one supporter's task -----------------------------------------------------------------------

FIELD_LABELS = {
    "finding": _lazy("Hasil"),
    "method": _lazy("Metode"),
    "visited_on": _lazy("Tanggal"),
    "deceased_on": _lazy("Tanggal meninggal"),
    "chosen_pair_id": _lazy("Pasangan pilihan"),
    "attested": _lazy("Penolakan disaksikan"),
    "struck": _lazy("Dicoret karena tanggapan masyarakat"),
    "result": _lazy("Status"),
}


def _shown(name: str, value, pair_names: dict[int, str]) -> str:
    if value in (None, ""):
        return "–"
    if name == "finding":
        return str(Finding(value).label) if value in Finding.values else str(value)
    if name == "method":
        return str(Method(value).label) if value in Method.values else str(value)
    if name == "result":
        return str(Result(value).label) if value in Result.values else str(value)
    if name in ("visited_on", "deceased_on"):
        return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
    if name == "chosen_pair_id":
        return pair_names.get(value, str(value))
    if name in ("attested", "struck"):
        return _("ya") if value else _("tidak")
    return str(value)


def _history(task: Task, pairs) -> list[dict]:
    pair_names = {p.pk: p.name for p in pairs}
    rows = []
    for record in task.records.select_related("by", "sheet", "advice").order_by("at", "pk"):
        rows.append(
            {
                "record": record,
                "changes": [
                    {
                        "label": FIELD_LABELS.get(name, name),
                        "before": _shown(name, record.before.get(name), pair_names),
                        "after": _shown(name, value, pair_names),
                    }
                    for name, value in record.values.items()
                ],
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def task_page(request, pk: int):
    task = _task(request, pk)
    _worklist_required(request)
    pairs = _election_pairs(task.stage.pair)
    forms = _entry_forms(
        request.user, task, pairs, _place(request.user, task.stage, task.kelurahan_code)
    )
    default = reverse("verfak-task", kwargs={"pk": task.pk})
    if request.method == "POST":
        done = _task_post(request, task, forms, pairs)
        if done:
            return redirect(_next(request, default))
    names_read_log(user=request.user, pair=task.stage.pair, what=f"verfak-task:{task.pk}", rows=1)
    return render(
        request,
        "fieldwork/task.html",
        {
            "pair": task.stage.pair,
            "stage": task.stage,
            "task": task,
            "note_label": NOTES.get(task.note, ""),
            "deadline": bring_in_deadline(task.not_met_on, task.stage.pair.election.bring_in_days)
            if task.finding == Finding.TIDAK_DITEMUI and task.result == Result.PENDING
            else None,
            "forms": forms,
            "history": _history(task, pairs),
            "worklist_url": _worklist_url(task.stage, task.kelurahan_code),
            "area_label": _area_label(task.kelurahan_code, _region_names([task.kelurahan_code])),
            "next": _next(request, ""),
            "sw_cache": SW_CACHE,
        },
    )


def _task_post(request, task: Task, forms: dict, pairs) -> bool:
    """Apply the posted form; True when done (redirect), False to show the form's errors."""
    action = request.POST.get("action", "")
    if action in ("entry", "correction"):
        if forms[action] is None:
            raise PermissionDenied
        cls = EntryForm if action == "entry" else CorrectionForm
        form = cls(request.POST, task=task, pairs=pairs)
        forms[action] = form
        if not form.is_valid():
            return False
        outcome = record_entry(
            task=task,
            entry=form.entry(),
            by=request.user,
            source=Record.Source.FORM if action == "entry" else Record.Source.CORRECTION,
            reason=form.cleaned_data.get("reason", ""),
        )
        if outcome.errors:
            form.entry_errors_add(outcome.errors)
            return False
        messages.success(
            request,
            _("Tercatat: %(name)s %(result)s.")
            % {"name": task.supporter.name, "result": outcome.task.get_result_display()}
            if outcome.changed
            else _("Tidak ada perubahan: hasil ini sudah tercatat."),
        )
        return True
    if action == "attest":
        if forms["attest"] is None:
            raise PermissionDenied
        form = AttestForm(request.POST, prefix=f"s{task.pk}")
        forms["attest"] = form
        if not form.is_valid():
            return False
        outcome = attest_denial(
            task=task, by=request.user, statement=form.cleaned_data["statement"]
        )
        if outcome.errors:
            for error in outcome.errors:
                form.add_error(None, error.message)
            return False
        messages.success(
            request,
            _("Kesaksian penolakan tercatat: %(name)s kini TMS.") % {"name": task.supporter.name},
        )
        return True
    raise Http404


# --- sheets -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sheet_upload(request, pk: int):
    pair = _pair(request, pk)
    if not selectors.may_submit_sheet(user=request.user, pair=pair):
        raise PermissionDenied
    form = SheetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        sheet, created = sheet_submit(
            pair=pair, file=f, original_name=f.name, uploaded_by=request.user
        )
        if created:
            messages.success(request, _("Lembar diterima dan sedang diproses."))
        else:
            messages.warning(
                request, _("Lembar yang sama sudah pernah diunggah; ini hasil sebelumnya.")
            )
        return redirect("verfak-sheet", pk=sheet.pk)
    sheets = selectors.sheets_visible(user=request.user).filter(pair=pair).order_by("-id")[:20]
    return render(
        request,
        "fieldwork/sheet_upload.html",
        {
            "pair": pair,
            "form": form,
            "sheets": sheets,
            "open_stage": Stage.objects.filter(pair=pair, status=Stage.Status.OPEN).first(),
        },
    )


def _sheet(request, pk: int) -> Sheet:
    return get_object_or_404(
        selectors.sheets_visible(user=request.user).select_related("pair", "uploaded_by"), pk=pk
    )


@login_required
def sheet_detail(request, pk: int):
    sheet = _sheet(request, pk)
    return render(request, "fieldwork/sheet_detail.html", {"sheet": sheet, "pair": sheet.pair})


@login_required
def sheet_progress(request, pk: int):
    """The htmx partial polled while the sheet is applied."""
    return render(request, "fieldwork/_sheet_progress.html", {"sheet": _sheet(request, pk)})


# --- supervision: Form A and correction advice -------------------------------------------------


def _regions_for(user, stage: Stage) -> list[tuple[str, str]]:
    """The areas a supervisor may report on or advise about: inside both their area and the
    election's region."""
    top = stage.pair.election.region_id
    regions = Region.objects.filter(q_within("code", top), q_within("code", user_area(user)))
    return list(regions.order_by("code").values_list("code", "name"))


@login_required
@require_http_methods(["GET", "POST"])
def reports_page(request, pk: int):
    stage = _stage(request, pk)
    user = request.user
    if not (is_commission(user) or is_supervisor(user)):
        raise PermissionDenied
    may_report = is_supervisor(user)
    form = (
        ReportForm(request.POST or None, regions=_regions_for(user, stage)) if may_report else None
    )
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
    names = _region_names(r.region_code for r in page)
    for report in page:
        report.area_label = _area_label(report.region_code, names)
    return render(
        request,
        "fieldwork/reports.html",
        {"pair": stage.pair, "stage": stage, "page": page, "form": form, "query": ""},
    )


def _advice_required(user) -> None:
    if not (is_commission(user) or is_supervisor(user) or is_committee(user)):
        raise PermissionDenied


@login_required
def advice_list(request, pk: int):
    stage = _stage(request, pk)
    _advice_required(request.user)
    advice = selectors.advice_visible(user=request.user, stage=stage).select_related("by", "task")
    status = request.GET.get("status", "")
    if status in Advice.Status.values:
        advice = advice.filter(status=status)
    page = Paginator(advice.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    names = _region_names(a.region_code for a in page)
    for item in page:
        item.area_label = _area_label(item.region_code, names)
    counts = dict(
        selectors.advice_visible(user=request.user, stage=stage)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return render(
        request,
        "fieldwork/advice_list.html",
        {
            "pair": stage.pair,
            "stage": stage,
            "page": page,
            "status": status,
            "statuses": [(v, label, counts.get(v, 0)) for v, label in Advice.Status.choices],
            "may_advise": is_supervisor(request.user) and stage.status == Stage.Status.OPEN,
            "query": f"status={status}" if status else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def advice_new(request, pk: int):
    stage = _stage(request, pk)
    user = request.user
    if not is_supervisor(user):
        raise PermissionDenied
    task = None
    task_id = request.POST.get("tugas") or request.GET.get("tugas") or ""
    if task_id:
        task = get_object_or_404(
            selectors.tasks_visible(user=user, stage=stage).select_related("supporter"),
            pk=int(task_id) if task_id.isdigit() else 0,
        )
    form = AdviceForm(request.POST or None, regions=_regions_for(user, stage), task=task)
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
    pairs = _election_pairs(stage.pair)
    form = correction = None
    if may_answer:
        form = AnswerForm(request.POST or None)
        if advice.task is not None:
            # Filled only when the answer includes a correction: no browser-side `required`.
            correction = EntryForm(
                request.POST or None,
                task=advice.task,
                pairs=pairs,
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
            "area_label": _area_label(advice.region_code, _region_names([advice.region_code])),
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


# --- the service worker -------------------------------------------------------------------------


@never_cache
def service_worker(request):
    """Served under /verfak/ so that its scope covers the worklists and task pages; it keeps
    their last copy, for as long as the session that read it lasts (fieldwork/offline.py), and
    the static files for a reload without a connection."""
    age = settings.SESSION_COOKIE_AGE
    context = {"cookie": offline.COOKIE, "max_age_ms": age * 1000, "max_age_hours": age // 3600}
    body = render_to_string("fieldwork/sw.js", context)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("verfak-sw").rsplit("/", 1)[0] + "/"
    return response
