"""The home page: one dashboard, whose content depends on the role (the selectors decide)."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.trail import audit_record
from candidates import selectors
from candidates.standing import standing_read
from fieldwork.selectors import worklists_for
from portal.todo import todo_for
from staff.access import (
    may,
    may_see_names,
    may_see_recap,
    user_area,
    user_role,
)
from staff.capabilities import Capability


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
            "is_commission": may(user, Capability.RUN_ELECTIONS),
            "may_recap": may_see_recap(user),
            "may_names": may_see_names(user),
            "worklists": worklists_for(user=user),
            "todo": todo_for(user=user),
        },
    )


ENROLLING = "otp_enrolling_device"  # session: the device whose secret this session may see


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The code page: a 6-digit code from the phone; on first use, the phone is set up (QR code
    drawn here, no network) only after the enrollment code an administrator issued for this
    officer (portal/enrollment.py): the password alone never shows the secret. django-otp
    throttles repeated wrong codes itself."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.filter(
            user=user, confirmed=False, pk=request.session.get(ENROLLING, 0)
        ).first()
        if device is None:
            return _otp_enroll(request)
        setup = True
    else:
        setup = False
    error = ""
    if request.method == "POST" and "token" in request.POST:
        token = "".join(ch for ch in request.POST.get("token", "") if ch.isdigit())
        if device.verify_token(token):
            return _otp_verified(request, device, setup=setup)
        audit_record("auth.otp_failed", actor=user, area=user_area(user) or "")
        error = _("Kode salah atau sudah kedaluwarsa. Masukkan kode terbaru dari aplikasi.")
    context = {"setup": setup, "error": error, "next": _next(request)}
    if setup:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = b32encode(device.bin_key).decode()
    return render(request, "portal/otp.html", context)


def _next(request) -> str:
    return request.POST.get("next") or request.GET.get("next", "")


def _otp_verified(request, device, *, setup: bool):
    from django_otp import login as otp_login

    if setup:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        request.session.pop(ENROLLING, None)
    otp_login(request, device)
    user = request.user
    audit_record("auth.otp_verified", actor=user, area=user_area(user) or "")
    target = _next(request)
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def _otp_enroll(request):
    """No phone set up yet: the enrollment code first. Right, a new device is made whose
    secret this session (and only it) is then shown; any device set up halfway before is
    dropped, so that a secret shown earlier is worth nothing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.enrollment import otp_enrollment_redeem

    user = request.user
    error = ""
    if request.method == "POST":
        code = request.POST.get("enrollment_code", "")[:100]
        if otp_enrollment_redeem(user=user, code=code):
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=user, name="ponsel", confirmed=False)
            request.session[ENROLLING] = device.pk
            target = reverse("otp-verify")
            if nxt := _next(request):
                target += "?" + urlencode({"next": nxt})
            return redirect(target)
        error = _(
            "Kode pendaftaran salah, sudah dipakai atau sudah kedaluwarsa. Minta kode baru "
            "kepada admin KPU."
        )
    context = {"enroll": True, "error": error, "next": _next(request)}
    return render(request, "portal/otp.html", context)
