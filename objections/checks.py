"""The rate limits must count across processes in production (objections.limits)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from objections.limits import PERIODS


@register()
def objections_limits_check(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PRODUCTION and not backend.endswith("RedisCache"):
        errors.append(
            Error(
                f"The citizens' check counts its rate limits in the cache; {backend} is not "
                "shared between web processes, so each would allow the limit again.",
                hint="Set CACHE_URL (or CELERY_BROKER_URL) to a Redis server.",
                id="objections.E001",
            )
        )
    rates = (
        "CHECK_RATE_PER_CLIENT",
        "CHECK_RATE_GLOBAL",
        "CHECK_RATE_PER_STAFF",
        "OBJECTION_RATE_PER_CLIENT",
    )
    for name in rates:
        count, _slash, unit = str(getattr(settings, name)).partition("/")
        if not count.isdigit() or unit.strip()[:1].lower() not in PERIODS:
            errors.append(
                Error(f"{name} must read like 10/m (per s, m, h or d).", id="objections.E002")
            )
    for name in ("CHECK_PREFIX_DAILY", "CHECK_NIK_DAILY", "CHECK_NETWORK_GROUPS_FLAG"):
        if getattr(settings, name) < 1:
            errors.append(Error(f"{name} must be 1 or more.", id="objections.E003"))
    return errors
