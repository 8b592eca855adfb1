"""What a page answers when a service refuses a file as too large (electorate.uploads): the
limit in the user's language, back on the page, never a server error. The forms of
candidates check the size themselves; this covers every other page that keeps an upload
through a service (the API has its own answer, 413, in config.api)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from electorate.uploads import UploadTooLarge


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
