"""Pages for a pair's support uploads: the upload form, the count-and-spread check and the
team's B.2-KWK, an upload's progress and result, the guide and the template.

Every object is looked up inside what the user may see (candidates.selectors): outside it is a
404, so that the page does not even confirm that the object exists. Seeing an object but not
being allowed to act on it is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates import selectors
from candidates.check_text import check_message
from candidates.forms import (
    SummaryUploadForm,
    SupportUploadForm,
)
from candidates.guide import guide_columns
from candidates.intake import REQUIRED as SUPPORT_COLUMNS
from candidates.models import Round, SupportUpload
from candidates.precheck import precheck_csv, precheck_sections, precheck_xlsx
from candidates.services import (
    round_open,
    support_upload_submit,
)
from candidates.submission import check_latest, submission_check_run, upload_check
from candidates.summary import summary_latest, summary_submit
from staff.access import (
    q_within,
)


@login_required
@require_http_methods(["GET", "POST"])
def upload_create(request, pk: int):
    pair = get_object_or_404(
        selectors.pairs_visible(user=request.user).select_related("election"), pk=pk
    )
    if not selectors.may_upload(user=request.user, pair=pair):
        raise PermissionDenied
    # The same page takes the team's B.2-KWK and the KPU's count-and-spread check.
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "b2":
        return _summary_upload(request, pair)
    if action == "check":
        return _submission_check(request, pair)
    # The round whose submission window is open today is the one offered first.
    initial = {"round": round_open(election=pair.election)}
    form = SupportUploadForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        windows=list(pair.election.windows.all()),
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            upload, created = support_upload_submit(
                pair=pair,
                round=form.cleaned_data["round"],
                file=f,
                original_name=f.name,
                uploaded_by=request.user,
            )
        except ValidationError as exc:  # outside the round's submission window
            form.add_error(None, exc)
        else:
            _upload_message(request, upload, created)
            return redirect("upload-detail", pk=upload.pk)
    uploads = selectors.uploads_visible(user=request.user).filter(pair=pair).order_by("-id")[:20]
    return render(
        request,
        "candidates/upload_form.html",
        {
            "form": form,
            "pair": pair,
            "uploads": uploads,
            "windows": pair.election.windows.all(),
            **_check_context(request, pair),
        },
    )


def _check_context(request, pair) -> dict:
    """The count-and-spread check in force and the team's B.2-KWK, for the upload page."""
    check = check_latest(pair=pair, round=Round.INITIAL)
    return {
        "check": check,
        "check_message": check_message(check) if check else "",
        "summary": summary_latest(pair=pair),
        "summary_form": SummaryUploadForm(),
        "may_check": selectors.manages_pair(user=request.user, pair=pair),
    }


