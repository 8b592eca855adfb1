"""Signing in (axes lockouts, one-time passwords), sessions, the Content-Security-Policy, and
production's HTTPS settings."""

from __future__ import annotations

import datetime as dt

from config.env import env_bool, env_int
from config.settings.base import PRODUCTION

# django-axes before the password check: it refuses a locked-out username and address before the
# password is even checked, on /masuk/, /admin/ and anything else that signs in.
# (A NUL in a username never reaches the database: the sign-in forms refuse it as a field
# error, and no other door takes a password since HTTP Basic is off.)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout (staff/lockout.py): failed sign-ins within the cool-off, each counted thing
# with its own limit. One username from one address (an IPv6 address counts as its /64:
# staff.clients.client_network) is locked after AXES_FAILURE_LIMIT; one username from
# everywhere after AXES_USERNAME_FAILURE_LIMIT, so that 20 addresses guessing 4 times each are
# stopped too (at most 40 guesses an hour at one account: OWASP ASVS 2.2.1 asks for under 100),
# while an officer's own typos lock out only their own address. Every lock ends after
# AXES_COOLOFF_MINUTES; a failure during it starts it again, so that keeping an officer locked
# out keeps costing the guesser guesses. Every attempt is also in the audit trail.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 20, minimum=1)
SIGNIN_LOCKOUTS = (  # (what is counted, failures allowed)
    (("username", "ip_address"), AXES_FAILURE_LIMIT),
    (("username",), AXES_USERNAME_FAILURE_LIMIT),
)
AXES_LOCKOUT_PARAMETERS = [list(counted) for counted, _limit in SIGNIN_LOCKOUTS]
AXES_HANDLER = "staff.lockout.LockoutHandler"
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_CLIENT_IP_CALLABLE = "staff.clients.client_network"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail already
# Sessions last a working day, not Django's two weeks; closed with the browser in production.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = PRODUCTION
# One-time passwords (django-otp, TOTP): KPU and Bawaslu accounts whose area holds an election
# that requires them (Election.require_otp) enter a code from their phone after the password.
OTP_TOTP_ISSUER = "Verifikasi Dukungan Pilkada"
# Setting the phone up needs a one-time enrollment code from an administrator, not the password
# alone (portal/enrollment.py); a code not used within this many hours is void.
OTP_ENROLLMENT_HOURS = env_int("OTP_ENROLLMENT_HOURS", 48, minimum=1)
# Content-Security-Policy (django-csp): scripts only from our own static files, no inline
# script or event handler anywhere; styles may carry inline attributes (no script runs there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
