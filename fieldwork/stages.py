"""Starting a stage of factual verification (the handover from the administrative check) and
moving its window."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.models import Pair, Supporter
from candidates.standing import pair_undecided_check
from fieldwork.choices import choice_reach
from fieldwork.models import Choice, Result, Stage, Task, WindowChange
from fieldwork.rules import window_closes
from fieldwork.standing import standing_refresh
from files.pgcopy import statistics_refresh
from verification.models import VerificationResult, VerificationRun
from verification.rules import Reason

TASK = Task._meta.db_table
RESULT = VerificationResult._meta.db_table
SUPPORTER = Supporter._meta.db_table
# Refreshed right after a stage's tasks are inserted (files.pgcopy.statistics_refresh): the
# columns the field pages filter and group the tasks by.
TASK_STATISTICS = ("stage_id", "kelurahan_code", "result", "finding", "supporter_id")
# Task.position: the stage's lists by kelurahan, then name (the supporter's id breaks ties).
POSITION_ORDER = "kelurahan_code, name, supporter_id"


def stage_start(
    *, pair: Pair, round: int | None = None, opens: dt.date | None = None, by=None
) -> Stage:
    """Hand the MS supporters of the administrative rounds up to `round` (default: the latest
    verified one) to the field: a worklist task each, in the kelurahan where the recap places
    them, plus every supporter whose only reason is DUPLICATE_EXTERNAL (the double supporter
    chooses one pair in the field). Supporters already handed to an earlier stage are not
    handed again. Starting the same round again returns its stage unchanged.

    A person handed here who has a task of another pair is a double on both sides (_doubles_mark),
    and a choice they made already in another pair's stage reaches their new task
    (_choices_apply)."""
    election = pair.election
    if round is None:
        round = _latest_verified_round(pair)
    pair_undecided_check(pair)
    existing = Stage.objects.filter(pair=pair, round=round).first()
    if existing is not None:
        return existing
    _startable_check(pair, round)
    opens = opens or timezone.localdate()
    with transaction.atomic():
        Pair.objects.select_for_update().filter(pk=pair.pk).first()
        number = (Stage.objects.filter(pair=pair).aggregate(n=Max("number"))["n"] or 0) + 1
        stage = Stage.objects.create(
            pair=pair,
            number=number,
            round=round,
            opens=opens,
            closes=window_closes(opens, election.verfak_days),
            created_by=by,
        )
        total = _tasks_insert(stage)
        _doubles_mark(stage)
        _choices_apply(stage)
        Stage.objects.filter(pk=stage.pk).update(tasks_total=total)
        stage.tasks_total = total
        audit_record("verfak.stage_started", actor=by, area=election.region_id, target=stage,
                     data={"pair": pair.pk, "round": round, "opens": stage.opens,
                           "closes": stage.closes, "tasks": total})  # fmt: skip
        standing_refresh(pair=pair)  # the stage is now the pair's latest step
    # Up to a list's worth of new tasks: the area counts of every field page and the home
    # page's to-do list are planned for a table of as many rows as before until autovacuum
    # gets to it (at DKI's size a sort on disk, 85 ms, instead of a hash, 32 ms).
    statistics_refresh(TASK, TASK_STATISTICS)
    return stage


def _latest_verified_round(pair: Pair) -> int:
    run = (
        VerificationRun.objects.filter(pair=pair, status=VerificationRun.Status.DONE)
        .order_by("-round")
        .first()
    )
    if run is None:
        raise ValidationError(
            _("Verifikasi faktual dimulai setelah verifikasi administrasi selesai.")
        )
    return run.round


def _startable_check(pair: Pair, round: int) -> None:
    unverified = Supporter.objects.filter(pair=pair, round__lte=round, verification__isnull=True)
    if unverified.exists():
        raise ValidationError(
            _(
                "Masih ada pendukung tahap %(round)s atau sebelumnya yang belum diverifikasi "
                "administrasi: selesaikan dulu verifikasi administrasinya."
            )
            % {"round": round}
        )
    open_stage = Stage.objects.filter(pair=pair, status=Stage.Status.OPEN).first()
    if open_stage is not None:
        raise ValidationError(
            _("Verifikasi faktual %(n)s masih berlangsung: tutup dulu sebelum memulai yang baru.")
            % {"n": open_stage.number}
        )


def _tasks_insert(stage: Stage) -> int:
    """The new tasks chosen into a temporary table first, then inserted from it: no row goes
    through Python. Chosen apart because a single INSERT .. SELECT whose NOT EXISTS reads the
    table it fills was planned against the empty table of a first stage (a nested loop over
    a sequential scan of it) and then rescanned the growing heap for every row: 108k tasks of
    the DKI benchmark took over four minutes; chosen apart, seconds."""
    params = {
        "stage": stage.pk,
        "pair": stage.pair_id,
        "round": stage.round,
        "external": int(Reason.DUPLICATE_EXTERNAL),
        "no": False,
        "pending": Result.PENDING,
    }
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS fieldwork_stage_new")
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE fieldwork_stage_new AS
            SELECT r.pair_id, r.supporter_id, r.kelurahan_code, s.nik_hash, s.name,
                   r.reasons = %(external)s AS is_double
            FROM {RESULT} r JOIN {SUPPORTER} s ON s.id = r.supporter_id
            WHERE r.pair_id = %(pair)s AND r.round <= %(round)s AND r.superseded = %(no)s
              AND (r.outcome = 'MS' OR r.reasons = %(external)s)
              AND NOT EXISTS (SELECT 1 FROM {TASK} t WHERE t.supporter_id = r.supporter_id)
              -- A person met in an earlier stage is not met again: a double (BMS, so free to
              -- resubmit in a repair) sent again would otherwise count twice.
              AND NOT EXISTS (
                  SELECT 1 FROM {TASK} t WHERE t.nik_hash = s.nik_hash AND t.pair_id = r.pair_id
              )
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO {TASK} (stage_id, pair_id, supporter_id, kelurahan_code, nik_hash, double,
                                finding, method, attested, result, note, version, position)
            SELECT %(stage)s, pair_id, supporter_id, kelurahan_code, nik_hash, is_double,
                   '', '', %(no)s, %(pending)s, 'UNRECORDED', 0,
                   ROW_NUMBER() OVER (ORDER BY {POSITION_ORDER})
            FROM fieldwork_stage_new
            """,
            params,
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE fieldwork_stage_new")
        return inserted


