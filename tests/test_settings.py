"""Production settings refuse the demo secrets, and `check --deploy` is clean under real ones."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NIK_"))}
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
    }
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
