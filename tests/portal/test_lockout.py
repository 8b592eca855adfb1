"""Sign-in lockout against a guesser with many addresses: failures count per username from
everywhere as well as per username and address, an IPv6 address counts by its /64, and every
lock ends after the cool-off (so that keeping an officer locked out keeps costing guesses)."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.urls import reverse

from staff.clients import client_network

PASSWORD = "sandi-yang-cukup-panjang-2024"


@pytest.fixture
def kpu(world):
    user = world.users["kpu_a"]
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, password, ip):
    return client.post(
        reverse("login"), {"username": "kpu_a", "password": password}, REMOTE_ADDR=ip
    )


def _cool_off_passes():
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )


def test_eighty_wrong_passwords_from_twenty_addresses_lock_the_username(client, kpu):
    statuses = [
        _sign_in(client, f"salah-{i}-{ip}", ip=f"198.51.100.{ip}").status_code
        for i in range(4)  # four each: under the limit of one address
        for ip in range(1, 21)
    ]
    assert statuses.count(429) >= 80 - settings.AXES_USERNAME_FAILURE_LIMIT
    # The officer at the office, from an address that never failed, is locked out too...
    assert _sign_in(client, PASSWORD, ip="203.0.113.9").status_code == 429
    assert "_auth_user_id" not in client.session
    # ...until the cool-off has passed.
    _cool_off_passes()
    assert _sign_in(client, PASSWORD, ip="203.0.113.9").status_code == 302


def test_a_username_is_locked_at_its_own_limit_not_before(client, kpu):
    limit = settings.AXES_USERNAME_FAILURE_LIMIT
    for i in range(limit - 1):
        _sign_in(client, f"salah-{i}", ip=f"198.51.100.{i + 1}")
    assert _sign_in(client, PASSWORD, ip="203.0.113.9").status_code == 302
    client.logout()
    for i in range(limit):
        _sign_in(client, f"salah-{i}", ip=f"198.51.100.{i + 1}")
    assert _sign_in(client, PASSWORD, ip="203.0.113.9").status_code == 429


def test_twelve_addresses_of_one_ipv6_64_count_as_one(client, kpu):
    statuses = [
        _sign_in(client, f"salah-{i}", ip=f"2001:db8:1:2::{i:x}").status_code for i in range(1, 13)
    ]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses == [200] * (limit - 1) + [429] * (12 - limit + 1)
    assert _sign_in(client, PASSWORD, ip="2001:db8:1:2:ffff::1").status_code == 429
    # The next /64 is another network: the officer there signs in.
    assert _sign_in(client, PASSWORD, ip="2001:db8:1:3::1").status_code == 302


def test_an_address_counts_as_its_network():
    from django.test import RequestFactory

    def network(ip: str) -> str:
        return client_network(RequestFactory().get("/", REMOTE_ADDR=ip))

    assert network("2001:db8:1:2::1") == network("2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert network("2001:db8:1:2::1") == "2001:db8:1:2::"
    assert network("2001:db8:1:2::1") != network("2001:db8:1:3::1")
    assert network("::ffff:198.51.100.7") == network("198.51.100.7") == "198.51.100.7"
    assert network("198.51.100.7") != network("198.51.100.8")
    assert network("127.0.0.1") == network("127.8.9.1") == network("::1") == "127.0.0.1"
    assert network("") == network("not an address") == "0.0.0.0"  # an address axes can store
