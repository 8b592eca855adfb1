"""How much of a request body is read, per page: the largest file the page takes, plus
REQUEST_MAX_BYTES for its other fields; REQUEST_MAX_BYTES alone everywhere else.

Why: Django reads a multipart body whole (files into temporary files) before the view runs,
so a 1 GB body sent to the citizens' objection form with a stale token, or to the public page
that checks a Berita Acara, was stored in full before the view refused it. Here a body is
refused (413) from its declared length before a byte is read, and an upload handler placed
first counts what is actually received and stops at the limit (the body is never read past
it, the connection is closed). nginx holds each location to the same limits
(deploy/nginx/pilkada.conf; tests/test_body_limits.py compares them).

A form page that takes no file has no business with more than REQUEST_MAX_BYTES, and the
JSON API is held to it too (DRF reads its body as a stream, which DATA_UPLOAD_MAX_MEMORY_SIZE
does not bound).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

# url name -> the setting naming the largest file that page takes. A new page with a file field
# is added here (and to deploy/nginx), or it takes no more than REQUEST_MAX_BYTES.
FILE_PAGES = {
    "roll-upload": "ROLL_UPLOAD_MAX_BYTES",
    "upload-create": "UPLOAD_MAX_BYTES",  # the support list, and the B.2-KWK summary
    "api-upload-list": "UPLOAD_MAX_BYTES",
    "verfak-sheet-upload": "UPLOAD_MAX_BYTES",
    "objection-new": "OBJECTION_STATEMENT_MAX_BYTES",
    "objection-file": "OBJECTION_STATEMENT_MAX_BYTES",
    "minutes-verify": "MINUTES_VERIFY_MAX_BYTES",
}
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


class BodyTooLarge(RequestDataTooBig):
    """More was received than the page takes."""


def body_limit(path: str) -> int:
    """The largest body the page at `path` reads, in bytes."""
    try:
        name = resolve(path).url_name
    except Resolver404:
        name = None
    extra = settings.REQUEST_MAX_BYTES
    if name in FILE_PAGES:
        return getattr(settings, FILE_PAGES[name]) + extra
    return extra


class BodyLimitHandler(FileUploadHandler):
    """First of the upload handlers: counts every byte of every file part as it arrives and
    stops the reading past the limit; the next handlers (memory, temporary file) never get
    more than the limit."""

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise BodyTooLarge(f"more than {self.limit} bytes of files")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class RequestBodyLimitMiddleware:
    """Before any other code reads the body: refuse one declared too large, read a form's body
    under BodyLimitHandler (so the view never sees a body cut short), answer 413."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request.path_info)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return body_refused(request, limit)
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORMS:
            request.upload_handlers.insert(0, BodyLimitHandler(request, limit))
            try:
                request.POST  # noqa: B018 (read now, under the handler)
            except RequestDataTooBig:
                return body_refused(request, limit)
        return self.get_response(request)


def body_refused(request: HttpRequest, limit: int) -> HttpResponse:
    message = _(
        "Kiriman terlalu besar: halaman ini menerima paling banyak %(max)s. Kecilkan berkasnya "
        "(misalnya foto beresolusi lebih rendah, atau daftar dibagi menjadi beberapa berkas) "
        "lalu kirim lagi."
    ) % {"max": _size(limit)}
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


def _size(limit: int) -> str:
    megabytes = limit / (1 << 20)
    if megabytes >= 10:
        return f"{megabytes:,.0f} MB".replace(",", ".")
    return f"{megabytes:.1f} MB".replace(".", ",")
