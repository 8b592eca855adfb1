"""How users are authenticated (settings.AUTHENTICATION_BACKENDS): Django's model backend,
refusing a NUL character in the credentials before they reach the database."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class NoNulModelBackend(ModelBackend):
    """PostgreSQL cannot hold NUL in text: the user lookup of a username with one failed with
    a database error, a 500 for anyone sending it through the API's HTTP Basic (the login form
    refuses NUL itself). Found by tests/test_api_schema_fuzz.py."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if "\x00" in str(username or "") or "\x00" in str(password or ""):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
