"""The public check answers citizens, not enumerators (issue 19 item 2).

An attacker knows the first 12 digits of a NIK (kecamatan of issue, birth date, sex: what a
birthday and an address give away) and walks the 4-digit serial from many addresses. The
answer must need something the NIK does not give (the name, compared as the verification
compares names), and the distinct NIKs tried per 12-digit prefix per day are capped across
all clients: past the cap every answer is "not listed", the same bytes, headers and time as a
real "not listed", so the cap is no oracle either. A citizen whose prefix is not capped still
learns the truth.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from unittest import mock

import pytest
from django.urls import reverse

from tests.objections.people import BIRTH, NAME, NIKS, NOT_LISTED
from tests.verification.case import KEL

pytestmark = pytest.mark.django_db

API = "/api/cek-dukungan/"
NOW = 1_750_000_000.0  # a fixed clock: no window or day ends in the middle of a test
NOT_LISTED_BODY = b'{"listed":false,"supports":[]}'
# A woman born 15 June 1988 (day + 40), NIK issued in Gambir; her serial is not a small one.
TARGET = "3171015506880417"
TARGET_NAME = "SITI AMINAH"
TARGET_BIRTH = dt.date(1988, 6, 15)


def addresses(n: int) -> list[str]:
    """n client addresses, every other one IPv4 (each its own address) and IPv6 (each in its
    own /64 of one /48: what a single tunnel-broker account hands out)."""
    out = []
    for i in range(n):
        if i % 2:
            out.append(f"2001:db8:4a00:{i:x}::{i % 7 + 1:x}")
        else:
            out.append(f"100.{64 + i // 65536}.{(i // 256) % 256}.{i % 256}")
    return out


@pytest.fixture
def frozen():
    with mock.patch("objections.limits._now", return_value=NOW) as clock:
        yield clock


@pytest.fixture(autouse=True)
def _no_floor(settings):
    settings.CHECK_RESPONSE_FLOOR_MS = 0  # the caps are about answers, not time


def _api(client, nik: str, birth: dt.date, name: str, ip: str = "203.0.113.7"):
    return client.post(
        API,
        {"nik": nik, "birth_date": birth.isoformat(), "name": name},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_an_attacker_with_twelve_digits_and_the_name_never_learns_the_listed_serial(
    client, field, frozen, settings
):
    """The worst case: the attacker even knows the name. 1,000 serials from 1,000 addresses
    (IPv4, and IPv6 /64s of one /48): no per-address limit is reached, and still the listed
    serial (the 417th tried) is answered "not listed": the prefix was capped at 30."""
    settings.CHECK_RATE_GLOBAL = "100000/s"
    field.case.supporter(TARGET, kelurahan_id=KEL, name=TARGET_NAME)
    answers: Counter = Counter()
    for serial, ip in zip(range(1, 1001), addresses(1000), strict=True):
        response = _api(client, TARGET[:12] + f"{serial:04d}", TARGET_BIRTH, TARGET_NAME, ip)
        answers[(response.status_code, response.content)] += 1
    assert answers == {(200, NOT_LISTED_BODY): 1000}

    # A citizen whose prefix nobody walked is told the truth, from the attacker's own /48.
    response = _api(client, NIKS[0], BIRTH, NAME, ip="2001:db8:4a00:ffff::1")
    assert response.json()["listed"] is True


def test_without_the_name_the_serials_under_the_cap_tell_nothing(client, field, frozen):
    """Real serials are small (0001, 0002, ...): 30 tries cover them. The name stops the walk:
    a guessed name gets "not listed" for the listed serial too, and the citizen herself, whose
    NIK the attacker tried, still gets the truth once the prefix is full."""
    listed = TARGET[:12] + "0003"
    field.case.supporter(listed, kelurahan_id=KEL, name=TARGET_NAME)
    ips = addresses(30)
    bodies = {
        _api(
            client, TARGET[:12] + f"{serial:04d}", TARGET_BIRTH, "MUHAMMAD RIZKI", ips[serial - 1]
        ).content
        for serial in range(1, 31)
    }
    assert bodies == {NOT_LISTED_BODY}
    mine = _api(client, listed, TARGET_BIRTH, "Siti Aminah", ip="198.51.100.20").json()
    assert mine["listed"] is True and mine["supports"][0]["pair"] == "A"


def test_the_name_is_compared_as_the_verification_compares_names(client, field, frozen):
    # Case, old spelling and a title are the same name; a given name missing is not.
    ip = iter(addresses(10))
    assert _api(client, NIKS[0], BIRTH, "budi santoso", next(ip)).json()["listed"] is True
    assert _api(client, NIKS[0], BIRTH, "BOEDI SANTOSO", next(ip)).json()["listed"] is True
    assert _api(client, NIKS[0], BIRTH, "H. Budi Santoso", next(ip)).json()["listed"] is True
    assert _api(client, NIKS[0], BIRTH, "BUDI", next(ip)).content == NOT_LISTED_BODY
    assert _api(client, NIKS[0], BIRTH, "BUDI SANTOSA", next(ip)).content == NOT_LISTED_BODY
    # The name and the birth date of the roll count too (the team may have typed others).
    from candidates.models import Supporter

    Supporter.objects.filter(pk=field.supporters[1].pk).update(name="BUDI S")
    assert _api(client, NIKS[1], BIRTH, NAME, next(ip)).json()["listed"] is True


def test_the_api_and_the_page_require_the_name(client, field, frozen):
    response = client.post(
        API, {"nik": NIKS[0], "birth_date": BIRTH.isoformat()}, content_type="application/json"
    )
    assert response.status_code == 400 and "name" in response.json()["errors"]
    page = client.post(reverse("check"), {"nik": NIKS[0], "birth_date": BIRTH.isoformat()})
    assert page.status_code == 400
    assert 'name="name"' in page.content.decode()


def test_one_nik_is_answered_ten_times_a_day_then_not_listed_until_the_next_day(
    client, field, frozen, settings
):
    """Guessing the name of one NIK: ten lookups a day, from wherever they come."""
    assert settings.CHECK_NIK_DAILY == 10
    ips = addresses(12)
    for i in range(10):
        assert _api(client, NIKS[0], BIRTH, f"NAMA TEBAKAN {i}", ips[i]).content == NOT_LISTED_BODY
    assert _api(client, NIKS[0], BIRTH, NAME, ips[10]).content == NOT_LISTED_BODY
    frozen.return_value = NOW + 86_400
    assert _api(client, NIKS[0], BIRTH, NAME, ips[11]).json()["listed"] is True


def _cap_the_prefix(client, prefix: str, birth: dt.date, n: int) -> None:
    for serial, ip in zip(range(9001, 9001 + n), addresses(n), strict=True):
        assert _api(client, f"{prefix}{serial}", birth, "X", ip).status_code == 200


def _clean_headers(response) -> dict:
    """Every header but those that carry the clock (never_cache's Expires, Date)."""
    return {k: v for k, v in response.headers.items() if k not in ("Expires", "Date")}


def _cookies(response) -> list[tuple]:
    """The cookies set, with their attributes but the value and the clock's expiry."""
    return sorted(
        (name, tuple(sorted((k, v) for k, v in morsel.items() if v and k != "expires")))
        for name, morsel in response.cookies.items()
    )


CAPPED = ("3171012302850007", dt.date(1985, 2, 23))  # its prefix walked by others first
OVERUSED = ("3171010303750002", dt.date(1975, 3, 3))  # looked up by others first


def _five_answers(client_class, field, settings, via: str) -> dict:
    """The same request shape for: not listed, wrong birth date, wrong name, the prefix
    capped (then the right birth date and name), the NIK over its daily lookups."""
    settings.CHECK_PREFIX_DAILY = 3
    settings.CHECK_NIK_DAILY = 2
    for nik, _birth in (CAPPED, OVERUSED):
        field.case.supporter(nik, kelurahan_id=KEL, name=NAME)
    cases = {
        "not listed": (NOT_LISTED, BIRTH, NAME),
        "wrong birth date": (NIKS[0], BIRTH + dt.timedelta(days=1), NAME),
        "wrong name": (NIKS[0], BIRTH, "AHMAD SANTOSO"),
        "prefix capped": (CAPPED[0], CAPPED[1], NAME),
        "nik over its lookups": (OVERUSED[0], OVERUSED[1], NAME),
    }
    answers = {}
    for label, (nik, birth, name) in cases.items():
        setup = client_class()
        if label == "prefix capped":  # three other serials of the prefix, from elsewhere
            _cap_the_prefix(setup, nik[:12], birth, 3)
        if label == "nik over its lookups":
            for ip in ("192.0.2.2", "192.0.2.3"):
                _api(setup, nik, birth, "X", ip)
        client = client_class()
        if via == "page":
            client.get(reverse("check"))  # the CSRF cookie, as a browser has it
            response = client.post(
                reverse("check"),
                {"nik": nik, "birth_date": birth.isoformat(), "name": name},
                REMOTE_ADDR="198.51.100.77",
            )
            body = re.sub(r"[A-Za-z0-9]{64}", "CSRF", response.content.decode())
        else:
            response = _api(client, nik, birth, name, ip="198.51.100.77")
            body = response.content.decode()
        answers[label] = (response.status_code, body, _clean_headers(response), _cookies(response))
    return answers


@pytest.mark.parametrize("via", ["api", "page"])
def test_capped_not_listed_and_wrong_factors_are_one_answer_byte_for_byte(
    client, field, frozen, settings, via
):
    from django.test import Client

    answers = _five_answers(Client, field, settings, via)
    first = answers["not listed"]
    assert first[0] == 200
    for label, answer in answers.items():
        assert answer == first, label
    # And the right answer is still given where no cap holds.
    ok = _api(client, NIKS[1], BIRTH, NAME, ip="198.51.100.78")
    assert ok.json()["listed"] is True


# --- the staff desk (objection_file_page): no oracle either -------------------------------------


def _file(client, nik: str, name: str, pair_id: int, ip: str = "10.1.1.1"):
    return client.post(
        reverse("objection-file"),
        {"pair": pair_id, "nik": nik, "name": name, "kind": "tidak_pernah", "contact": "",
         "note": "Aduan warga."},
        REMOTE_ADDR=ip,
    )  # fmt: skip


def _page(response) -> str:
    """The page without the CSRF token and without what the officer typed (given back so that
    a typo can be fixed: the same for every answer)."""
    html = re.sub(r"[A-Za-z0-9]{64}", "CSRF", response.content.decode())
    return re.sub(r'(name="(?:nik|name)") value="[^"]*"', r"\1", html)


def test_the_desk_needs_the_name_and_answers_not_found_wrong_name_and_capped_alike(
    client, field, frozen, settings
):
    from objections.models import Objection

    settings.CHECK_PREFIX_DAILY = 2
    client.force_login(field.users["bawaslu"])
    pair = field.pair.pk
    wrong_name = _file(client, NIKS[1], "AHMAD SANTOSO", pair)
    not_found = _file(client, NOT_LISTED, NAME, pair)
    # NIKS[0..1] and NOT_LISTED share a prefix: two distinct tried, the third is over the cap.
    capped = _file(client, NIKS[2], NAME, pair)
    assert not Objection.objects.exists()
    assert wrong_name.status_code == not_found.status_code == capped.status_code == 400
    assert _page(wrong_name) == _page(not_found) == _page(capped)
    assert "tidak terdaftar sebagai pendukung pasangan tersebut" in _page(capped)
    # The right name, on a prefix with room: filed.
    settings.CHECK_PREFIX_DAILY = 30
    filed = _file(client, NIKS[1], "budi santoso", pair)
    assert filed.status_code == 302
    assert Objection.objects.get().supporter == field.supporters[1]


def test_the_desk_is_limited_per_user_whatever_the_address(client, field, frozen, settings):
    settings.CHECK_RATE_PER_STAFF = "3/h"
    client.force_login(field.users["bawaslu"])
    statuses = [
        _file(client, NOT_LISTED, NAME, field.pair.pk, ip=ip).status_code
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4")
    ]
    assert statuses == [400, 400, 400, 429]
    # Another officer is not affected.
    client.force_login(field.users["kpu"])
    assert _file(client, NOT_LISTED, NAME, field.pair.pk).status_code == 400


def test_the_desks_cap_is_its_own_so_a_public_attacker_cannot_block_it(
    client, field, frozen, settings
):
    settings.CHECK_PREFIX_DAILY = 3
    _cap_the_prefix(client, NIKS[0][:12], BIRTH, 3)
    assert _api(client, NIKS[1], BIRTH, NAME, ip="198.51.100.9").content == NOT_LISTED_BODY
    client.force_login(field.users["bawaslu"])
    assert _file(client, NIKS[1], NAME, field.pair.pk).status_code == 302


# --- the store ----------------------------------------------------------------------------------


def test_two_processes_that_drew_different_salts_count_in_one_set(client, field, frozen, settings):
    """Each web process draws the day's salt; the first to reach Redis sets it, and the others
    take it (the gate tells them): the cap of a prefix holds across processes."""
    from objections import limits

    settings.CHECK_PREFIX_DAILY = 2
    day = int(NOW // limits.DAY)
    assert _api(client, NIKS[0], BIRTH, NAME, "192.0.2.10").json()["listed"] is True
    limits._salts[day] = "00" * 32  # another process, with a salt of its own
    assert _api(client, NIKS[1], BIRTH, NAME, "192.0.2.11").json()["listed"] is True
    assert limits._salts[day] != "00" * 32  # it took the stored one
    assert _api(client, NIKS[2], BIRTH, NAME, "192.0.2.12").content == NOT_LISTED_BODY


def test_a_store_that_cannot_be_reached_refuses_every_lookup(client, field, frozen, caplog):
    with mock.patch("objections.limits._gate_run", side_effect=ConnectionError("down")):
        response = _api(client, NIKS[0], BIRTH, NAME)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Layanan cek dukungan sedang sangat ramai.")
    assert "rate limit store unreachable" in caplog.text
