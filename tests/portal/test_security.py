"""Sign-in that resists guessing, and pages that fail closed: lockout (django-axes), no HTTP
Basic, password rules on every password form, a password-change page, one-time passwords for
KPU and Bawaslu where the election requires them, a working-day session, a CSP with no inline
script, the API schema behind sign-in."""

from __future__ import annotations

import base64
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Event

PASSWORD = "sandi-yang-cukup-panjang-2024"


@pytest.fixture
def kpu(world):
    user = world.users["kpu_a"]
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, password, ip="198.51.100.7"):
    return client.post(
        reverse("login"), {"username": "kpu_a", "password": password}, REMOTE_ADDR=ip
    )


def test_thirty_wrong_passwords_lock_the_account_out_even_for_the_right_one(client, kpu):
    statuses = [_sign_in(client, f"salah-{i}").status_code for i in range(30)]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[settings.AXES_FAILURE_LIMIT :]) == {429}
    locked = _sign_in(client, PASSWORD)
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(action="auth.sign_in_failed").count() >= 5


def test_a_lockout_is_per_username_and_address(client, kpu):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"salah-{i}")
    assert _sign_in(client, PASSWORD).status_code == 429
    other = _sign_in(client, PASSWORD, ip="203.0.113.9")  # the officer at the office
    assert other.status_code == 302 and client.session["_auth_user_id"] == str(kpu.pk)


def test_http_basic_is_refused_by_the_api(client, kpu):
    token = base64.b64encode(f"kpu_a:{PASSWORD}".encode()).decode()
    response = client.get(reverse("api-election-list"), HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("password", ["1234567890", "password123", "pendek"])
def test_weak_passwords_are_refused_on_the_team_form_and_the_change_page(
    client, world, kpu, password
):
    client.force_login(world.users["kpu_a"])
    pair = world.objects["a"]["pair"]
    page = client.post(
        reverse("team-member-create", kwargs={"pk": pair.pk}),
        {"username": "tim_baru", "password": password, "email": ""},
    )
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    change = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert change.status_code == 200 and "errorlist" in change.content.decode()


def test_the_password_change_page_changes_it(client, kpu):
    client.force_login(kpu)
    new = "sandi-baru-yang-panjang-2025"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    kpu.refresh_from_db()
    assert kpu.check_password(new)


def test_an_election_requiring_otp_sends_its_kpu_to_the_code_page_first(client, world, kpu):
    election = world.objects["a"]["election"]
    election.require_otp = True
    election.save()
    client.force_login(kpu)
    page = client.get(reverse("election-detail", kwargs={"pk": election.pk}))
    assert page.status_code == 302 and page["Location"].startswith(reverse("otp-verify"))
    assert client.get(reverse("api-election-list")).status_code == 403
    # The phone is set up with the enrollment code an administrator handed over
    # (tests/portal/test_otp_enrollment.py), then the QR code is drawn here.
    from portal.enrollment import otp_enrollment_issue

    code = otp_enrollment_issue(user=kpu, by=world.users["su"])
    client.post(reverse("otp-verify"), {"enrollment_code": code})
    setup = client.get(reverse("otp-verify"))
    assert "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=kpu)
    wrong = client.post(reverse("otp-verify"), {"token": "000000"})
    assert wrong.status_code == 200 and "Kode salah" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    done = client.post(reverse("otp-verify"), {"token": code, "next": "/pemilihan/"})
    assert done.status_code == 302 and done["Location"] == "/pemilihan/"
    assert client.get(reverse("election-detail", kwargs={"pk": election.pk})).status_code == 200


def test_otp_is_not_asked_where_no_election_requires_it_nor_of_a_team(client, world):
    election = world.objects["a"]["election"]
    election.require_otp = True
    election.save()
    client.force_login(world.users["kpu_b"])  # side B's election does not require it
    assert client.get(reverse("home")).status_code == 200
    client.force_login(world.users["tim_a"])  # teams sign in with a password only
    assert client.get(reverse("home")).status_code == 200


def test_a_session_lasts_a_working_day():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_every_page_has_a_csp_and_no_inline_script_or_handler(client, world):
    pair = world.objects["a"]["pair"]
    pages = [
        reverse("home"),
        reverse("pair-detail", kwargs={"pk": pair.pk}),
        reverse("verification-recap", kwargs={"pk": pair.pk}),
        reverse("verification-results", kwargs={"pk": pair.pk}),
        reverse("verfak-pair", kwargs={"pk": pair.pk}),
        reverse("upload-create", kwargs={"pk": pair.pk}),
    ]
    client.force_login(world.users["kpu_a"])
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url  # inline script
        assert not re.search(r"\son[a-z]+\s*=", html), url  # onclick=, onchange=, ...


def test_the_api_schema_and_docs_need_a_sign_in(client, world):
    assert client.get(reverse("schema")).status_code in (401, 403)
    assert client.get(reverse("api-docs")).status_code in (302, 401, 403)
    client.force_login(world.users["tim_a"])
    assert client.get(reverse("schema")).status_code == 200


def test_task_results_are_not_kept_anywhere():
    """Every task writes its outcome to the database; nothing reads a result backend."""
    from config.celery import app

    assert settings.CELERY_TASK_IGNORE_RESULT is True and settings.CELERY_RESULT_BACKEND is None
    assert app.conf.task_ignore_result is True
