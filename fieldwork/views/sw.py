"""The field pages' service worker."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache

from fieldwork import offline


@never_cache
def service_worker(request):
    """Served under /verfak/ so that its scope covers the worklists and task pages; it keeps
    their last copy, for as long as the session that read it lasts (fieldwork/offline.py), and
    the static files for a reload without a connection."""
    age = settings.SESSION_COOKIE_AGE
    context = {"cookie": offline.COOKIE, "max_age_ms": age * 1000, "max_age_hours": age // 3600}
    body = render_to_string("fieldwork/sw.js", context)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("verfak-sw").rsplit("/", 1)[0] + "/"
    return response
