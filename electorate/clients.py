"""Who is on the other end of a request: the client's address, the same rule for every part
that counts clients (sign-in lockout, the citizens' check's rate limit, the audit trail)."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the entry the outermost trusted proxy
    appended to X-Forwarded-For (what a client writes there itself stands further left and is
    never taken). "" when there is none (a request made in-process)."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        chain = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "") or ""
