"""Who is on the other end of a request: the client's address, the same rule for every part
that counts clients (sign-in lockout, the citizens' check's rate limit, the audit trail)."""

from __future__ import annotations

import ipaddress

from django.conf import settings

LOCAL = "127.0.0.1"  # every loopback address
UNKNOWN = "0.0.0.0"  # what is not an address


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


def network_of(address: str) -> str:
    """The client an address belongs to, for every part that counts clients (the sign-in
    lockout, the citizens' check's limits and caps, the objection token's binding), written as
    an IP address (django-axes keeps it in an address column):
    - an IPv4 address is itself, however written (an IPv4-mapped IPv6 address ::ffff:a.b.c.d too);
    - an IPv6 address is its /64 (one home, phone or server is given a whole /64: 2^64 addresses
      to turn through), written as the network's first address;
    - every loopback address (127.0.0.0/8, ::1) is one client, "127.0.0.1";
    - what is not an address is one client, "0.0.0.0"."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return UNKNOWN
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return LOCAL
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Address(int(ip) >> 64 << 64))
    return str(ip)


def client_network(request) -> str:
    """The request's client: network_of(client_ip(request))."""
    return network_of(client_ip(request))
