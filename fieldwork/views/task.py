"""One supporter's task: the facts, the forms the selectors offer, the history of records; its
actions, one URL each: the entry (the page itself), the KPU's correction and the PKD's
attestation of a denial. A refused or invalid form shows the page again with its errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from candidates.services import names_read_log
from fieldwork import findings, pages, selectors
from fieldwork.forms import AttestForm, CorrectionForm, EntryForm
from fieldwork.history import task_history
from fieldwork.models import Record, Task
from fieldwork.services import attest_denial, record_entry
from fieldwork.views.common import (
    SW_CACHE,
    entry_forms,
    next_url,
    task_get,
    worklist_required,
    worklist_url,
)


def _open(request, pk: int) -> tuple[Task, list, dict]:
    task = task_get(request, pk)
    worklist_required(request)
    pairs = pages.election_pairs(task.stage.pair)
    offers = pages.task_offers(user=request.user, stage=task.stage, code=task.kelurahan_code)
    return task, pairs, entry_forms(task, pairs, offers(task))


def _page(request, task: Task, pairs, forms: dict):
    names_read_log(user=request.user, pair=task.stage.pair, what=f"verfak-task:{task.pk}", rows=1)
    return render(
        request,
        "fieldwork/task.html",
        {
            "pair": task.stage.pair,
            "stage": task.stage,
            "task": task,
            "note_label": findings.note_label(task.note),
            "deadline": pages.task_deadline(task),
            "forms": forms,
            "history": task_history(task=task, pairs=pairs),
            "worklist_url": worklist_url(task.stage, task.kelurahan_code),
            "area_label": selectors.area_label(task.kelurahan_code),
            "next": next_url(request, ""),
            "sw_cache": SW_CACHE,
        },
    )


def _done(request, task: Task):
    return redirect(next_url(request, reverse("verfak-task", kwargs={"pk": task.pk})))


def _record(request, task: Task, pairs, forms: dict, kind: str):
    """The entry or the correction: the same form, recorded with its source."""
    if forms[kind] is None:
        raise PermissionDenied
    cls = EntryForm if kind == "entry" else CorrectionForm
    form = forms[kind] = cls(request.POST, task=task, pairs=pairs)
    if not form.is_valid():
        return _page(request, task, pairs, forms)
    outcome = record_entry(
        task=task,
        entry=form.entry(),
        by=request.user,
        source=Record.Source.FORM if kind == "entry" else Record.Source.CORRECTION,
        reason=form.cleaned_data.get("reason", ""),
    )
    if outcome.errors:
        form.entry_errors_add(outcome.errors)
        return _page(request, task, pairs, forms)
    messages.success(
        request,
        _("Tercatat: %(name)s %(result)s.")
        % {"name": task.supporter.name, "result": outcome.task.get_result_display()}
        if outcome.changed
        else _("Tidak ada perubahan: hasil ini sudah tercatat."),
    )
    return _done(request, task)


@login_required
@require_http_methods(["GET", "POST"])
def task_page(request, pk: int):
    task, pairs, forms = _open(request, pk)
    if request.method == "POST":
        return _record(request, task, pairs, forms, "entry")
    return _page(request, task, pairs, forms)


@login_required
@require_POST
def task_correct(request, pk: int):
    task, pairs, forms = _open(request, pk)
    return _record(request, task, pairs, forms, "correction")


@login_required
@require_POST
def task_attest(request, pk: int):
    task, pairs, forms = _open(request, pk)
    if forms["attest"] is None:
        raise PermissionDenied
    form = forms["attest"] = AttestForm(request.POST, prefix=f"s{task.pk}")
    if not form.is_valid():
        return _page(request, task, pairs, forms)
    outcome = attest_denial(task=task, by=request.user, statement=form.cleaned_data["statement"])
    if outcome.errors:
        for error in outcome.errors:
            form.add_error(None, error.message)
        return _page(request, task, pairs, forms)
    messages.success(
        request,
        _("Kesaksian penolakan tercatat: %(name)s kini TMS.") % {"name": task.supporter.name},
    )
    return _done(request, task)