def _doubles_mark(stage: Stage) -> None:
    """Every task of a person handed to this stage who also has a task of another pair of the
    election is a double: a person MS for pair A before pair B listed them (so A's task is not
    double) is met by both PPS as one who chooses a pair. The flag alone, in one UPDATE; no
    result changes, so a closed task may take it."""
    pairs = Pair.objects.filter(election_id=stage.pair.election_id).values("pk")
    elsewhere = Task.objects.filter(nik_hash=OuterRef("nik_hash"), pair__in=pairs).exclude(
        pair_id=OuterRef("pair_id")
    )
    Task.objects.filter(
        pair__in=pairs,
        double=False,
        nik_hash__in=Task.objects.filter(stage=stage).values("nik_hash"),
    ).filter(Exists(elsewhere)).update(double=True)


def _choices_apply(stage: Stage) -> None:
    """A person may have chosen a pair already, in another pair's stage: their new task takes
    the choice (records.choice_reach: the chosen pair's follows the finding recorded with it,
    any other pair's is TMS). Doubles or not: the choice is the person's."""
    chosen = Choice.objects.filter(
        election_id=stage.pair.election_id, nik_hash=OuterRef("nik_hash")
    ).values("pk")[:1]
    tasks = list(
        Task.objects.filter(stage=stage)
        .annotate(choice_id=Subquery(chosen))
        .filter(choice_id__isnull=False)
        .select_related("stage__pair__election")
        .order_by("pk")
    )
    choices = Choice.objects.select_related("record__task", "record__by").in_bulk(
        {t.choice_id for t in tasks}
    )
    for task in tasks:
        choice = choices[task.choice_id]
        choice_reach(choice, origin=choice.record.task, tasks=[task], by=choice.record.by)


def window_change(
    *, stage: Stage, closes: dt.date, reason: str, by=None, today: dt.date | None = None
) -> Stage:
    """The KPU moves the closing date, e.g. to let a late entry in; the reason is kept. Not
    into the past (a window that ended yesterday would let the stage close today, its
    unvisited supporters TMS), not before an entry already recorded, not once closed."""
    reason = (reason or "").strip()
    today = today or timezone.localdate()
    if not reason:
        raise ValidationError(_("Tuliskan alasan perubahan masa verifikasi faktual."))
    if closes < stage.opens:
        raise ValidationError(
            _("Tanggal penutupan tidak boleh sebelum tanggal pembukaan (%(opens)s).")
            % {"opens": date_format(stage.opens, "SHORT_DATE_FORMAT")}
        )
    if closes < today:
        raise ValidationError(
            _("Tanggal penutupan %(d)s sudah lewat: pilih hari ini (%(t)s) atau sesudahnya.")
            % {
                "d": date_format(closes, "SHORT_DATE_FORMAT"),
                "t": date_format(today, "SHORT_DATE_FORMAT"),
            }
        )
    latest = Task.objects.filter(stage=stage).aggregate(v=Max("visited_on"), n=Max("not_met_on"))
    recorded = max((d for d in latest.values() if d is not None), default=None)
    if recorded is not None and closes < recorded:
        raise ValidationError(
            _(
                "Sudah ada hasil yang dicatat pada %(d)s: tanggal penutupan tidak boleh sebelum "
                "tanggal itu."
            )
            % {"d": date_format(recorded, "SHORT_DATE_FORMAT")}
        )
    with transaction.atomic():
        locked = Stage.objects.select_for_update().get(pk=stage.pk)
        if locked.status == Stage.Status.CLOSED:
            raise ValidationError(_("Tahap ini sudah ditutup: masanya tidak dapat diubah lagi."))
        WindowChange.objects.create(
            stage=locked, old_closes=locked.closes, new_closes=closes, reason=reason, by=by
        )
        locked.closes = closes
        locked.save(update_fields=["closes"])
        audit_record("verfak.window_changed", actor=by, area=stage.pair.election.region_id,
                     target=locked, data={"closes": closes, "reason": reason})  # fmt: skip
    return locked
