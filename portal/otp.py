"""One-time passwords (django-otp, TOTP) for the KPU and Bawaslu accounts of an area that
holds an election requiring them (Election.require_otp): after the password, a 6-digit code
from the officer's phone. The first time, the page shows the QR code to set the phone up.

The middleware sends such a user, signed in but not yet verified, to the code page before any
other page; an API call gets 403. Everyone else is left alone.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from candidates.selectors import elections_visible
from staff.access import may
from staff.capabilities import Capability

EXEMPT = ("/masuk/", "/keluar/", "/akun/kode/", "/static/", "/cek-dukungan/")


def otp_required(user) -> bool:
    """KPU and Bawaslu whose area holds (or lies in) an election that requires OTP."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not may(user, Capability.OTP):
        return False
    return elections_visible(user=user).filter(require_otp=True).exists()


class OtpRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT)
            and not user.is_verified()
            and otp_required(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Masukkan kode sekali pakai (OTP) di halaman masuk dulu.")},
                    status=403,
                )
            target = reverse("otp-verify") + "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)
