"""The user's notifications, the header's unread count and the e-mail choice."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from electorate.params import id_param
from notifications.forms import PreferenceForm
from notifications.models import Notification, Preference
from notifications.services import notifications_read, preference_set, unread_count, wants_email


@login_required
def notification_list(request):
    rows = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(rows, 30).get_page(id_param(request.GET.get("page")) or 1)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": unread_count(user=request.user)},
    )


@login_required
def unread_badge(request):
    """The header's count (htmx, after the page loaded: no page pays for it)."""
    return render(request, "notifications/_count.html", {"unread": unread_count(user=request.user)})


@login_required
@require_POST
def read_all(request):
    notifications_read(user=request.user)
    return redirect("notification-list")


@login_required
@require_POST
def notification_open(request):
    """Mark it read and go to the page to act on (its id in the form: one URL, no id in it)."""
    notification = get_object_or_404(
        Notification, pk=id_param(request.POST.get("id")) or 0, user=request.user
    )
    notifications_read(user=request.user, ids=[notification.pk])
    if not url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect("notification-list")
    return redirect(notification.link)


@login_required
def preference_page(request):
    user = request.user
    stored = Preference.objects.filter(user=user).values_list("email", flat=True).first()
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preference_set(user=user, email=form.cleaned_data["email"])
            messages.success(request, _("Pengaturan notifikasi disimpan."))
            return redirect("notification-settings")
    else:
        form = PreferenceForm(initial={"email": wants_email(email=user.email, preference=stored)})
    return render(request, "notifications/settings.html", {"form": form, "address": user.email})
