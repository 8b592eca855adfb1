"""The keys: Django's secret, the NIK keyrings (keyed hash, AES-GCM) and the audit trail's,
from the environment in production and drawn at random for the demo; production refuses to
start with the demo's keys, weak keys, DEBUG or the laptop's database and broker."""

from __future__ import annotations

import base64

from django.core.exceptions import ImproperlyConfigured

from config.demokeys import demo_keys
from config.env import env_str
from config.keystrength import key_weakness
from config.settings.base import DEBUG, PRODUCTION, VAR_DIR

# The demo's keys: drawn at random into VAR_DIR/demo-keys.env on the first start outside
# production (config/demokeys.py), never written in the source. Production takes every key
# from the environment: there these are what an unset key would be, refused below.
DEMO_KEY_NAMES = ("DJANGO_SECRET_KEY", "NIK_HMAC_KEY", "NIK_ENCRYPTION_KEY", "AUDIT_KEY")
if PRODUCTION:
    DEMO_KEYS = {name: f"unset-{name}" for name in DEMO_KEY_NAMES}
    DEMO_KEYS["NIK_ENCRYPTION_KEY"] = base64.b64encode(b"unset: NIK_ENCRYPTION_KEY(S) #32").decode()
else:
    DEMO_KEYS = demo_keys(VAR_DIR / "demo-keys.env", DEMO_KEY_NAMES)
DEMO_SECRET_KEY = DEMO_KEYS["DJANGO_SECRET_KEY"]
DEMO_NIK_HMAC_KEY = DEMO_KEYS["NIK_HMAC_KEY"]
DEMO_NIK_ENCRYPTION_KEY = DEMO_KEYS["NIK_ENCRYPTION_KEY"]
DEMO_AUDIT_KEY = DEMO_KEYS["AUDIT_KEY"]


def keyring(name: str, single: str, default: str) -> list[tuple[str, str]]:
    """A keyring from the environment: NIK_..._KEYS="id:secret,id:secret", or the single
    NIK_..._KEY as keyring "1". Key ids are short names (letters, digits, - and _)."""
    text = env_str(name) or f"1:{env_str(single, default)}"
    ring = []
    for item in text.split(","):
        key_id, _sep, secret = item.strip().partition(":")
        if not key_id or not secret or not key_id.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured(f"{name}: write id:secret,id:secret")
        ring.append((key_id, secret))
    if len({k for k, _s in ring}) != len(ring):
        raise ImproperlyConfigured(f"{name}: a key id appears twice")
    return ring


SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEMO_SECRET_KEY)
# Keyed hash of the NIK for matching and joins, in the order the keys were introduced: stored
# hashes apply each key in turn, so a new key is added by `rotate_keys` without the plaintext
# NIKs of the roll (keys/keyring.py). Keep every id listed that the database has applied.
NIK_HMAC_KEYS = keyring("NIK_HMAC_KEYS", "NIK_HMAC_KEY", DEMO_NIK_HMAC_KEY)
# AES-GCM keys (32 bytes, base64), newest first: the first encrypts NIKs and upload files, any
# listed key decrypts what names it; `rotate_keys` re-encrypts under the first.
NIK_ENCRYPTION_KEYS = keyring("NIK_ENCRYPTION_KEYS", "NIK_ENCRYPTION_KEY", DEMO_NIK_ENCRYPTION_KEY)
# The audit trail's links are HMAC-SHA256 under this key (audit/trail.py): whoever holds the
# database but not the key cannot hash a rewritten history again. Newest first: the first
# keys new links, every listed id verifies the links that name it, so keep every id the trail
# has used (rotating: README, Production stack). Kept outside the database, like the NIK keys.
AUDIT_KEYS = keyring("AUDIT_KEYS", "AUDIT_KEY", DEMO_AUDIT_KEY)
# Anchors outside the database (audit/anchors.py): every committed event appends its chain,
# position and head to this file, opened O_APPEND (deploy/: a root-owned directory and
# `chattr +a`, so the application can add lines and never change one). `audit_verify` holds
# the trail against it. Empty: no anchor file (refused in production).
AUDIT_ANCHOR_FILE = env_str("AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.log"))
for _id, _secret in NIK_ENCRYPTION_KEYS:
    try:
        _length = len(base64.b64decode(_secret, validate=True))
    except ValueError:
        _length = 0
    if _length != 32:
        raise ImproperlyConfigured(
            f"NIK encryption key {_id!r} must be 32 random bytes, base64-encoded (AES-256)"
        )

if PRODUCTION:
    demo = [
        name
        for name, value, demo_value in (
            ("DJANGO_SECRET_KEY", [SECRET_KEY], DEMO_SECRET_KEY),
            ("NIK_HMAC_KEY(S)", [s for _i, s in NIK_HMAC_KEYS], DEMO_NIK_HMAC_KEY),
            (
                "NIK_ENCRYPTION_KEY(S)",
                [s for _i, s in NIK_ENCRYPTION_KEYS],
                DEMO_NIK_ENCRYPTION_KEY,
            ),
            ("AUDIT_KEY(S)", [s for _i, s in AUDIT_KEYS], DEMO_AUDIT_KEY),
        )
        if demo_value in value
    ]
    if demo:
        raise ImproperlyConfigured("Production refuses the demo secrets; set: " + ", ".join(demo))
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production")
    # Production is PostgreSQL with real workers: never the laptop default by accident.
    missing = [
        n for n in ("DATABASE_URL", "CELERY_BROKER_URL", "AUDIT_ANCHOR_FILE") if not env_str(n)
    ]
    if missing:
        raise ImproperlyConfigured("Production needs: " + ", ".join(missing))
    if any(len(secret.encode()) < 32 for _i, secret in NIK_HMAC_KEYS):
        raise ImproperlyConfigured("Every NIK HMAC key must be at least 32 bytes")
    if any(len(secret.encode()) < 32 for _i, secret in AUDIT_KEYS):
        raise ImproperlyConfigured("Every AUDIT key must be at least 32 bytes")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters")
    # Long enough is not random enough: 32 zero bytes, "k" 35 times (config/keystrength.py).
    for name, ring in (
        ("DJANGO_SECRET_KEY", [("-", SECRET_KEY.encode())]),
        ("NIK_HMAC_KEY(S)", [(i, s.encode()) for i, s in NIK_HMAC_KEYS]),
        ("NIK_ENCRYPTION_KEY(S)", [(i, base64.b64decode(s)) for i, s in NIK_ENCRYPTION_KEYS]),
        ("AUDIT_KEY(S)", [(i, s.encode()) for i, s in AUDIT_KEYS]),
    ):
        for _id, _secret in ring:
            if _weakness := key_weakness(_secret):
                raise ImproperlyConfigured(
                    f"{name} key {_id!r} has too little entropy ({_weakness}): draw it at "
                    "random (deploy/pilkada.env.example says how)"
                )
