"""Lookups leave counts, not traces (issue 19 item 2): per hour, per group of NIKs (the first
12 digits, as a keyed hash under the day's salt), per client network (the same) and per
channel, with the kecamatan of issue in the clear and nothing else: no NIK, no address. A
group walked to its cap, or a network that tries many groups in a day, is a red flag that KPU
and Bawaslu see with the others on the recap, each in their own area."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from objections.checkcounts import check_counts_flush
from objections.models import CheckCount
from tests.objections.people import BIRTH, NAME, NIKS, NOT_LISTED

pytestmark = pytest.mark.django_db

API = "/api/cek-dukungan/"
NOW = 1_750_000_000.0  # 2025-06-15 15:06:40 UTC
HOUR = dt.datetime(2025, 6, 15, 15, tzinfo=dt.UTC)
OTHER_GROUP = "3171015506880003"  # another prefix issued in Gambir (31.71.01)


@pytest.fixture
def frozen():
    with mock.patch("objections.limits._now", return_value=NOW) as clock:
        yield clock


@pytest.fixture(autouse=True)
def _no_floor(settings):
    settings.CHECK_RESPONSE_FLOOR_MS = 0


def _api(client, nik: str, ip: str, birth: dt.date = BIRTH, name: str = NAME):
    return client.post(
        API,
        {"nik": nik, "birth_date": birth.isoformat(), "name": name},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def _rows() -> list[tuple]:
    return sorted(
        CheckCount.objects.values_list(
            "hour", "channel", "region_code", "prefix", "network", "lookups", "withheld"
        ),
        key=lambda r: (r[1], r[5], r[6], bytes(r[3]), bytes(r[4])),
    )


def test_lookups_are_counted_per_hour_group_network_and_channel_and_nothing_more(
    client, field, frozen, settings
):
    settings.CHECK_PREFIX_DAILY = 3
    for nik in (NIKS[0], NIKS[1], NOT_LISTED):  # three of one group, from one IPv4 client
        _api(client, nik, "203.0.113.7")
    _api(client, NIKS[2], "2001:db8:5:6::1")  # the group's 4th NIK: over the cap, withheld
    _api(client, NIKS[2], "2001:db8:5:6::2")  # the same /64: the same network
    _api(client, OTHER_GROUP, "2001:db8:5:6::3", birth=dt.date(1988, 6, 15))
    client.post(reverse("check"), {"nik": NIKS[0], "birth_date": BIRTH.isoformat(), "name": NAME},
                REMOTE_ADDR="203.0.113.7")  # fmt: skip

    assert check_counts_flush(now=NOW, current=True) == 4
    rows = _rows()
    assert [(r[1], r[2], r[5], r[6]) for r in rows] == [
        ("api", "31.71.01", 1, 0),  # the other group, from the /64
        ("api", "31.71.01", 2, 2),  # the 4th NIK twice, from the /64: both withheld
        ("api", "31.71.01", 3, 0),  # three NIKs of the group from 203.0.113.7
        ("web", "31.71.01", 1, 0),  # the page counts apart
    ]
    assert {r[0] for r in rows} == {HOUR}
    by_network = {bytes(r[4]) for r in rows if r[1] == "api"}
    by_group = {bytes(r[3]) for r in rows if r[1] == "api"}
    assert len(by_network) == 2 and len(by_group) == 2
    assert bytes(rows[1][3]) == bytes(rows[2][3])  # the same group from two networks

    # No NIK, no 12-digit prefix, no address: not in any column, in any encoding.
    stored = repr(_rows()).encode() + b"".join(bytes(r[3]) + bytes(r[4]) for r in rows)
    for secret in [*NIKS, NOT_LISTED, NIKS[0][:12], "203.0.113.7", "2001:db8:5:6", "2001:db8"]:
        assert secret.encode() not in stored
        assert secret.encode().hex().encode() not in stored

    # Flushing again writes the same rows: a flush can run twice or die halfway.
    assert check_counts_flush(now=NOW, current=True) == 4
    assert _rows() == rows
    _api(client, NIKS[0], "203.0.113.7")
    check_counts_flush(now=NOW, current=True)
    assert sorted(r[5] for r in _rows()) == [1, 1, 2, 4]


def test_a_closed_hour_is_flushed_by_the_first_lookup_of_a_later_hour(client, field, frozen):
    _api(client, NIKS[0], "203.0.113.7")
    assert not CheckCount.objects.exists()  # the current hour stays in the store
    frozen.return_value = NOW + 3600
    _api(client, NIKS[1], "203.0.113.7")
    assert [(r[0], r[5]) for r in _rows()] == [(HOUR, 1)]


def _walk(client, nik: str, birth: dt.date, serials: range, first_ip: int = 0) -> None:
    for i, serial in enumerate(serials):
        response = _api(client, f"{nik[:12]}{serial:04d}", f"100.70.0.{first_ip + i}", birth)
        assert response.status_code == 200


def test_a_group_walked_to_its_cap_is_a_red_flag_for_the_area_on_the_recap(
    client, field, frozen, settings
):
    settings.CHECK_PREFIX_DAILY = 5
    recap = reverse("verification-recap", args=[field.pair.pk])
    client.force_login(field.users["bawaslu"])
    assert "Pengecekan NIK beruntun" not in client.get(recap).content.decode()  # flags stored

    client.logout()
    _walk(client, NIKS[0], BIRTH, range(1, 9))  # 8 serials: 5 answered, 3 withheld
    check_counts_flush(now=NOW, current=True)

    client.force_login(field.users["bawaslu"])
    page = client.get(recap).content.decode()
    assert 'data-flag="enumeration"' in page
    assert "Pengecekan NIK beruntun" in page
    assert "15-06-2025" in page and "3 jawaban ditahan" in page
    client.force_login(field.users["kpu_utara"])  # another kab/kota: not its kecamatan
    assert "Pengecekan NIK beruntun" not in client.get(recap).content.decode()


def test_a_network_that_tries_many_groups_in_a_day_is_a_red_flag_for_the_election(
    client, field, frozen, settings
):
    settings.CHECK_NETWORK_GROUPS_FLAG = 4
    births = [dt.date(1990, 1, d) for d in range(1, 6)]  # five groups, one NIK each
    for birth in births:
        nik = f"317101{birth:%d%m%y}0001"
        assert _api(client, nik, "2001:db8:77:1::1", birth=birth).status_code == 200
    check_counts_flush(now=NOW, current=True)
    client.force_login(field.users["prov"])
    page = client.get(reverse("verification-recap", args=[field.pair.pk])).content.decode()
    assert 'data-flag="enumeration_network"' in page
    assert "1 jaringan" in page and "5 kelompok NIK" in page
    client.force_login(field.users["bawaslu"])  # a kab/kota sees flags of its own places only
    page = client.get(reverse("verification-recap", args=[field.pair.pk])).content.decode()
    assert "enumeration_network" not in page
