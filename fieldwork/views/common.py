"""What the field pages share: objects fetched only from what the user may reach (outside it a
404; seen but not allowed, a 403), the safe `next`, the services' refusals as messages, and the
forms a task offers this user."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from candidates import selectors as candidates
from candidates.models import Pair
from fieldwork import pages, selectors
from fieldwork.forms import AttestForm, CorrectionForm, EntryForm
from fieldwork.models import Stage, Task

PAGE_SIZE = 25
# The service worker's cache (templates/fieldwork/sw.js); the pages add themselves to it.
SW_CACHE = "verfak-v1"


def pair_get(request, pk: int) -> Pair:
    return get_object_or_404(
        candidates.pairs_visible(user=request.user).select_related("election__region"), pk=pk
    )


def stage_get(request, pk: int) -> Stage:
    return get_object_or_404(
        selectors.stages_reachable(user=request.user).select_related("pair__election__region"),
        pk=pk,
    )


def task_get(request, pk: int) -> Task:
    return get_object_or_404(
        selectors.tasks_in_reach(user=request.user).select_related(
            "stage__pair__election", "supporter", "chosen_pair"
        ),
        pk=pk,
    )


def worklist_required(request) -> None:
    if not selectors.may_see_worklist(request.user):
        raise PermissionDenied


def next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def errors_show(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def worklist_url(stage: Stage, code: str) -> str:
    return reverse("verfak-worklist", kwargs={"pk": stage.pk, "code": code})


def entry_forms(task: Task, pairs, offers: pages.TaskOffers) -> dict:
    """The forms this user has on this task (the worklist's row and the task page), as the
    selectors answer what the user may do there."""
    return {
        "entry": EntryForm(task=task, pairs=pairs) if offers.record else None,
        "correction": CorrectionForm(task=task, pairs=pairs) if offers.correct else None,
        "attest": AttestForm(prefix=f"s{task.pk}") if offers.attest else None,
        "advise": offers.advise,
    }
