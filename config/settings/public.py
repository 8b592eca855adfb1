"""What leaves the site: e-mail (notifications) and the public address printed on the
minutes' QR code."""

from __future__ import annotations

from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str
from config.settings.base import PRODUCTION

# Notifications by e-mail (notifications/): Django's e-mail framework, sent by a task on the
# "default" queue. The demo prints them on the console; production names its SMTP relay.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Verifikasi Dukungan <noreply@localhost>")
# Berita Acara (documents/): the absolute address printed as a QR code on every PDF of minutes,
# where anyone checks a presented PDF (/berita-acara/<code>/). Set it to the public site. The
# demo's default follows the port served: make passes PORT (`make demo PORT=8001`) to demo-data,
# which issues the demo's minutes, and to serve. Production has no default (refused below).
_demo_port = 8000 if PRODUCTION else env_int("PORT", 8000, minimum=1)
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", f"http://127.0.0.1:{_demo_port}").rstrip("/")
if PRODUCTION:
    # A QR code that leads to a laptop cannot be followed by anyone holding the paper.
    _public = urlparse(PUBLIC_BASE_URL)
    if _public.scheme != "https" or _public.hostname in (None, "localhost", "127.0.0.1", "::1"):
        raise ImproperlyConfigured(
            "PUBLIC_BASE_URL must be the public https address of the site (the minutes' QR code)"
        )