def _summary_upload(request, pair):
    """The team (or the KPU on its behalf) hands in its form B.2-KWK for the initial list."""
    if pair.decided_at:
        raise PermissionDenied
    form = SummaryUploadForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["summary"]
        try:
            summary = summary_submit(pair=pair, file=f, original_name=f.name, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if summary.status != summary.Status.DONE:
                messages.error(request, summary.failure)
            else:
                messages.success(
                    request,
                    _("Formulir B.2-KWK diterima: %(ok)s wilayah, %(bad)s baris ditolak.")
                    % {"ok": summary.accepted, "bad": summary.rejected},
                )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("upload-create", pk=pair.pk)


def _submission_check(request, pair):
    """The KPU running the election checks the initial list's count and spread now."""
    if not selectors.manages_pair(user=request.user, pair=pair):
        raise PermissionDenied
    try:
        check = submission_check_run(pair=pair, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        level = messages.success if check.status == check.Status.MEMENUHI else messages.warning
        level(request, check_message(check))
    return redirect("upload-create", pk=pair.pk)


def _upload_message(request, upload: SupportUpload, created: bool) -> None:
    """What the banner says after sending a file. Without a broker the file has been read by
    now: the banner then says how it went, never "received" beside a failed file; the page
    below it shows the details, and keeps following a file still being read."""
    sent_back = upload.status != upload.Status.PENDING  # as returned: nothing to read again
    upload.refresh_from_db()
    if sent_back and upload.status == upload.Status.DONE:
        messages.warning(
            request, _("Berkas yang sama sudah pernah diunggah; ini hasil unggahan sebelumnya.")
        )
    elif upload.status == upload.Status.FAILED:
        messages.error(request, _("Berkas tidak dapat diproses: lihat sebabnya di bawah."))
    elif upload.status == upload.Status.DONE:
        text = _("Berkas selesai diproses: %(ok)s baris diterima, %(bad)s ditolak.") % {
            "ok": number_format(upload.accepted, force_grouping=True),
            "bad": number_format(upload.rejected, force_grouping=True),
        }
        flagged = (upload.precheck or {}).get("flagged", 0)
        if flagged:  # "diterima" alone hid the duplicates until the KPU's run
            text += " " + _(
                "%(n)s baris yang diterima berperingatan: lihat “Pemeriksaan awal berkas”."
            ) % {"n": number_format(flagged, force_grouping=True)}
        (messages.warning if flagged else messages.success)(request, text)
    elif created:
        messages.info(request, _("Berkas diterima dan sedang diproses."))
    else:
        messages.info(request, _("Berkas yang sama sudah pernah diunggah; kini diproses ulang."))


def _upload(request, pk: int) -> SupportUpload:
    return get_object_or_404(
        selectors.uploads_visible(user=request.user).select_related("pair", "uploaded_by"), pk=pk
    )


def _upload_context(upload: SupportUpload, user=None) -> dict:
    """The upload and, for a repair round, its check against the repair the pair owes."""
    check = upload_check(upload) if upload.round != Round.INITIAL else None
    report = upload.precheck or {}
    return {
        "upload": upload,
        "repair_check": check,
        "repair_message": check_message(check) if check else "",
        "precheck": report,
        "precheck_sections": precheck_sections(report),
        "precheck_download": user is not None and selectors.may_upload(user=user, pair=upload.pair),
    }


@login_required
def upload_detail(request, pk: int):
    return render(
        request,
        "candidates/upload_detail.html",
        _upload_context(_upload(request, pk), request.user),
    )


@login_required
@require_http_methods(["GET"])
def upload_precheck_download(request, pk: int, fmt: str):
    """The pre-check's flagged rows (candidates.precheck) as CSV or XLSX, read back from the
    kept file with the team's own columns, the NIK masked: for the team and the KPU running
    the election (who may upload for the pair)."""
    from django.http import Http404, HttpResponse

    upload = _upload(request, pk)
    if not selectors.may_upload(user=request.user, pair=upload.pair):
        raise PermissionDenied
    if fmt not in ("csv", "xlsx") or not (upload.precheck or {}).get("flagged"):
        raise Http404
    if (
        upload.purged_at is not None
        or not upload.file
        or not upload.file.storage.exists(upload.file.name)
    ):  # deleted after the retention period (or lost): the rows cannot be read back
        return HttpResponse(
            _("Berkas unggahan ini sudah dihapus sesuai masa simpan: baris-barisnya tidak dapat "
              "diunduh lagi. Daftar nomor baris tetap ada di halaman unggahan."),
            status=410, content_type="text/plain; charset=utf-8",
        )  # fmt: skip
    stem = f"peringatan-unggahan-{upload.pk}"
    if fmt == "csv":
        response = HttpResponse(precheck_csv(upload), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            precheck_xlsx(upload),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def upload_guide(request):
    """How to fill the support list: its columns, what goes in them, the headers accepted."""
    return render(
        request,
        "candidates/guide.html",
        {
            "title": _("Panduan pengisian daftar dukungan"),
            "columns": guide_columns(SUPPORT_COLUMNS),
            "example": "contoh/daftar-dukungan.csv",
            "kind": "support",
        },
    )


@login_required
def upload_progress(request, pk: int):
    """The htmx partial polled while the file is read; it stops polling once finished."""
    return render(
        request,
        "candidates/_upload_progress.html",
        _upload_context(_upload(request, pk), request.user),
    )


@login_required
@require_http_methods(["GET"])
def support_template(request, pk: int):
    """The XLSX template of one kelurahan of the pair's election (?kelurahan=CODE), for the
    team and the KPU running it; without a kelurahan of the election, the page to choose one."""
    import io

    from django.http import HttpResponse

    from candidates.template import support_template_xlsx, template_name
    from electorate.models import Region
    from files.parsing import kelurahan_code_normalize

    pair = get_object_or_404(
        selectors.pairs_visible(user=request.user).select_related("election"), pk=pk
    )
    if not selectors.may_upload(user=request.user, pair=pair):
        raise PermissionDenied
    villages = Region.objects.filter(
        q_within("code", pair.election.region_id), level=Region.Level.KELURAHAN
    )
    code = kelurahan_code_normalize(request.GET.get("kelurahan", ""))
    kelurahan = villages.filter(code=code).select_related("parent__parent").first()
    if kelurahan is None:
        return render(
            request,
            "candidates/support_template.html",
            {"pair": pair, "choices": villages.order_by("code").values_list("code", "name")},
            status=400 if request.GET.get("kelurahan") else 200,
        )
    body = io.BytesIO()
    support_template_xlsx(pair=pair, kelurahan=kelurahan, out=body)
    response = HttpResponse(
        body.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{template_name(kelurahan)}"'
    return response
