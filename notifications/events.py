"""Each event: who is told (by the access rules of the layers below) and what they are told.

Messages carry counts, areas, dates and the pair's name only: never a NIK, never a supporter's
name, never the free text of an advice or an objection (which may hold either). Each event has
a key, so that making it twice (a task delivered twice, the daily sweep run again) tells nobody
twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from candidates.models import Pair, Round
from decisions.models import Decision
from electorate.models import Region, Role
from fieldwork import findings
from fieldwork.models import Advice, Stage, Task
from fieldwork.rules import TO_VISIT, bring_in_deadline, bring_in_open
from fieldwork.supervision import advice_owner
from notifications.models import Kind
from notifications.services import Message, notify, users
from objections.models import Objection
from objections.selectors import objection_owner
from staff.access import COMMISSION_ROLES, region_prefixes
from verification.models import VerificationRun

# --- who: the access rules, as queries over the accounts -------------------------------------


def team_of(pair: Pair) -> QuerySet:
    """The pair's own team (candidates.selectors.user_pair_id: a TIM account tied to it)."""
    return users().filter(assignment__role=Role.TIM, team__pair=pair)


def kpu_running(pair: Pair) -> QuerySet:
    """The KPU running the pair's election (candidates.selectors.elections_managed: the
    election's region lies inside theirs)."""
    return users().filter(
        assignment__role__in=COMMISSION_ROLES,
        assignment__region_id__in=region_prefixes(pair.election.region_id),
    )


def kpu_owning(code: str) -> QuerySet:
    """The KPU whose area holds `code` (the kab/kota that answers an advice or handles an
    objection, or above it: fieldwork.selectors.may_answer, objections.selectors.may_handle)."""
    return users().filter(
        assignment__role__in=COMMISSION_ROLES, assignment__region_id__in=region_prefixes(code)
    )


def pps_of(kelurahan: str) -> QuerySet:
    """The PPS of the kelurahan (fieldwork.selectors.may_record: their area is the task's)."""
    return users().filter(assignment__role=Role.PPS, assignment__region_id=kelurahan)


# --- how: dates and names in Indonesian ---------------------------------------------------------


def _date(day: dt.date) -> str:
    return formats.date_format(day, "j F Y")


def _region(code: str) -> str:
    name = Region.objects.filter(pk=code).values_list("name", flat=True).first()
    return f"{name} ({code})" if name else code


def _round(number: int) -> str:
    return str(Round(number).label) if number in Round.values else str(number)


# --- the events ---------------------------------------------------------------------------------


def run_done(run_id: int) -> int:
    run = VerificationRun.objects.select_related("pair__election").get(pk=run_id)
    pair = run.pair
    counts = run.counts or {}
    figures = ", ".join(
        f"{outcome} {formats.number_format(counts[outcome], force_grouping=True)}"
        for outcome in ("MS", "BMS", "TMS")
        if outcome in counts
    )
    message = Message(
        kind=Kind.RUN_DONE,
        subject=_("Hasil verifikasi administrasi %(pair)s sudah tersedia") % {"pair": pair.name},
        body=_(
            "Verifikasi administrasi %(round)s untuk %(pair)s selesai%(figures)s. "
            "Lihat hasilnya dan langkah berikutnya di halaman hasil."
        )
        % {
            "round": _round(run.round).lower(),
            "pair": pair.name,
            "figures": f": {figures}" if figures else "",
        },
        link=reverse("verification-results", kwargs={"pk": pair.pk}),
    )
    return notify(key=f"run:{run.pk}", users=team_of(pair) | kpu_running(pair), message=message)


def advice_filed(advice_id: int) -> int:
    advice = Advice.objects.select_related("stage__pair").get(pk=advice_id)
    stage = advice.stage
    message = Message(
        kind=Kind.ADVICE_FILED,
        subject=_("Saran perbaikan baru menunggu jawaban KPU"),
        body=_(
            "Pengawas mengajukan saran perbaikan (%(target)s) di %(area)s pada verifikasi "
            "faktual %(number)s %(pair)s. Saran ini harus dijawab sebelum wilayah di atasnya "
            "dapat ditutup."
        )
        % {
            "target": advice.get_target_display().lower(),
            "area": _region(advice.region_code),
            "number": stage.number,
            "pair": stage.pair.name,
        },
        link=reverse("verfak-advice", kwargs={"pk": advice.pk}),
    )
    return notify(
        key=f"advice:{advice.pk}:filed", users=kpu_owning(advice_owner(advice)), message=message
    )


