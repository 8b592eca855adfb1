"""Production settings refuse the demo secrets, and `check --deploy` is clean under real ones."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

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
        pytest.skip("a PostgreSQL setting")
    url = url.rsplit("/", 1)[0] + "/postgres"  # a database that exists: only a setting is read
    capped = _run({"DATABASE_URL": url, "VERIFICATION_CORES": "1"}, "shell", "-c", script)
    free = _run({"DATABASE_URL": url, "VERIFICATION_CORES": "0"}, "shell", "-c", script)
    assert capped.returncode == 0, capped.stderr
    assert capped.stdout.split()[-1] == "0" and free.stdout.split()[-1] != "0"


# The typed reader (config/env.py): an empty variable is the default, a bad one stops the start.


def test_an_empty_variable_means_the_default(monkeypatch):
    from config.env import env_bool, env_float, env_int, env_int_map, env_list, env_str

    for name in ("X_STR", "X_INT", "X_FLOAT", "X_BOOL", "X_LIST", "X_MAP"):
        monkeypatch.setenv(name, " ")
    assert env_str("X_STR", "d") == "d" and env_str("X_STR") is None
    assert env_int("X_INT", 600) == 600
    assert env_float("X_FLOAT", 0.25) == 0.25
    assert env_bool("X_BOOL", True) is True
    assert env_list("X_LIST", ["a", "b"]) == ["a", "b"]
    assert env_int_map("X_MAP", {"upload": 600}) == {"upload": 600}
    monkeypatch.delenv("X_INT")
    assert env_int("X_INT", 7) == 7


def test_values_read_as_their_type(monkeypatch):
    from config.env import env_bool, env_float, env_int, env_int_map, env_list, env_str

    monkeypatch.setenv("X_STR", "redis://127.0.0.1:6379/1")
    monkeypatch.setenv("X_INT", "1_000")
    monkeypatch.setenv("X_FLOAT", "0.0002")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    monkeypatch.setenv("X_MAP", "export=30, upload = 60")
    assert env_str("X_STR", "") == "redis://127.0.0.1:6379/1"
    assert env_int("X_INT", 0) == 1000
    assert env_float("X_FLOAT", 0.0) == 0.0002
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env_int_map("X_MAP", {"upload": 1, "export": 2, "chunk": 3}) == {
        "upload": 60,
        "export": 30,
        "chunk": 3,
    }
    for text, value in (("1", True), ("TRUE", True), ("on ", True), ("0", False), ("No", False)):
        monkeypatch.setenv("X_BOOL", text)
        assert env_bool("X_BOOL", not value) is value


@pytest.mark.parametrize(
    ("reader", "text", "expected"),
    [
        ("env_int", "600s", "a whole number"),
        ("env_int", "1.5", "a whole number"),
        ("env_int", "-1", "at least 0"),
        ("env_float", "0,25", "a decimal number with a point"),
        ("env_float", "nan", "a finite decimal number"),
        ("env_bool", "ture", "1, true, yes, on or 0, false, no, off"),
        ("env_int_map", "uplod=600", "the keys among upload, export"),
        ("env_int_map", "upload", "the keys among upload, export"),
        ("env_int_map", "upload=10m", "a whole number after upload="),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable_and_what_it_takes(
    monkeypatch, reader, text, expected
):
    from django.core.exceptions import ImproperlyConfigured

    from config import env

    monkeypatch.setenv("X_SETTING", text)
    default = {
        "env_int": (0,),
        "env_float": (0.5,),
        "env_bool": (False,),
        "env_int_map": ({"upload": 600, "export": 300},),
    }[reader]
    kwargs = {"minimum": 0} if reader == "env_int" else {}
    with pytest.raises(ImproperlyConfigured) as refused:
        getattr(env, reader)("X_SETTING", *default, **kwargs)
    assert str(refused.value).startswith("X_SETTING=") and expected in str(refused.value)


def test_the_settings_start_with_the_empty_variables_of_the_env_example_and_refuse_a_typo():
    """deploy/pilkada.env.example leaves CACHE_URL= and DATABASE_REPLICA_URL= empty: empty is
    unset. A typed value that does not read stops `manage.py` with the variable's name."""
    empty = _run({"CACHE_URL": "", "DATABASE_REPLICA_URL": "", "UPLOAD_MAX_BYTES": ""}, "check")
    assert empty.returncode == 0, empty.stderr
    typo = _run({"UPLOAD_MAX_BYTES": "512MB"}, "check")
    assert typo.returncode != 0
    assert "UPLOAD_MAX_BYTES='512MB': UPLOAD_MAX_BYTES takes a whole number" in typo.stderr
    lease = _run({"JOB_LEASE_SECONDS": "uploads=600"}, "check")
    assert lease.returncode != 0 and "JOB_LEASE_SECONDS='uploads=600'" in lease.stderr
