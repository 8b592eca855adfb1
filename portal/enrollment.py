"""One-time enrollment codes for one-time passwords (portal.models.OtpEnrollmentCode).

An officer who must use one-time passwords sets up the phone on the code page, which shows the
TOTP secret. Shown after the password alone, the secret would go to whoever had the password
first, and the second factor with it. So the page first asks for an enrollment code that an
administrator of the KPU issued for that officer (the user list in the admin, or
`manage.py otp_enrollment <username>`) and handed over in person or by a channel of their own:
12 characters from 32 (60 bits), shown once, kept as a keyed hash, used once, void after
OTP_ENROLLMENT_HOURS or after ENROLLMENT_MAX_FAILURES wrong tries (OWASP ASVS 2.3.1, 2.5.x).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit.trail import audit_record
from portal.models import OtpEnrollmentCode
from staff.access import user_area

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or copied by hand
LENGTH = 12
ENROLLMENT_MAX_FAILURES = 5


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())[: LENGTH * 2]


def _hash(code: str) -> str:
    return salted_hmac("portal.otp-enrollment", _normal(code)).hexdigest()


@transaction.atomic
def otp_enrollment_issue(*, user, by) -> str:
    """A new code for `user` (any earlier unused one void), returned once to show to `by`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    OtpEnrollmentCode.objects.filter(user=user, used_at__isnull=True).delete()
    OtpEnrollmentCode.objects.create(
        user=user,
        code_hash=_hash(raw),
        issued_by=by,
        expires_at=timezone.now() + dt.timedelta(hours=settings.OTP_ENROLLMENT_HOURS),
    )
    audit_record(
        "auth.otp_enrollment_issued",
        actor=by,
        area=user_area(user) or "",
        data={"user": user.get_username(), "hours": settings.OTP_ENROLLMENT_HOURS},
    )
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


@transaction.atomic
def otp_enrollment_redeem(*, user, code: str) -> bool:
    """True once for the right, unexpired, unburnt code of `user`: it is used up by this call
    (a conditional update: two requests with the same code, one wins). A wrong code counts
    against the open one."""
    now = timezone.now()
    open_codes = OtpEnrollmentCode.objects.filter(
        user=user, used_at__isnull=True, expires_at__gt=now, failures__lt=ENROLLMENT_MAX_FAILURES
    )
    row = open_codes.first()
    area = user_area(user) or ""
    if row is not None and hmac.compare_digest(row.code_hash, _hash(code)):
        if open_codes.filter(pk=row.pk).update(used_at=now) == 1:
            audit_record("auth.otp_enrollment_used", actor=user, area=area)
            return True
    elif row is not None:
        open_codes.filter(pk=row.pk).update(failures=F("failures") + 1)
    audit_record("auth.otp_enrollment_failed", actor=user, area=area)
    return False
