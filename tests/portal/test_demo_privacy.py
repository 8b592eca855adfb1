"""The demo leaves no personal data in clear beside its database: the generated DPT and support
lists are deleted once imported (the uploads keep them encrypted), and the keys that protect
them are drawn at random for each installation, not constants anyone can read in the source."""

from __future__ import annotations

import base64
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from candidates.models import Election

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
NIK_RUN = re.compile(rb"(?<!\d)\d{16}(?!\d)")
# What the source used to hold (published with it): the demo must never run under them again.
PUBLISHED = {
    "demo-insecure-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz",
    "demo-nik-hmac-key-change-me",
    "ZGVtby1uaWstZW5jcnlwdGlvbi1rZXktMzJieXRlcyE=",
    "demo-audit-chain-key-change-me",
}


def _files_with_niks(var: Path) -> list[str]:
    """Every file under the demo's VAR_DIR holding a 16-digit run (the uploads are kept
    encrypted in the media folder: ciphertext has no such run), and any list left at all."""
    found = []
    for path in var.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix in (".csv", ".xlsx") or NIK_RUN.search(path.read_bytes()):
            found.append(str(path.relative_to(var)))
    return found


def test_no_plaintext_list_remains_after_the_demo_is_set_up_or_run_again(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    call_command("demo_setup", scale=0.002, stdout=io.StringIO())
    election = Election.objects.get(slug="pilgub-dki-2024")
    assert election.roll.voters.count() > 0
    assert _files_with_niks(tmp_path / "var") == []
    # Run again, it keeps what is there (no second upload), and still leaves nothing in clear.
    uploads = sorted(
        p.name for p in (tmp_path / "var").rglob("*") if p.is_file() and "media" in p.parts
    )
    call_command("demo_setup", scale=0.002, stdout=io.StringIO())
    assert _files_with_niks(tmp_path / "var") == []
    again = sorted(
        p.name for p in (tmp_path / "var").rglob("*") if p.is_file() and "media" in p.parts
    )
    assert again == uploads


def test_the_keys_are_not_the_published_constants():
    used = {
        django_settings.SECRET_KEY,
        *(secret for _i, secret in django_settings.NIK_HMAC_KEYS),
        *(secret for _i, secret in django_settings.NIK_ENCRYPTION_KEYS),
    }
    assert not used & PUBLISHED
    source = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    assert "DEMO_KEY_NAMES" in source
    assert not [key for key in PUBLISHED if key in source]


def _keys_of(var_dir: Path) -> tuple[str, str, str]:
    script = (
        "from django.conf import settings as s; "
        "print(s.SECRET_KEY, s.NIK_HMAC_KEYS[0][1], s.NIK_ENCRYPTION_KEYS[0][1])"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "NIK_", "AUDIT_", "PILKADA_", "DATABASE_URL"))
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env={**clean, "PILKADA_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    secret, hmac_key, aes_key = out.stdout.split()[-3:]
    return secret, hmac_key, aes_key


def test_each_installation_draws_its_own_keys_and_keeps_them(tmp_path):
    first = _keys_of(tmp_path / "one")
    assert _keys_of(tmp_path / "one") == first  # the same installation: the same keys
    second = _keys_of(tmp_path / "two")
    assert not set(first) & set(second)
    assert len(base64.b64decode(first[2])) == 32
    keyfile = tmp_path / "one" / "demo-keys.env"
    assert oct(keyfile.stat().st_mode & 0o777) == "0o600"
