"""Rate limits of the public pages (objections/limits.py) at their edges: per client, global,
the window's end, and the client's address behind a trusted proxy."""

from __future__ import annotations

import ipaddress
from unittest import mock

import pytest
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from staff.clients import client_ip
from tests.objections.people import BIRTH, NAME, NOT_LISTED

pytestmark = pytest.mark.django_db

API = "/api/cek-dukungan/"
NOW = 1_750_000_000.0  # a fixed clock: the window cannot end in the middle of a test
FORM = {"nik": NOT_LISTED, "birth_date": BIRTH.isoformat(), "name": NAME}


@pytest.fixture
def frozen():
    with mock.patch("objections.limits._now", return_value=NOW) as clock:
        yield clock


@pytest.fixture(autouse=True)
def _no_floor(settings):
    settings.CHECK_RESPONSE_FLOOR_MS = 0  # the limits are about counts, not time


def _check(client, ip: str = "203.0.113.7", **extra):
    return client.post(
        API,
        {"nik": NOT_LISTED, "birth_date": BIRTH.isoformat(), "name": NAME},
        content_type="application/json",
        REMOTE_ADDR=ip,
        **extra,
    )


def test_the_tenth_check_a_minute_passes_and_the_eleventh_is_429(client, field, frozen, settings):
    assert settings.CHECK_RATE_PER_CLIENT == "10/m"
    statuses = [_check(client).status_code for _ in range(10)]
    assert statuses == [200] * 10
    refused = _check(client)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Terlalu banyak permintaan dari perangkat Anda.")
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another client is not affected; the same client again once the window is over.
    assert _check(client, ip="203.0.113.8").status_code == 200
    frozen.return_value = NOW + 61
    assert _check(client).status_code == 200


def test_the_page_says_it_in_indonesian_with_429(client, field, frozen):
    for _ in range(10):
        client.post(reverse("check"), FORM)
    page = client.post(reverse("check"), FORM)
    assert page.status_code == 429
    assert "Terlalu banyak permintaan dari perangkat Anda" in page.content.decode()
    assert "Tidak terdaftar" not in page.content.decode()  # no answer once refused


def test_the_global_limit_stops_everyone_at_its_edge(client, field, frozen, settings):
    settings.CHECK_RATE_GLOBAL = "5/s"
    statuses = [_check(client, ip=f"198.51.100.{i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
    body = _check(client, ip="198.51.100.99").json()
    assert body["detail"].startswith("Layanan cek dukungan sedang sangat ramai.")
    frozen.return_value = NOW + 2
    assert _check(client, ip="198.51.100.99").status_code == 200


def test_a_client_over_its_own_limit_does_not_use_up_the_global_one(
    client, field, frozen, settings
):
    settings.CHECK_RATE_GLOBAL = "12/s"
    for _ in range(15):  # 10 pass, 5 refused by the client's limit only
        _check(client)
    assert [_check(client, ip=f"192.0.2.{i}").status_code for i in range(3)] == [200, 200, 429]


def test_behind_one_trusted_proxy_the_address_it_appended_counts(settings):
    rf = RequestFactory()
    forged = "1.2.3.4, 203.0.113.50"  # a client wrote 1.2.3.4; the proxy appended .50
    request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forged)
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.50"
    assert client_ip(rf.post("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_filing_objections_is_limited_per_client(client, field, settings):
    settings.OBJECTION_RATE_PER_CLIENT = "2/h"
    statuses = [client.post(reverse("objection-new"), {"token": "x"}).status_code for _ in range(3)]
    # An invalid token is sent back to the check before it counts: no limit reached.
    assert statuses == [302, 302, 302]


# --- who counts as one client: IPv6 by /64, IPv4 by address, loopback as one ---------------------


def test_twelve_addresses_of_one_ipv6_64_are_one_client(client, field, frozen):
    statuses = [_check(client, ip=f"2001:db8:1:2::{i:x}").status_code for i in range(1, 13)]
    assert statuses == [200] * 10 + [429, 429]
    # The next /64 is another client.
    assert _check(client, ip="2001:db8:1:3::1").status_code == 200


def test_127_0_0_1_and_ipv6_loopback_are_one_local_client(client, field, frozen):
    statuses = [_check(client, ip=ip).status_code for ip in ["127.0.0.1", "::1"] * 5]
    assert statuses == [200] * 10
    assert _check(client, ip="127.0.0.2").status_code == 429
    assert _check(client, ip="::1").status_code == 429


def test_an_ipv4_mapped_ipv6_address_is_that_ipv4_client(client, field, frozen):
    for _ in range(10):
        assert _check(client, ip="::ffff:203.0.113.9").status_code == 200
    assert _check(client, ip="203.0.113.9").status_code == 429


def test_behind_a_trusted_proxy_the_appended_ipv6_counts_by_its_64(client, field, frozen, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    forged = [f"1.2.3.{i}, 2001:db8:9:9::{i:x}" for i in range(1, 12)]
    statuses = [
        _check(client, ip="10.0.0.2", HTTP_X_FORWARDED_FOR=xff).status_code for xff in forged
    ]
    assert statuses == [200] * 10 + [429]


ipv6 = st.integers(min_value=0, max_value=2**128 - 1).map(ipaddress.IPv6Address)


@given(a=ipv6, b=ipv6)
def test_two_ipv6_addresses_are_one_client_exactly_when_they_share_their_64(a, b):
    """Loopback and the IPv4-mapped range are taken out first (they are other clients)."""
    from staff.clients import network_of as network_key

    assume(not a.ipv4_mapped and not b.ipv4_mapped and not a.is_loopback and not b.is_loopback)
    same_64 = int(a) >> 64 == int(b) >> 64
    assert (network_key(str(a)) == network_key(str(b))) == same_64


@given(v4=st.integers(min_value=0, max_value=2**32 - 1).map(ipaddress.IPv4Address))
def test_an_ipv4_address_is_its_own_client_however_it_is_written(v4):
    from staff.clients import network_of as network_key

    mapped = f"::ffff:{v4}"
    assert network_key(mapped) == network_key(str(v4))
    if v4.is_loopback:
        assert network_key(str(v4)) == network_key("::1") == "127.0.0.1"
    else:
        neighbour = ipaddress.IPv4Address((int(v4) + 1) % 2**32)
        assert network_key(str(v4)) != network_key(str(neighbour))


def test_what_is_not_an_address_is_one_unknown_client():
    from staff.clients import network_of as network_key

    assert network_key("") == network_key("not an address") == network_key("10.0.0.1, x")
    assert network_key("") != network_key("10.0.0.1")


@given(
    address=st.one_of(
        st.ip_addresses().map(str),
        st.integers(min_value=0, max_value=2**32 - 1).map(
            lambda n: f"::ffff:{ipaddress.IPv4Address(n)}"
        ),
        st.text(max_size=20),
    )
)
def test_the_limits_the_token_and_the_lockout_see_one_client_for_one_request(address):
    """One rule, staff.clients.client_network: the check's limits and caps, the objection
    token's binding and django-axes's lockout are given the same value for one request, a
    valid IP address (axes keeps it in an address column)."""
    from django.conf import settings as django_settings
    from django.test import RequestFactory
    from django.utils.module_loading import import_string

    from staff.clients import client_network

    request = RequestFactory().get("/", REMOTE_ADDR=address)
    axes = import_string(django_settings.AXES_CLIENT_IP_CALLABLE)
    value = client_network(request)
    assert axes(request) == value
    ipaddress.ip_address(value)  # an address
