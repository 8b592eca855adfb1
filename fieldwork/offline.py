"""The field pages' offline copies go with the session that read them.

A PPS's worklist holds names, addresses and RT/RW; the service worker (templates/fieldwork/
sw.js) keeps the last copy of each field page so that it opens without a connection. That copy
must not outlive the session, nor be readable by whoever holds the phone without it:

- Each session gets its own key, kept in the session and given to the browser in the cookie
  COOKIE (user id, expiry, key; not HttpOnly: the service worker reads it, nothing else
  secret is in it). The service worker stores each page encrypted (AES-GCM) under that key in
  a cache named after user and expiry, and decrypts it only while the cookie is there and
  unexpired: cookies cleared, the browser closed (in production the cookie dies with the
  browser, like the session's), a session of 8 hours over, or another user signed in, and the
  copy cannot be read and is deleted.
- Signing out answers with Clear-Site-Data ("cache", "storage"): the browser drops the copies,
  the service worker and the page's storage with the session. Any page without a live cookie
  (the sign-in page, the next morning) deletes the copies too (static/js/site.js).
- Pages for a signed-in user are never kept by the browser's own HTTP cache (no-store).
"""

from __future__ import annotations

import base64
import secrets
import time

from django.conf import settings
from django.utils.cache import patch_cache_control

COOKIE = "verfak_offline"
SESSION_KEY = "verfak_offline"
FIELD_PREFIX = "/verfak/"


def offline_marker(request) -> str:
    """The cookie's value for this session: "user.expiry.key", a new key once expired."""
    now = int(time.time())
    stored = request.session.get(SESSION_KEY)
    if not stored or stored["user"] != request.user.pk or stored["exp"] <= now:
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        stored = {"user": request.user.pk, "exp": now + settings.SESSION_COOKIE_AGE, "key": key}
        request.session[SESSION_KEY] = stored
    return f"{stored['user']}.{stored['exp']}.{stored['key']}"


class OfflineCopiesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if request.user.is_authenticated:
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_store=True)
            if request.path.startswith(FIELD_PREFIX):
                value = offline_marker(request)
                if request.COOKIES.get(COOKIE) != value:
                    self._set(response, value)
        else:
            if signed_in:  # this request signed out
                response["Clear-Site-Data"] = '"cache", "storage"'
            if signed_in or COOKIE in request.COOKIES:
                response.delete_cookie(COOKIE, path="/", samesite="Strict")
        return response

    @staticmethod
    def _set(response, value: str) -> None:
        expiry = int(value.split(".")[1])
        response.set_cookie(
            COOKIE,
            value,
            # Dies with the browser where the session's cookie does (production).
            max_age=None
            if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
            else max(0, expiry - int(time.time())),
            path="/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=False,
            samesite="Strict",
        )
