"""The KPU's and the committees' actions on the pair's page, one URL each: start a stage, move
its window, close it all; close or reopen one area. Each answers with a redirect (to `next`
when safe, else the pair's page) and the service's answer as a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candidates.models import Pair
from electorate.params import id_param
from fieldwork import selectors
from fieldwork.forms import ReasonForm, StageStartForm, WindowForm
from fieldwork.models import Stage
from fieldwork.services import area_close, area_reopen, stage_close_all, stage_start, window_change
from fieldwork.views.common import errors_show, next_url, pair_get


def _back(request, pair: Pair):
    return redirect(next_url(request, reverse("verfak-pair", kwargs={"pk": pair.pk})))


def _answer(request, pair: Pair, write: Callable[[], Any], success: Callable[[Any], str]):
    """Every action's end: the service's refusal shown as errors, or `success` of what it
    returned as the message; back to the page."""
    try:
        done = write()
    except ValidationError as exc:
        errors_show(request, exc)
    else:
        messages.success(request, success(done))
    return _back(request, pair)


def _managed(request, pk: int) -> Pair:
    pair = pair_get(request, pk)
    if not selectors.may_manage_stage(user=request.user, pair=pair):
        raise PermissionDenied
    return pair


def _posted_stage(request, pair: Pair) -> Stage:
    stage_id = request.POST.get("stage", "")
    return get_object_or_404(
        selectors.stages_visible(user=request.user, pair=pair).select_related("pair__election"),
        pk=id_param(stage_id) or 0,
    )


@login_required
@require_POST
def stage_start_view(request, pk: int):
    pair = _managed(request, pk)
    form = StageStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Periksa tahap dan tanggal mulai."))
        return _back(request, pair)
    data = form.cleaned_data
    return _answer(
        request,
        pair,
        lambda: stage_start(pair=pair, round=data["round"], opens=data["opens"], by=request.user),
        lambda stage: (
            _("Verifikasi faktual %(n)s dimulai: %(total)s pendukung, %(a)s s.d. %(b)s.")
            % {
                "n": stage.number,
                "total": intcomma(stage.tasks_total),
                "a": date_format(stage.opens, "SHORT_DATE_FORMAT"),
                "b": date_format(stage.closes, "SHORT_DATE_FORMAT"),
            }
        ),
    )


@login_required
@require_POST
def window_view(request, pk: int):
    pair = _managed(request, pk)
    stage = _posted_stage(request, pair)
    form = WindowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Isi tanggal penutupan baru dan alasannya."))
        return _back(request, pair)
    data = form.cleaned_data
    return _answer(
        request,
        pair,
        lambda: window_change(
            stage=stage, closes=data["closes"], reason=data["reason"], by=request.user
        ),
        lambda _stage: _("Masa verifikasi faktual diubah."),
    )


@login_required
@require_POST
def close_all_view(request, pk: int):
    pair = _managed(request, pk)
    stage = _posted_stage(request, pair)
    confirm = request.POST.get("confirm", "")
    return _answer(
        request,
        pair,
        lambda: stage_close_all(
            stage=stage, by=request.user, confirm=int(confirm) if confirm.isdigit() else None
        ),
        lambda counts: (
            _("Verifikasi faktual %(n)s ditutup di semua tingkat: MS %(ms)s, TMS %(tms)s.")
            % {"n": stage.number, "ms": counts["MS"], "tms": counts["TMS"]}
        ),
    )


def _area(request, pair: Pair) -> tuple[Stage, str]:
    stage = _posted_stage(request, pair)
    code = request.POST.get("code", "").strip()
    if not selectors.area_in_reach(user=request.user, stage=stage, code=code):
        raise Http404
    return stage, code


@login_required
@require_POST
def area_close_view(request, pk: int):
    pair = pair_get(request, pk)
    stage, code = _area(request, pair)
    if not selectors.may_close(user=request.user, region_code=code):
        raise PermissionDenied
    return _answer(
        request,
        pair,
        lambda: area_close(stage=stage, region_code=code, by=request.user).counts,
        lambda counts: (
            _("Wilayah %(area)s ditutup: MS %(ms)s, TMS %(tms)s dari %(total)s pendukung.")
            % {
                "area": selectors.area_label(code),
                "ms": counts["MS"],
                "tms": counts["TMS"],
                "total": counts["total"],
            }
        ),
    )


@login_required
@require_POST
def area_reopen_view(request, pk: int):
    pair = pair_get(request, pk)
    stage, code = _area(request, pair)
    if not selectors.may_reopen(user=request.user, region_code=code):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tuliskan alasan membuka kembali."))
        return _back(request, pair)
    reason = form.cleaned_data["reason"]
    return _answer(
        request,
        pair,
        lambda: area_reopen(stage=stage, region_code=code, reason=reason, by=request.user),
        lambda _closure: (
            _("Wilayah %(area)s dibuka kembali.") % {"area": selectors.area_label(code)}
        ),
    )
