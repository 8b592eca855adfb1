"""Production settings refuse the demo secrets, and `check --deploy` is clean under real ones."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANCHORS = str(Path(tempfile.gettempdir()) / "pilkada-test-settings-anchors.log")


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NIK_", "AUDIT_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_demo_secrets():
    result = _run({"DJANGO_ENV": "production"}, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr and "NIK_HMAC_KEY" in result.stderr


def test_production_refuses_to_fall_back_to_sqlite_and_in_process_tasks():
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "NIK_HMAC_KEY": base64.b64encode(os.urandom(32)).decode(),
        "NIK_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
        "AUDIT_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "CELERY_BROKER_URL" in result.stderr


def test_check_deploy_is_clean_with_real_secrets():
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "NIK_HMAC_KEY": base64.b64encode(os.urandom(32)).decode(),
        "NIK_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "pilkada.example.go.id",
        "DATABASE_URL": "postgres://pilkada@db.example.go.id:5432/pilkada",
        "CELERY_BROKER_URL": "redis://redis.example.go.id:6379/0",
        "PUBLIC_BASE_URL": "https://pilkada.example.go.id",
        "AUDIT_KEY": base64.b64encode(os.urandom(32)).decode(),
        "AUDIT_ANCHOR_FILE": ANCHORS,
    }
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def _production(**overrides: str) -> dict[str, str]:
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "NIK_HMAC_KEY": base64.b64encode(os.urandom(32)).decode(),
        "NIK_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "pilkada.example.go.id",
        "DATABASE_URL": "postgres://pilkada@db.example.go.id:5432/pilkada",
        "CELERY_BROKER_URL": "redis://redis.example.go.id:6379/0",
        "PUBLIC_BASE_URL": "https://pilkada.example.go.id",
        "AUDIT_KEY": base64.b64encode(os.urandom(32)).decode(),
        "AUDIT_ANCHOR_FILE": ANCHORS,
    }
    return {**env, **overrides}


def test_production_refuses_weak_keys_at_start():
    short_secret = _run(_production(DJANGO_SECRET_KEY="too-short"), "check")
    assert short_secret.returncode != 0 and "DJANGO_SECRET_KEY" in short_secret.stderr
    tiny_aes = _run(_production(NIK_ENCRYPTION_KEY=base64.b64encode(b"abc").decode()), "check")
    assert tiny_aes.returncode != 0 and "32 random bytes" in tiny_aes.stderr
    short_hmac = _run(_production(NIK_HMAC_KEY="pendek"), "check")
    assert short_hmac.returncode != 0 and "32 bytes" in short_hmac.stderr
    short_audit = _run(_production(AUDIT_KEY="pendek"), "check")
    assert short_audit.returncode != 0 and "AUDIT key must be at least 32" in short_audit.stderr


def test_production_refuses_the_demo_audit_key_and_no_anchor_file():
    """The audit trail's links are keyed outside the database and anchored outside it: the
    demo key (in the source) or no anchor file would leave a rewrite unnoticed."""
    demo_key = _run({k: v for k, v in _production().items() if k != "AUDIT_KEY"}, "check")
    assert demo_key.returncode != 0 and "AUDIT_KEY(S)" in demo_key.stderr
    no_file = _run(_production(AUDIT_ANCHOR_FILE=""), "check")
    assert no_file.returncode != 0 and "AUDIT_ANCHOR_FILE" in no_file.stderr
    unwritable = _run(_production(AUDIT_ANCHOR_FILE="/proc/pilkada/anchors.log"), "check")
    assert unwritable.returncode != 0 and "audit.E001" in unwritable.stderr


def test_production_refuses_a_minutes_qr_code_that_leads_nowhere():
    """The QR code on every Berita Acara points at PUBLIC_BASE_URL: the laptop default, or plain
    http, would print an address nobody holding the paper can check."""
    for bad in ("", "http://127.0.0.1:8000", "https://localhost", "http://pilkada.example.go.id"):
        result = _run(_production(PUBLIC_BASE_URL=bad), "check")
        assert result.returncode != 0 and "PUBLIC_BASE_URL" in result.stderr, bad
    assert _run(_production(), "check").returncode == 0


def test_the_demo_command_is_refused_in_production():
    result = _run(_production(), "demo_setup")
    assert result.returncode != 0
    assert "produksi" in result.stderr


def test_without_any_environment_debug_is_off_and_errors_are_indonesian():
    from django.conf import settings

    assert settings.DEBUG is False
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
        "django.setup();from django.conf import settings;print(settings.DEBUG)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DJANGO_ENV")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert out.stdout.strip() == "False"


def test_an_unknown_page_is_the_indonesian_404_not_the_debug_page(client, db):
    page = client.get("/tidak-ada-halaman-ini/")
    assert page.status_code == 404
    body = page.content.decode()
    assert "Tidak ditemukan" in body and "URLconf" not in body


def test_a_server_error_is_the_indonesian_500_without_details(client, db, settings):
    from django.test import Client

    crashing = Client(raise_request_exception=False)
    from unittest import mock

    with mock.patch("portal.views.render", side_effect=RuntimeError("rahasia internal")):
        from tests.factories import UserFactory

        crashing.force_login(UserFactory())
        page = crashing.get("/")
    assert page.status_code == 500
    body = page.content.decode()
    assert "Terjadi kesalahan pada sistem" in body and "rahasia internal" not in body


def test_a_verification_core_cap_holds_for_every_query_of_the_process():
    """VERIFICATION_CORES=1 (deploy/README.md): the connection itself starts without parallel
    query, so that what the run does outside its own transactions (recap, red flags) keeps to
    one core as well."""
    script = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute(\"SELECT current_setting('max_parallel_workers_per_gather')\"); "
        "print(c.fetchone()[0])"
    )
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        import pytest

        pytest.skip("a PostgreSQL setting")
    url = url.rsplit("/", 1)[0] + "/postgres"  # a database that exists: only a setting is read
    capped = _run({"DATABASE_URL": url, "VERIFICATION_CORES": "1"}, "shell", "-c", script)
    free = _run({"DATABASE_URL": url, "VERIFICATION_CORES": "0"}, "shell", "-c", script)
    assert capped.returncode == 0, capped.stderr
    assert capped.stdout.split()[-1] == "0" and free.stdout.split()[-1] != "0"
