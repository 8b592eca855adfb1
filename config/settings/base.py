"""What every process needs first: where the project and its data live, production or
not, the apps and middleware, templates, language and time, static and media files, the API
and logging."""

from __future__ import annotations

from pathlib import Path

from config.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env_str("PILKADA_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_str("DJANGO_ENV", "development") == "production"

# Off unless asked for (DJANGO_DEBUG=1 on a developer's machine): the demo, like production,
# shows the Indonesian 404/500 pages, never Django's English debug page with every URL and an
# intake crash's local variables.
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",  # the API's query filters; its templates draw them in the browsable API
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here, not from a CDN
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "audit",
    "keys",
    "files",
    "electorate",
    "staff",
    "candidates",
    "verification",
    "fieldwork",
    "objections",
    "decisions",
    "documents",
    "notifications",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.dbrouter.ReplicaPinMiddleware",  # the replica's pin cookie (databases.py)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a body (CSRF's check reads the form): each page's own body limit.
    "config.bodylimit.RequestBodyLimitMiddleware",
    "config.middleware.QueryNulMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.otp.OtpRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fieldwork.offline.OfflineCopiesMiddleware",  # the field pages' offline copies, per session
    "config.middleware.UploadTooLargeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a lockout into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Always Indonesian, whatever the browser asks for: the users' language, and one number format
# (618.968) on every screen and printout. No LocaleMiddleware for that reason.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production WhiteNoise serves straight from the app folders (no collectstatic needed
# for `make demo`, DEBUG off); production serves the collected, hashed files.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION  # the stylesheet; htmx comes with django-htmx
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Sessions only: no password travels with each API call (HTTP Basic is refused), so
        # the sign-in lockout and one-time passwords cannot be gone around through the API.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "Verifikasi Dukungan Calon Perseorangan",
    "DESCRIPTION": "API untuk unggah daftar dukungan, verifikasi, dan rekapitulasi Pilkada.",
    "VERSION": "0.1.0",
    # The schema and its pages only for those signed in: the API's shape is not public.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per task run is noise on a console running tasks in-process.
    "loggers": {
        "celery.app.trace": {"level": "WARNING"},
        # Sign-ins are in the audit trail; axes' own lines would repeat them on the console.
        "axes": {"level": "WARNING"},
        # WeasyPrint (the minutes' PDFs) reports every layout step and font subset at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
