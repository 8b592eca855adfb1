"""Bawaslu's part in the field (docs/domain.md step 5): supervision reports (Form A) and correction
advice (saran perbaikan) that the KPU owning the area must answer. Attesting a denial is in
fieldwork.records (it changes a supporter's result)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import audit_record
from electorate.areas import KABKOTA, code_ancestor
from fieldwork.models import Advice, Report, Stage, Task
from fieldwork.records import Entry, record_entry
from staff.access import code_within


def _in_election(stage: Stage, region_code: str) -> None:
    if not region_code or not code_within(region_code, stage.pair.election.region_id):
        raise ValidationError(_("Pilih wilayah di dalam wilayah pemilihan."))


def report_create(
    *,
    stage: Stage,
    region_code: str,
    observed_at: dt.datetime,
    place: str,
    observed: str,
    by=None,
    task: Task | None = None,
) -> Report:
    """Form A: what the supervisor saw, where and when."""
    _in_election(stage, region_code)
    if not (observed or "").strip() or not (place or "").strip():
        raise ValidationError(_("Isi tempat dan hasil pengawasan."))
    if observed_at > timezone.now():
        raise ValidationError(_("Waktu pengawasan belum terjadi."))
    with transaction.atomic():
        report = Report.objects.create(
            stage=stage,
            region_code=region_code,
            task=task,
            observed_at=observed_at,
            place=place.strip(),
            observed=observed.strip(),
            by=by,
        )
        audit_record("supervision.report_filed", actor=by, area=region_code, target=report)
    return report


def advice_create(
    *,
    stage: Stage,
    target: str,
    text: str,
    by=None,
    region_code: str = "",
    task: Task | None = None,
) -> Advice:
    """A correction advice about a supporter (its task), an area's results, or the procedure."""
    if target not in Advice.Target.values:
        raise ValidationError(_("Pilih sasaran saran perbaikan."))
    if target == Advice.Target.SUPPORTER:
        if task is None or task.stage_id != stage.pk:
            raise ValidationError(_("Pilih pendukung yang dimaksud."))
        region_code = task.kelurahan_code
    _in_election(stage, region_code)
    if not (text or "").strip():
        raise ValidationError(_("Tuliskan saran perbaikan."))
    if stage.status == Stage.Status.CLOSED:
        raise ValidationError(_("Tahap ini sudah ditutup."))
    with transaction.atomic():
        advice = Advice.objects.create(
            stage=stage, target=target, region_code=region_code, task=task, text=text.strip(), by=by
        )
        audit_record("supervision.advice_filed", actor=by, area=region_code, target=advice,
                     data={"target": target, "task": getattr(task, "pk", None)})  # fmt: skip
    return advice


def advice_owner(advice: Advice) -> str:
    """The KPU level that answers: the kab/kota of the area, or the province for an advice
    about the whole province."""
    return code_ancestor(advice.region_code, KABKOTA)


def advice_answer(
    *, advice: Advice, accept: bool, answer: str, by=None, correction: Entry | None = None
) -> Advice:
    """Accept (with the correction of a supporter's record, which then points to the advice)
    or reject (the reason is required). Either way the answer is kept with who and when."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError(_("Tuliskan jawaban atas saran perbaikan (alasan bila ditolak)."))
    with transaction.atomic():
        advice = (
            Advice.objects.select_for_update()
            .select_related("stage__pair__election")
            .get(pk=advice.pk)
        )
        if advice.status != Advice.Status.OPEN:
            raise ValidationError(_("Saran perbaikan ini sudah dijawab."))
        if accept and correction is not None:
            if advice.task is None:
                raise ValidationError(
                    _("Koreksi hasil hanya untuk saran tentang seorang pendukung.")
                )
            outcome = record_entry(
                task=advice.task,
                entry=correction,
                by=by,
                source="advice",
                reason=answer,
                advice=advice,
            )
            if outcome.errors:
                raise ValidationError([e.message for e in outcome.errors])
        advice.status = Advice.Status.ACCEPTED if accept else Advice.Status.REJECTED
        advice.answer = answer
        advice.answered_by = by
        advice.answered_at = timezone.now()
        advice.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit_record("supervision.advice_answered", actor=by, area=advice.region_code,
                     target=advice, data={"status": advice.status, "answer": answer})  # fmt: skip
    return advice
