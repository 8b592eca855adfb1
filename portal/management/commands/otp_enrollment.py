"""`manage.py otp_enrollment <username>`: a one-time enrollment code for that officer's
one-time passwords (portal/enrollment.py), printed once for the administrator to hand over."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.enrollment import otp_enrollment_issue


class Command(BaseCommand):
    help = "Buat kode pendaftaran OTP sekali pakai untuk satu akun (ditampilkan sekali)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **opts):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Akun {username!r} tidak ada.")
        code = otp_enrollment_issue(user=user, by=None)
        self.stdout.write(
            f"Kode pendaftaran OTP untuk {username}: {code}\n"
            f"Serahkan langsung kepada pemiliknya; sekali pakai, berlaku "
            f"{settings.OTP_ENROLLMENT_HOURS} jam. Kode lama akun ini tidak berlaku lagi."
        )