def advice_answered(advice_id: int) -> int:
    advice = Advice.objects.select_related("stage__pair").get(pk=advice_id)
    if advice.answered_at is None or advice.by_id is None:
        return 0
    message = Message(
        kind=Kind.ADVICE_ANSWERED,
        subject=_("Saran perbaikan Anda sudah dijawab KPU"),
        body=_(
            "KPU menjawab saran perbaikan Anda di %(area)s pada verifikasi faktual %(number)s "
            "%(pair)s: %(status)s."
        )
        % {
            "area": _region(advice.region_code),
            "number": advice.stage.number,
            "pair": advice.stage.pair.name,
            "status": advice.get_status_display().lower(),
        },
        link=reverse("verfak-advice", kwargs={"pk": advice.pk}),
    )
    filer = users().filter(pk=advice.by_id, assignment__role=Role.BAWASLU)
    return notify(key=f"advice:{advice.pk}:answered", users=filer, message=message)


def objection_filed(objection_id: int) -> int:
    objection = Objection.objects.select_related("pair__election").get(pk=objection_id)
    pair = objection.pair
    area = _region(objection_owner(objection))
    told = notify(
        key=f"objection:{objection.pk}:filed",
        users=kpu_owning(objection_owner(objection)),
        message=Message(
            kind=Kind.OBJECTION_FILED,
            subject=_("Tanggapan masyarakat %(ref)s menunggu klarifikasi")
            % {"ref": objection.reference},
            body=_(
                "Tanggapan masyarakat %(ref)s tentang dukungan untuk %(pair)s di %(area)s "
                "diterima dan menunggu klarifikasi KPU."
            )
            % {"ref": objection.reference, "pair": pair.name, "area": area},
            link=reverse("objection-detail", kwargs={"pk": objection.pk}),
        ),
    )
    return told + notify(
        key=f"objection:{objection.pk}:filed",
        users=team_of(pair),
        message=Message(
            kind=Kind.OBJECTION_FILED,
            subject=_("Ada tanggapan masyarakat tentang dukungan untuk pasangan Anda"),
            body=_(
                "Tanggapan masyarakat %(ref)s menyatakan satu dukungan untuk %(pair)s di "
                "%(area)s diberikan tanpa persetujuan. KPU akan mengklarifikasinya; bila "
                "terbukti, dukungan itu dicoret."
            )
            % {"ref": objection.reference, "pair": pair.name, "area": area},
            link=reverse("pair-detail", kwargs={"pk": pair.pk}),
        ),
    )


def objection_decided(objection_id: int) -> int:
    objection = Objection.objects.select_related("pair").get(pk=objection_id)
    if objection.is_open:
        return 0
    pair = objection.pair
    message = Message(
        kind=Kind.OBJECTION_DECIDED,
        subject=_("Tanggapan masyarakat %(ref)s sudah diputuskan") % {"ref": objection.reference},
        body=_("Keputusan KPU atas tanggapan masyarakat %(ref)s tentang %(pair)s: %(status)s.")
        % {
            "ref": objection.reference,
            "pair": pair.name,
            "status": objection.get_status_display().lower(),
        },
        link=reverse("verification-results", kwargs={"pk": pair.pk}),
    )
    return notify(key=f"objection:{objection.pk}:decided", users=team_of(pair), message=message)


def decision(decision_id: int) -> int:
    decided = Decision.objects.select_related("pair__election").get(pk=decision_id)
    pair = decided.pair
    message = Message(
        kind=Kind.DECISION,
        subject=_("Keputusan KPU tentang dukungan %(pair)s") % {"pair": pair.name},
        body=_(
            "KPU memutuskan dukungan %(pair)s: %(result)s (MS %(ms)s dari syarat %(threshold)s; "
            "sebaran %(spread)s dari %(required)s wilayah)."
        )
        % {
            "pair": pair.name,
            "result": decided.get_result_display().lower(),
            "ms": formats.number_format(decided.ms, force_grouping=True),
            "threshold": formats.number_format(decided.threshold, force_grouping=True),
            "spread": decided.spread_achieved,
            "required": decided.spread_required,
        },
        link=reverse("decision-pair", kwargs={"pk": pair.pk}),
    )
    return notify(
        key=f"decision:{decided.pk}", users=team_of(pair) | kpu_running(pair), message=message
    )


EVENTS = {
    "run_done": run_done,
    "advice_filed": advice_filed,
    "advice_answered": advice_answered,
    "objection_filed": objection_filed,
    "objection_decided": objection_decided,
    "decision": decision,
}


def event_notify(event: str, pk: int) -> int:
    with translation.override("id"):
        return EVENTS[event](pk)


# --- the daily sweep: deadlines -----------------------------------------------------------------


