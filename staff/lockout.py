"""The sign-in lockout (django-axes) with a limit of its own for each thing it counts
(settings.SIGNIN_LOCKOUTS): a few failures for one username from one network, more for one
username from everywhere, so that a guesser turning through 20 addresses is stopped as surely
as one guessing from a single address, and an officer is not locked out of everywhere by a few
mistyped passwords. Axes counts the failures of each within the cool-off; its single
AXES_FAILURE_LIMIT is reached exactly when one of them reaches its own limit.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failures of the counted thing closest to its own limit, shifted so that its
        limit falls on AXES_FAILURE_LIMIT (axes compares one number with one limit)."""
        limit = get_failure_limit(request, credentials)
        worst = 0
        groups = self.get_user_attempts(request, credentials)  # in AXES_LOCKOUT_PARAMETERS order
        for attempts, (_counted, own_limit) in zip(groups, settings.SIGNIN_LOCKOUTS, strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if failures:
                worst = max(worst, failures - own_limit + limit)
        return worst
