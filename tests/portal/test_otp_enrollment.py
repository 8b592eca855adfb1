"""Setting up one-time passwords needs more than the password: the TOTP secret (QR code) is
shown only after a one-time enrollment code the KPU's administrator issued for that officer
(shown once, stored as a keyed hash, expiring, burnt after a few wrong tries)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Event

PASSWORD = "sandi-yang-cukup-panjang-2024"
SECRET_SHOWN = re.compile(r"<svg|[A-Z2-7]{32}")  # the QR code, or the base32 key beside it


@pytest.fixture
def kpu(world):
    """KPU of side A, whose election requires one-time passwords, signed in with the password
    alone."""
    election = world.objects["a"]["election"]
    election.require_otp = True
    election.save()
    user = world.users["kpu_a"]
    user.set_password(PASSWORD)
    user.save()
    return user


def _signed_in(client, user):
    assert (
        client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def otp_enrollment_issue(**kwargs) -> str:
    from portal.enrollment import otp_enrollment_issue as issue

    return issue(**kwargs)


def _codes():
    from portal.models import OtpEnrollmentCode

    return OtpEnrollmentCode.objects


def _code(device) -> str:
    device.refresh_from_db()
    device.throttle_reset()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_the_password_alone_never_shows_the_totp_secret(client, kpu):
    _signed_in(client, kpu)
    page = client.get(reverse("otp-verify"))
    assert page.status_code == 200
    body = page.content.decode()
    assert not SECRET_SHOWN.search(body)
    assert "kode pendaftaran" in body.lower()
    for guess in ("", "000000", "AAAA-BBBB-CCCC", "x" * 500):
        tried = client.post(reverse("otp-verify"), {"enrollment_code": guess})
        assert not SECRET_SHOWN.search(tried.content.decode())
    assert not TOTPDevice.objects.filter(user=kpu).exists()
    # Nor does any other page: the officer is held at the code page.
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp-verify"))


def test_an_enrollment_code_shows_the_secret_once_to_its_own_officer(client, kpu, world):
    code = otp_enrollment_issue(user=kpu, by=world.users["su"])
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    stored = _codes().get(user=kpu)
    assert code not in str(stored.__dict__) and code.replace("-", "") not in stored.code_hash

    # Another officer who learnt it cannot use it.
    other = world.users["kpu_b"]
    other.set_password(PASSWORD)
    other.save()
    world.objects["b"]["election"].__class__.objects.filter(
        pk=world.objects["b"]["election"].pk
    ).update(require_otp=True)
    from django.test import Client

    stranger = _signed_in(Client(), other)
    refused = stranger.post(reverse("otp-verify"), {"enrollment_code": code})
    assert not SECRET_SHOWN.search(refused.content.decode())

    _signed_in(client, kpu)
    typed = code.lower().replace("-", " ")  # as an officer might type it
    answer = client.post(reverse("otp-verify"), {"enrollment_code": typed})
    assert answer.status_code == 302
    setup = client.get(reverse("otp-verify")).content.decode()
    assert "<svg" in setup
    device = TOTPDevice.objects.get(user=kpu, confirmed=False)
    done = client.post(reverse("otp-verify"), {"token": _code(device), "next": "/pemilihan/"})
    assert done.status_code == 302 and done["Location"] == "/pemilihan/"
    assert TOTPDevice.objects.get(user=kpu).confirmed

    # Used once: signed in again with the password, the code shows nothing any more.
    from django.test import Client

    again = _signed_in(Client(), kpu)
    page = again.post(reverse("otp-verify"), {"enrollment_code": code})
    assert not SECRET_SHOWN.search(page.content.decode())
    actions = list(
        Event.objects.filter(action__startswith="auth.otp_enrollment").values_list(
            "action", flat=True
        )
    )
    assert "auth.otp_enrollment_issued" in actions and "auth.otp_enrollment_used" in actions


def test_a_code_expires(client, kpu, world):
    code = otp_enrollment_issue(user=kpu, by=world.users["su"])
    _codes().update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _signed_in(client, kpu)
    page = client.post(reverse("otp-verify"), {"enrollment_code": code})
    assert not SECRET_SHOWN.search(page.content.decode())
    assert "kedaluwarsa" in page.content.decode() or "salah" in page.content.decode()


def test_a_code_is_burnt_after_a_few_wrong_tries(client, kpu, world):
    code = otp_enrollment_issue(user=kpu, by=world.users["su"])
    _signed_in(client, kpu)
    from portal.enrollment import ENROLLMENT_MAX_FAILURES

    for _ in range(ENROLLMENT_MAX_FAILURES):
        client.post(reverse("otp-verify"), {"enrollment_code": "ZZZZ-ZZZZ-ZZZZ"})
    page = client.post(reverse("otp-verify"), {"enrollment_code": code})
    assert not SECRET_SHOWN.search(page.content.decode())
    assert Event.objects.filter(action="auth.otp_enrollment_failed").count() >= 5


def test_a_new_code_replaces_the_old_one(kpu, world):
    first = otp_enrollment_issue(user=kpu, by=world.users["su"])
    second = otp_enrollment_issue(user=kpu, by=world.users["su"])
    assert first != second
    assert _codes().filter(user=kpu, used_at__isnull=True).count() == 1


def test_the_command_prints_a_code_once_for_an_administrator(kpu):
    out = io.StringIO()
    call_command("otp_enrollment", "kpu_a", stdout=out)
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", out.getvalue()).group()
    assert _codes().filter(user=kpu, used_at__isnull=True).count() == 1
    assert code not in _codes().get(user=kpu).code_hash


def test_the_admin_issues_a_code_from_the_user_list(client, world):
    kpu = world.users["kpu_a"]
    client.force_login(world.users["su"])
    page = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "otp_enrollment_issue", "_selected_action": [kpu.pk]},
    )
    assert page.status_code == 200
    assert re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", page.content.decode())
    assert _codes().filter(user=kpu).count() == 1
