"""Who is on the other end of a request: the client's address, the same rule for every part
that counts clients (sign-in lockout, the citizens' check's rate limit, the audit trail)."""

from __future__ import annotations

import ipaddress

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


def client_network(request) -> str:
    """The client as the sign-in lockout counts it: an IPv6 address by its /64 (one
    subscriber's network: whoever holds one has 2^64 addresses to turn through), written as the
    network's first address; an IPv4 address (IPv4-mapped ones included) as itself."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)).network_address)
    return str(ip)
