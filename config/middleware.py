"""What a page answers when a service refuses a file as too large (files.uploads): the
limit in the user's language, back on the page, never a server error. The forms of
candidates check the size themselves; this covers every other page that keeps an upload
through a service (the API has its own answer, 413, in config.api). And a query string
holding a NUL character is refused before any page reads it (QueryNulMiddleware)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from files.uploads import UploadTooLarge


class UploadTooLargeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, UploadTooLarge):
            return None
        messages.error(request, exception.messages[0])
        return redirect(request.get_full_path())


class QueryNulMiddleware:
    """No parameter of any page is meant to hold a NUL character, and PostgreSQL refuses one
    in a query: a search for `?q=%00` answered 500. Refused here (400), whatever the page
    (tests/test_query_fuzz.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in "".join(values) for key, values in request.GET.lists()):
            return HttpResponseBadRequest(_("Parameter alamat halaman tidak sah."))
        return self.get_response(request)
