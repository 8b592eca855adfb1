"""The home page: one dashboard, whose content depends on the role (the selectors decide)."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.trail import audit_record
from candidates import selectors
from candidates.standing import standing_read
from electorate.access import (
    is_commission,
    may_see_names,
    may_see_recap,
    user_area,
    user_role,
)
from fieldwork.selectors import worklists_for


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: the SVG icon answers. Resolved per
    request, not when the URLs load (in production the static manifest names the file)."""
    return redirect(static("img/favicon.svg"), permanent=True)


@login_required
def home(request):
    user = request.user
    elections = (
        selectors.elections_visible(user=user)
        .select_related("region")
        .annotate(pair_count=Count("pairs"))
        .order_by("-voting_day", "name")[:20]
    )
    pairs = selectors.pairs_visible(user=user).select_related("election").order_by("name")[:50]
    team_pair = selectors.pair_for_team(user=user)
    return render(
        request,
        "portal/home.html",
        {
            "team_pair": team_pair,
            "team_standing": standing_read(pair=team_pair) if team_pair else None,
            "elections": elections,
            "pairs": pairs,
            "role": user_role(user),
            "area": user_area(user),
            "is_commission": is_commission(user),
            "may_recap": may_see_recap(user),
            "may_names": may_see_names(user),
            "worklists": worklists_for(user=user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The code page: set the phone up on first use (QR code drawn here, no network), then a
    6-digit code. django-otp throttles repeated wrong codes itself."""
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setup = device is None
    if setup:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or (
            TOTPDevice.objects.create(user=user, name="ponsel", confirmed=False)
        )
    error = ""
    if request.method == "POST":
        token = "".join(ch for ch in request.POST.get("token", "") if ch.isdigit())
        if device.verify_token(token):
            if setup:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record("auth.otp_verified", actor=user, area=user_area(user) or "")
            target = request.POST.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
        audit_record("auth.otp_failed", actor=user, area=user_area(user) or "")
        error = _("Kode salah atau sudah kedaluwarsa. Masukkan kode terbaru dari aplikasi.")
    context = {"setup": setup, "error": error, "next": request.GET.get("next", "")}
    if setup:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = b32encode(device.bin_key).decode()
    return render(request, "portal/otp.html", context)
