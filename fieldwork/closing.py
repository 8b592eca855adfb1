"""Closing a stage level by level (docs/domain.md step 5): PPS closes its kelurahan, PPK its
kecamatan, the KPU kab/kota, then (governor elections) the KPU provinsi. A closed area is
read-only and its counts are frozen; each level's counts are the sum of the level below.
Reopening needs the level above (whose area must itself be open) and a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.trail import audit_record
from electorate.areas import KELURAHAN, code_ancestor, code_depth, code_parent
from electorate.models import Region
from fieldwork import findings
from fieldwork.counts import (
    active_closures,
    add_counts,
    area_counts,
    empty_counts,
    kelurahan_counts,
)
from fieldwork.models import Advice, Closure, Record, Result, Stage, Task
from fieldwork.records import record_write, task_apply, task_snapshot
from fieldwork.rules import TO_VISIT, bring_in_deadline, bring_in_open, bring_in_over
from fieldwork.standing import standing_refresh
from staff.access import code_within

LEVEL_LABELS = {1: _("provinsi"), 2: _("kabupaten/kota"), 3: _("kecamatan"), 4: _("kelurahan/desa")}


@dataclass(frozen=True)
class AreaState:
    """What decides whether an area of a stage may close now (close_refusal)."""

    code: str
    todo: int = 0  # a kelurahan: supporters with nothing recorded (rules.TO_VISIT)
    not_met_last: dt.date | None = None  # a kelurahan: its latest not-met record not TMS yet
    open_below: tuple[str, ...] = ()  # above a kelurahan: areas below with supporters, open
    open_advice: int = 0  # above a kelurahan: correction advice inside it not answered


# Why an area may not close yet.
TODO, WAITING, OPEN_BELOW, OPEN_ADVICE = "todo", "waiting", "open_below", "open_advice"


def close_refusal(
    state: AreaState, *, bring_in_days: int, as_of: dt.date, final: bool = False
) -> str | None:
    """May this area close on `as_of`? None if so, else why not: a kelurahan with supporters
    still to record (unless `final`: the whole stage closes and they become TMS) or one not met
    whom the team may still bring in; an area above with an area below still open, or advice
    unanswered inside it. The one readiness rule: area_close refuses by it and the area table
    (fieldwork.selectors.area_table) offers "close" by it."""
    if code_depth(state.code) == KELURAHAN:
        if state.todo and not final:
            return TODO
        if bring_in_open(state.not_met_last, bring_in_days, on=as_of):
            return WAITING
        return None
    if state.open_below:
        return OPEN_BELOW
    if state.open_advice:
        return OPEN_ADVICE
    return None


def area_close(
    *, stage: Stage, region_code: str, by=None, as_of: dt.date | None = None, final: bool = False
) -> Closure:
    """Close one area of the stage. A kelurahan closes once every supporter has a finding and
    no one not met can still be brought in; those not met whose time ran out become TMS.
    `final` (the KPU closing the whole stage after its window): supporters never visited
    become TMS too. A higher area closes once every area below it with supporters is closed
    and no correction advice inside it is unanswered."""
    as_of = as_of or timezone.localdate()
    top = stage.pair.election.region_id
    if not code_within(region_code, top):
        raise ValidationError(
            _("Wilayah %(code)s di luar wilayah pemilihan.") % {"code": region_code}
        )
    with transaction.atomic():
        stage = Stage.objects.select_for_update().select_related("pair__election").get(pk=stage.pk)
        if region_code in active_closures(stage, region_code):
            raise ValidationError(_("Wilayah ini sudah ditutup."))
        if code_depth(region_code) == KELURAHAN:
            _kelurahan_ready(stage, region_code, as_of=as_of, final=final, by=by)
            counts = area_counts(stage, region_code)
        else:
            counts = _children_ready(stage, region_code, as_of=as_of)
        closure = Closure.objects.create(
            stage=stage, region_code=region_code, counts=counts, closed_by=by
        )
        audit_record("verfak.area_closed", actor=by, area=region_code, target=stage,
                     data={"counts": counts, "as_of": as_of, "final": final})  # fmt: skip
        if region_code == top:
            Stage.objects.filter(pk=stage.pk).update(
                status=Stage.Status.CLOSED, closed_at=timezone.now()
            )
            # The stage's field results now count, and its minutes print this standing.
            standing_refresh(pair=stage.pair, freeze=f"verfak:{stage.number}")
    return closure


def _kelurahan_ready(stage: Stage, code: str, *, as_of: dt.date, final: bool, by) -> None:
    tasks = Task.objects.filter(stage=stage, kelurahan_code=code)
    # Lock the kelurahan's tasks: an entry (which locks its task) committing meanwhile would
    # leave the frozen counts behind it. In id order, as an entry locks its person's tasks.
    list(tasks.select_for_update().order_by("pk").values_list("pk", flat=True))
    # A double who chose another pair elsewhere is TMS without a visit: nothing to record.
    unrecorded = tasks.filter(TO_VISIT).count()
    days = stage.pair.election.bring_in_days
    not_met = list(tasks.filter(finding__in=findings.not_met_codes()).exclude(result=Result.TMS))
    last_not_met = max((t.not_met_on for t in not_met if t.not_met_on), default=None)
    state = AreaState(code, todo=unrecorded, not_met_last=last_not_met)
    why = close_refusal(state, bring_in_days=days, as_of=as_of, final=final)
    if why == TODO:
        raise ValidationError(
            _("%(n)s pendukung belum diverifikasi: catat hasilnya dulu sebelum menutup kelurahan.")
            % {"n": unrecorded}
        )
    if why == WAITING:
        waiting = [t for t in not_met if bring_in_open(t.not_met_on, days, on=as_of)]
        last = bring_in_deadline(last_not_met, days)
        raise ValidationError(
            _(
                "%(n)s pendukung yang tidak ditemui masih dapat dihadirkan tim sampai %(d)s: "
                "tutup sesudah tanggal itu."
            )
            % {"n": len(waiting), "d": date_format(last, "SHORT_DATE_FORMAT")}
        )
    expiring = not_met + (list(tasks.filter(finding="")) if final else [])
    for task in expiring:
        _expire(task, as_of=as_of, by=by)


def _expire(task: Task, *, as_of: dt.date, by) -> None:
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("stage__pair__election")
        .get(pk=task.pk)
    )
    before = task_snapshot(task)
    task_apply(task, {}, closing_on=as_of)
    if task_snapshot(task) != before:
        record_write(task, before, source=Record.Source.CLOSE, by=by)


def _children_ready(stage: Stage, code: str, *, as_of: dt.date) -> dict:
    """The areas one level below with supporters must be closed; their frozen counts add up."""
    child_depth = code_depth(code) + 1
    children = sorted({code_ancestor(kel, child_depth) for kel in kelurahan_counts(stage, code)})
    closed = active_closures(stage, code)
    missing = [c for c in children if c not in closed]
    open_advice = Advice.objects.filter(stage=stage, status=Advice.Status.OPEN)
    open_here = [a for a in open_advice if code_within(a.region_code, code)]
    state = AreaState(code, open_below=tuple(missing), open_advice=len(open_here))
    why = close_refusal(state, bring_in_days=stage.pair.election.bring_in_days, as_of=as_of)
    if why == OPEN_BELOW:
        names = dict(Region.objects.filter(code__in=missing[:5]).values_list("code", "name"))
        shown = ", ".join(f"{names.get(c, '')} ({c})" for c in missing[:5])
        raise ValidationError(
            _("%(n)s %(level)s belum ditutup: %(list)s%(more)s.")
            % {
                "n": len(missing),
                "level": LEVEL_LABELS[child_depth],
                "list": shown,
                "more": "…" if len(missing) > 5 else "",
            }
        )
    if why == OPEN_ADVICE:
        raise ValidationError(
            _("%(n)s saran perbaikan pengawas di wilayah ini belum dijawab KPU: jawab dulu.")
            % {"n": len(open_here)}
        )
    counts = empty_counts()
    for child in children:
        add_counts(counts, closed[child].counts)
    return counts


def area_reopen(*, stage: Stage, region_code: str, reason: str, by=None) -> Closure:
    """Reopen a closed area (the level above decides; its own area must be open)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Tuliskan alasan membuka kembali."))
    with transaction.atomic():
        closures = active_closures(stage)
        closure = closures.get(region_code)
        if closure is None:
            raise ValidationError(_("Wilayah ini belum ditutup."))
        parent = code_parent(region_code)
        if parent and parent in closures:
            raise ValidationError(
                _("Wilayah di atasnya sudah ditutup: buka kembali yang di atas dulu.")
            )
        closure.reopened_at = timezone.now()
        closure.reopened_by = by
        closure.reopen_reason = reason
        closure.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
        audit_record("verfak.area_reopened", actor=by, area=region_code, target=stage,
                     data={"reason": reason})  # fmt: skip
        if region_code == stage.pair.election.region_id:
            Stage.objects.filter(pk=stage.pk).update(status=Stage.Status.OPEN, closed_at=None)
            standing_refresh(pair=stage.pair)  # open again: its results no longer count
    return closure


