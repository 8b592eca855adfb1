"""What waits for this user, by role and area: the home page's to-do list, as plain data.

Each item is counted by the function the page it links to counts with (no second count): the
number on the item is the number that page prints, in the `data-figure` attribute named by the
item's `figure` (tests/portal/test_todo.py reads both). An item is a dict:

    kind       "advice", "objections", "run", "stage_close", "minutes", "visit", "bring_in",
               "attest", "team_stage", "window", "team_bring_in", "repair", "decision"
    title      what to do, in Indonesian
    count      how many (None: nothing to count)
    note       one more line (dates, the spread missing, ...)
    url        the page where it is done
    deadline   the last day (None: no date), days_left its distance from today (days_late
               the days past it)
    figure     the `data-figure` of `count` on the page at `url` (None: not printed as one)
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates import selectors as candidates
from candidates.models import Pair, Round, SubmissionWindow
from candidates.standing import standing_read
from documents.models import Minutes
from documents.selectors import issue_areas
from electorate.models import Role
from fieldwork import selectors as field
from fieldwork.counts import area_counts
from fieldwork.models import Advice, Stage
from fieldwork.rules import bring_in_deadline
from objections import selectors as objections
from objections.models import Objection
from staff.access import is_commission, user_role
from verification import selectors as verification
from verification.charts import n
from verification.models import VerificationRun


def _item(
    kind: str,
    title: str,
    url: str,
    *,
    count: int | None = None,
    note: str = "",
    deadline: dt.date | None = None,
    figure: str | None = None,
    today: dt.date,
) -> dict:
    days_left = (deadline - today).days if deadline else None
    return {
        "kind": kind,
        "title": title,
        "count": count,
        "note": note,
        "url": url,
        "deadline": deadline,
        "days_left": days_left,
        "days_late": -days_left if days_left is not None and days_left < 0 else 0,
        "figure": figure,
    }


def _d(day: dt.date) -> str:
    return date_format(day, "j M Y")


def todo_for(*, user, today: dt.date | None = None) -> list[dict]:
    """The user's to-do list: the items of each role the user holds, soonest deadline first
    (items without a date after those with one, in their order)."""
    today = today or timezone.localdate()
    items: list[dict] = []
    if candidates.pair_for_team(user=user) is not None:
        items += team_todo(user=user, today=today)
    if is_commission(user):
        items += kpu_todo(user=user, today=today)
    if user_role(user) == Role.PPK:
        items += _stages_to_close(user, today)
    if user_role(user) in (Role.PPS, Role.PPK) or field.is_pkd(user):
        items += field_todo(user=user, today=today)
    order = {id(item): i for i, item in enumerate(items)}
    return sorted(
        items, key=lambda i: (i["deadline"] is None, i["deadline"] or today, order[id(i)])
    )


# --- KPU ------------------------------------------------------------------------------------------


def kpu_todo(*, user, today: dt.date) -> list[dict]:
    """Advice and objections waiting for an answer, runs to start, stages to close, minutes."""
    items: list[dict] = []
    stages = list(
        Stage.objects.filter(
            pair__in=candidates.pairs_visible(user=user), status=Stage.Status.OPEN
        ).select_related("pair__election")
    )
    for stage in sorted(stages, key=lambda s: (s.closes, s.pair.name)):
        # fieldwork/advice_list.html: the advice the user sees, counted by status.
        waiting = field.advice_counts(user=user, stage=stage).get(Advice.Status.OPEN, 0)
        if waiting:
            items.append(
                _item(
                    "advice",
                    _("Jawab saran perbaikan pengawas · %(pair)s") % {"pair": stage.pair.name},
                    reverse("verfak-advice-list", args=[stage.pk]) + "?status=open",
                    count=waiting,
                    note=_("Verifikasi faktual %(n)s: dijawab sebelum wilayahnya ditutup.")
                    % {"n": stage.number},
                    deadline=stage.closes,
                    figure="advice.open",
                    today=today,
                )
            )
    # objections/list.html: the open ones among those the user sees (status_counts).
    counts = objections.status_counts(objections.objections_visible(user=user))
    open_objections = sum(counts[s] for s in Objection.OPEN_STATUSES)
    if open_objections:
        items.append(
            _item(
                "objections",
                _("Klarifikasi dan putuskan tanggapan masyarakat"),
                reverse("objection-list") + "?status=terbuka",
                count=open_objections,
                figure="objections.open",
                today=today,
            )
        )
    for pair in candidates.pairs_managed(user=user).select_related("election").order_by("name"):
        if pair.decided_at is None:  # a decided pair submits nothing more; its minutes are due
            items += _run_to_start(pair, today)
        items += _minutes_to_issue(user, pair, today)
    items += _stages_to_close(user, today)
    return items


def _run_to_start(pair: Pair, today: dt.date) -> list[dict]:
    """verification/run.html: the rounds with supporters not yet verified (rounds_waiting)."""
    latest = verification.latest_run(pair=pair)
    if latest is not None and latest.status in (
        VerificationRun.Status.PENDING,
        VerificationRun.Status.RUNNING,
    ):
        return []
    waiting = verification.rounds_waiting(pair=pair)
    round_ = verification.round_next(waiting)
    row = next((w for w in waiting if w["round"] == round_), None)
    if row is None or not row["waiting"]:
        return []
    return [
        _item(
            "run",
            _("Mulai verifikasi administrasi · %(pair)s") % {"pair": pair.name},
            reverse("verification-run", args=[pair.pk]),
            count=row["waiting"],
            note=_("%(round)s: pendukung belum diverifikasi.") % {"round": row["label"]},
            figure=f"run.waiting.{round_}",
            today=today,
        )
    ]


def _stages_done(pair: Pair) -> list[tuple[str, int, str]]:
    """The stages of the pair that are over: (Minutes.Stage, round or number, label)."""
    done = []
    rounds = (
        VerificationRun.objects.filter(pair=pair, status=VerificationRun.Status.DONE)
        .values_list("round", flat=True)
        .distinct()
    )
    for round_ in sorted(set(rounds)):
        done.append(
            (Minutes.Stage.VERMIN, round_, _("Verifikasi administrasi, %s") % Round(round_).label)
        )
    for number in Stage.objects.filter(pair=pair, status=Stage.Status.CLOSED).values_list(
        "number", flat=True
    ):
        done.append((Minutes.Stage.VERFAK, number, _("Verifikasi faktual %s") % number))
    if pair.decided_at is not None:
        done.append((Minutes.Stage.DECISION, 0, str(Minutes.Stage.DECISION.label)))
    return done


def _minutes_to_issue(user, pair: Pair, today: dt.date) -> list[dict]:
    """documents/pair.html: each stage over whose minutes this KPU has not issued for its level
    (documents.selectors.issue_areas)."""
    areas = issue_areas(user=user, pair=pair)
    if not areas:
        return []
    issued = set(
        Minutes.objects.filter(pair=pair, region_id__in=areas).values_list(
            "stage", "round", "region_id"
        )
    )
    missing = [
        label
        for stage, round_, label in _stages_done(pair)
        for area in areas[:1]  # the user's own level: the first the KPU may issue
        if (stage, round_, area) not in issued
    ]
    if not missing:
        return []
    return [
        _item(
            "minutes",
            _("Terbitkan berita acara · %(pair)s") % {"pair": pair.name},
            reverse("minutes-pair", args=[pair.pk]),
            count=len(missing),
            note="; ".join(missing),
            today=today,
        )
    ]


def _stages_to_close(user, today: dt.date) -> list[dict]:
    """fieldwork/pair.html: the open stages whose areas this user closes (area_table, the
    page's table), with the supporters still to visit in the user's scope."""
    items = []
    stages = Stage.objects.filter(
        pair__in=candidates.pairs_visible(user=user), status=Stage.Status.OPEN
    ).select_related("pair__election")
    for stage in stages.order_by("closes", "pk"):
        scope = field.scope_of(user=user, pair=stage.pair)
        table = field.area_table(user=user, stage=stage, scope=scope)
        ready = sum(1 for row in table.rows if row["may_close"])
        manages = field.may_manage_stage(user=user, pair=stage.pair)
        if not ready and not manages:
            continue
        note = _("Masa %(a)s s.d. %(b)s.") % {"a": _d(stage.opens), "b": _d(stage.closes)}
        if ready:
            note += " " + _("%(n)s wilayah siap ditutup.") % {"n": ready}
        items.append(
            _item(
                "stage_close",
                _("Tutup verifikasi faktual %(n)s · %(pair)s")
                % {"n": stage.number, "pair": stage.pair.name},
                reverse("verfak-pair", args=[stage.pair_id]) + f"?tahap={stage.number}",
                count=table.counts["todo"],
                note=note,
                deadline=stage.closes,
                figure="verfak.todo",
                today=today,
            )
        )
    return items


# --- PPS, PPK, PKD --------------------------------------------------------------------------------


def field_todo(*, user, today: dt.date) -> list[dict]:
    """Per worklist (fieldwork.selectors.worklists_for): supporters still to visit and those
    who may still be brought in (PPS, PPK); the denials to attest (PKD). Counted as the
    worklist page counts: area_counts, and worklist_filter for a filtered list."""
    items = []
    pkd = field.is_pkd(user)
    for w in field.worklists_for(user=user):
        stage, code = w["stage"], w["code"]
        place = stage.pair.name + (f" · {w['name']}" if w["name"] else "")
        url = reverse("verfak-worklist", args=[stage.pk, code])
        tasks = field.tasks_visible(user=user, stage=stage).filter(kelurahan_code=code)
        if pkd:
            attest = field.worklist_filter(tasks, status="saksi").count()
            if attest:
                items.append(
                    _item(
                        "attest",
                        _("Saksikan penolakan · %(place)s") % {"place": place},
                        url + "?status=saksi",
                        count=attest,
                        note=_("Verifikasi faktual %(n)s, sampai %(d)s.")
                        % {"n": stage.number, "d": _d(stage.closes)},
                        deadline=stage.closes,
                        figure="worklist.listed",
                        today=today,
                    )
                )
            continue
        todo = area_counts(stage, code)["todo"]
        if todo:
            items.append(
                _item(
                    "visit",
                    _("Temui pendukung · %(place)s") % {"place": place},
                    url,
                    count=todo,
                    note=_("Verifikasi faktual %(n)s: belum diverifikasi.") % {"n": stage.number},
                    deadline=stage.closes,
                    figure="worklist.todo",
                    today=today,
                )
            )
        waiting = field.worklist_filter(tasks, status="dihadirkan")
        count = waiting.count()
        if count:
            days = stage.pair.election.bring_in_days
            deadlines = [
                d
                for d in (
                    bring_in_deadline(day, days)
                    for day in waiting.values_list("not_met_on", flat=True).distinct()
                )
                if d is not None and d >= today
            ]
            items.append(
                _item(
                    "bring_in",
                    _("Pendukung yang dapat dihadirkan tim · %(place)s") % {"place": place},
                    url + "?status=dihadirkan",
                    count=count,
                    note=_("Catat bila dihadirkan ke kantor PPS sebelum batasnya."),
                    deadline=min(deadlines) if deadlines else None,
                    figure="worklist.listed",
                    today=today,
                )
            )
    return items


# --- a team ---------------------------------------------------------------------------------------


def team_todo(*, user, today: dt.date) -> list[dict]:
    """The team's stage, its next window, the supporters to bring in by when, the shortfall and
    spread still missing (the stored standing), and the decision once taken."""
    pair = candidates.pair_for_team(user=user)
    if pair is None:
        return []
    standing = standing_read(pair=pair) or {}
    summary = reverse("pair-detail", args=[pair.pk])
    if pair.decided_at is not None:
        met = pair.decision_result == "memenuhi_syarat"
        return [
            _item(
                "decision",
                _("Keputusan KPU: memenuhi syarat dukungan")
                if met
                else _("Keputusan KPU: tidak memenuhi syarat dukungan"),
                reverse("decision-pair", args=[pair.pk]),
                note=_("Ditetapkan %(d)s. Tidak ada lagi unggahan atau tahap baru.")
                % {"d": _d(timezone.localtime(pair.decided_at).date())},
                today=today,
            )
        ]
    items = []
    if standing:
        items.append(
            _item(
                "team_stage",
                _("Tahap sekarang: %(status)s") % {"status": standing.get("status_label", "")},
                summary,
                today=today,
            )
        )
    for stage in Stage.objects.filter(pair=pair, status=Stage.Status.OPEN).select_related(
        "pair__election"
    ):
        waiting = field.bring_in_waiting(user=user, stage=stage)
        due = [t.deadline for t in waiting if t.deadline and t.deadline >= today]
        if waiting:
            items.append(
                _item(
                    "team_bring_in",
                    _("Hadirkan pendukung yang tidak ditemui ke kantor PPS"),
                    reverse("verfak-pair", args=[pair.pk]) + f"?tahap={stage.number}",
                    count=len(waiting),
                    note=_("Verifikasi faktual %(n)s; tiap pendukung punya batasnya sendiri.")
                    % {"n": stage.number},
                    deadline=min(due) if due else None,
                    figure="verfak.bring_in",
                    today=today,
                )
            )
    owed = standing.get("repair_owed")
    if owed is not None:
        spread = standing.get("spread") or {}
        note = _("Perbaikan wajib: %(n)s pendukung.") % {"n": n(standing.get("repair_required", 0))}
        if spread.get("shortfall"):
            note += " " + _("Kurang sebaran %(n)s wilayah.") % {"n": spread["shortfall"]}
        items.append(
            _item(
                "repair",
                _("Kekurangan dukungan untuk %(round)s") % {"round": Round(owed).label},
                summary,
                count=standing.get("shortfall", 0),
                note=note,
                figure="standing.shortfall",
                today=today,
            )
        )
    window = _next_window(pair, owed, today)
    if window is not None:
        opened = window.opens <= today
        items.append(
            _item(
                "window",
                (
                    _("Masa penyerahan %(round)s dibuka")
                    if opened
                    else _("Masa penyerahan %(round)s")
                )
                % {"round": window.get_round_display()},
                reverse("upload-create", args=[pair.pk]),
                note=_("%(a)s s.d. %(b)s.") % {"a": _d(window.opens), "b": _d(window.closes)},
                deadline=window.closes,
                today=today,
            )
        )
    return items


def _next_window(pair: Pair, owed: int | None, today: dt.date) -> SubmissionWindow | None:
    """The round the pair is owed, if its window is not over; else a window open or to come."""
    windows = SubmissionWindow.objects.filter(election_id=pair.election_id, closes__gte=today)
    if owed is not None:
        return windows.filter(round=owed).first()
    return windows.order_by("opens", "round").first()