def stages_closing(*, today: dt.date, days: int = 2) -> int:
    """Open stages whose window closes `days` days from today: the team, the KPU running it,
    and each PPS with supporters still to visit."""
    told = 0
    closes = today + dt.timedelta(days=days)
    stages = Stage.objects.filter(status=Stage.Status.OPEN, closes=closes).select_related(
        "pair__election"
    )
    for stage in stages:
        pair = stage.pair
        key = f"closing:{stage.pk}:{stage.closes.isoformat()}"
        words = {"number": stage.number, "pair": pair.name, "date": _date(stage.closes), "n": days}
        subject = _("Verifikasi faktual %(number)s %(pair)s ditutup %(n)s hari lagi") % words
        told += notify(
            key=key,
            users=team_of(pair) | kpu_running(pair),
            message=Message(
                kind=Kind.STAGE_CLOSING,
                subject=subject,
                body=_(
                    "Masa verifikasi faktual %(number)s untuk %(pair)s berakhir %(date)s. "
                    "Pendukung yang belum diverifikasi saat itu menjadi TMS."
                )
                % words,
                link=reverse("verfak-pair", kwargs={"pk": pair.pk}),
            ),
        )
        waiting = (
            Task.objects.filter(TO_VISIT, stage=stage)
            .values("kelurahan_code")
            .annotate(n=Count("pk"))
            .order_by("kelurahan_code")
        )
        for row in waiting:
            told += notify(
                key=key,
                users=pps_of(row["kelurahan_code"]),
                message=Message(
                    kind=Kind.STAGE_CLOSING,
                    subject=subject,
                    body=_(
                        "Masa verifikasi faktual %(number)s untuk %(pair)s berakhir %(date)s. "
                        "Di %(area)s masih %(count)s pendukung belum diverifikasi."
                    )
                    % {**words, "area": _region(row["kelurahan_code"]), "count": row["n"]},
                    link=reverse(
                        "verfak-worklist", kwargs={"pk": stage.pk, "code": row["kelurahan_code"]}
                    ),
                ),
            )
    return told


def bring_ins(*, today: dt.date) -> int:
    """Supporters not met before today whose bring-in time is still running: the team is told
    how many to bring to which PPS office by when, each PPS how many may come. One query for
    the counts (by stage, kelurahan and day); one notification per day not met."""
    rows = (
        Task.objects.filter(
            finding__in=findings.not_met_codes(),
            not_met_on__lt=today,
            not_met_on__isnull=False,
            stage__status=Stage.Status.OPEN,
        )
        .values("stage_id", "kelurahan_code", "not_met_on", "stage__pair__election__bring_in_days")
        .annotate(n=Count("pk"))
        .order_by("stage_id", "not_met_on", "kelurahan_code")
    )
    by_day: dict[tuple[int, dt.date], list[dict]] = defaultdict(list)
    for row in rows:
        days = row["stage__pair__election__bring_in_days"]
        if bring_in_open(row["not_met_on"], days, on=today):
            deadline = bring_in_deadline(row["not_met_on"], days)
            by_day[(row["stage_id"], row["not_met_on"])].append({**row, "deadline": deadline})
    told = 0
    stages = Stage.objects.select_related("pair").in_bulk({stage_id for stage_id, _day in by_day})
    for (stage_id, day), areas in by_day.items():
        stage = stages[stage_id]
        pair = stage.pair
        deadline = areas[0]["deadline"]
        key = f"bring_in:{stage_id}:{day.isoformat()}"
        words = {
            "number": stage.number,
            "pair": pair.name,
            "day": _date(day),
            "deadline": _date(deadline),
        }
        places = "; ".join(f"{_region(a['kelurahan_code'])}: {a['n']}" for a in areas)
        told += notify(
            key=key,
            users=team_of(pair),
            message=Message(
                kind=Kind.BRING_IN,
                subject=_("%(count)s pendukung dapat dihadirkan sampai %(deadline)s")
                % {"count": sum(a["n"] for a in areas), "deadline": words["deadline"]},
                body=_(
                    "Pada verifikasi faktual %(number)s, PPS tidak menemui %(count)s pendukung "
                    "%(pair)s pada %(day)s. Tim dapat menghadirkan mereka ke kantor PPS "
                    "paling lambat %(deadline)s; setelah itu mereka menjadi TMS. Per "
                    "kelurahan: %(places)s."
                )
                % {**words, "count": sum(a["n"] for a in areas), "places": places},
                link=reverse("verfak-pair", kwargs={"pk": pair.pk}),
            ),
        )
        for area in areas:
            told += notify(
                key=key,
                users=pps_of(area["kelurahan_code"]),
                message=Message(
                    kind=Kind.BRING_IN,
                    subject=_("Pendukung yang tidak ditemui dapat dihadirkan sampai %(deadline)s")
                    % words,
                    body=_(
                        "%(count)s pendukung %(pair)s yang tidak ditemui pada %(day)s di "
                        "%(area)s dapat dihadirkan tim ke kantor PPS paling lambat %(deadline)s."
                    )
                    % {**words, "count": area["n"], "area": _region(area["kelurahan_code"])},
                    link=reverse(
                        "verfak-worklist", kwargs={"pk": stage_id, "code": area["kelurahan_code"]}
                    ),
                ),
            )
    return told


def daily(*, today: dt.date) -> dict[str, int]:
    """What the daily command (notifications_daily) sends; running it twice sends nothing more."""
    with translation.override("id"):
        return {"stages_closing": stages_closing(today=today), "bring_ins": bring_ins(today=today)}