def stage_close_preview(*, stage: Stage, as_of: dt.date | None = None) -> dict:
    """What closing the whole stage on `as_of` turns TMS, in the kelurahan not closed yet:
    {"unvisited": never visited, "not_brought_in": not met and their 3 days over, "total"}."""
    as_of = as_of or timezone.localdate()
    tasks = Task.objects.filter(stage=stage).exclude(
        kelurahan_code__in=[c for c in active_closures(stage) if code_depth(c) == KELURAHAN]
    )
    unvisited = tasks.filter(TO_VISIT).count()
    over = bring_in_over(stage.pair.election.bring_in_days, on=as_of)
    not_brought_in = (
        tasks.filter(over, finding__in=findings.not_met_codes()).exclude(result=Result.TMS).count()
    )
    return {
        "unvisited": unvisited,
        "not_brought_in": not_brought_in,
        "total": unvisited + not_brought_in,
    }


def stage_close_all(
    *, stage: Stage, as_of: dt.date | None = None, by=None, confirm: int | None = None
) -> dict:
    """The KPU closes every level of the stage once its window has ended: every kelurahan
    (never visited or not brought in: TMS), then each level up to the election's region.
    Areas closed already stay as they are. Returns the stage's counts.

    Turning supporters TMS without a visit is the KPU's act: when there are any, `confirm`
    must state how many (stage_close_preview), or the closing is refused with the number."""
    as_of = as_of or timezone.localdate()
    if as_of <= stage.closes:
        raise ValidationError(
            _("Masa verifikasi faktual berakhir %(d)s: tahap ditutup sesudah tanggal itu.")
            % {"d": date_format(stage.closes, "SHORT_DATE_FORMAT")}
        )
    preview = stage_close_preview(stage=stage, as_of=as_of)
    if preview["total"] and confirm != preview["total"]:
        raise ValidationError(
            _(
                "Menutup tahap ini menjadikan %(n)s pendukung TMS tanpa didatangi (%(u)s belum "
                "pernah didatangi, %(b)s tidak dihadirkan dalam batas waktu): konfirmasi dengan "
                "jumlah %(n)s."
            )
            % {"n": preview["total"], "u": preview["unvisited"], "b": preview["not_brought_in"]}
        )
    top = stage.pair.election.region_id
    kelurahan = sorted(kelurahan_counts(stage))
    for level in range(KELURAHAN, code_depth(top) - 1, -1):
        codes = sorted({code_ancestor(k, level) for k in kelurahan}) if kelurahan else []
        if level == code_depth(top):
            codes = [top]
        closed = active_closures(stage)
        for code in codes:
            if code not in closed:
                area_close(stage=stage, region_code=code, by=by, as_of=as_of, final=True)
    stage.refresh_from_db()
    return area_counts(stage, top)
