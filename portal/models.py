"""What the portal keeps of its own: the one-time codes that let an officer set up one-time
passwords (portal/enrollment.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OtpEnrollmentCode(models.Model):
    """A code an administrator of the KPU issued for one officer and handed over in person:
    with it, and only with it, the code page shows the TOTP secret to set up the phone. The
    password alone never does (whoever learnt it first would own the second factor). Kept as a
    keyed hash; used once; void after its hours or after a few wrong tries."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="otp_enrollment_codes"
    )
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            # One open code per officer: issuing a new one voids the old (portal/enrollment.py).
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(used_at__isnull=True), name="otp_code_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"kode pendaftaran OTP {self.user_id} ({self.created_at:%Y-%m-%d %H:%M})"
