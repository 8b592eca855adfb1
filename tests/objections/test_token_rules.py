"""The token of a positive check files one objection, from the network it was given to, and
objections about one supporter are one (issue 19 item 7).

One positive check gave a token that filed 10 objections about the same supporter from several
addresses. Now the token is spent by the objection it files (a second use goes back to the
check), it is good only from the client network the check answered (an IPv4 address, an IPv6
/64: staff.clients.client_network), and a second objection about a supporter with one of the
same kind still open is merged into it (a step of the same objection, its reference given).
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from objections.lookup import supports_find, token_make
from objections.models import Objection, Step
from objections.services import objection_submit
from tests.objections.people import BIRTH, NAME, NIKS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_floor_and_room(settings):
    settings.CHECK_RESPONSE_FLOOR_MS = 0
    settings.OBJECTION_RATE_PER_CLIENT = "1000/h"
    settings.CHECK_RATE_PER_CLIENT = "1000/m"


def _check(client, address: str) -> tuple[str, str]:
    page = client.post(
        reverse("check"),
        {"nik": NIKS[0], "birth_date": BIRTH.isoformat(), "name": NAME},
        REMOTE_ADDR=address,
    ).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    prefix = re.search(r'name="(p\d+)-kind"', page).group(1)
    return token, prefix


def _object(client, token: str, prefix: str, address: str, *, kind: str = "tidak_pernah"):
    return client.post(
        reverse("objection-new"),
        {"token": token, f"{prefix}-kind": kind, f"{prefix}-contact": "0812 1111 2222"},
        REMOTE_ADDR=address,
    )


def test_a_token_files_one_objection(client, field):
    token, prefix = _check(client, "203.0.113.7")

    first = _object(client, token, prefix, "203.0.113.7")
    again = [_object(client, token, prefix, "203.0.113.7") for _ in range(9)]

    assert first.status_code == 200
    assert all(r.status_code == 302 and r["Location"] == reverse("check") for r in again)
    assert Objection.objects.count() == 1
    assert Step.objects.filter(action=Step.Action.FILED).count() == 1


@pytest.mark.parametrize(
    ("checked", "filed", "accepted"),
    [
        ("203.0.113.7", "198.51.100.4", False),
        ("2001:db8:1:2::10", "2001:db8:1:2:ffff::1", True),  # the same /64
        ("2001:db8:1:2::10", "2001:db8:1:3::10", False),
    ],
    ids=["another-ipv4", "same-ipv6-64", "another-ipv6-64"],
)
def test_a_token_is_good_only_from_the_network_that_checked(
    client, field, checked, filed, accepted
):
    token, prefix = _check(client, checked)

    response = _object(client, token, prefix, filed)

    assert (response.status_code == 200) is accepted
    assert Objection.objects.count() == (1 if accepted else 0)


def test_a_second_objection_about_the_same_supporter_is_merged(client, field):
    token_a, prefix = _check(client, "203.0.113.7")
    token_b, _prefix = _check(client, "198.51.100.4")

    first = _object(client, token_a, prefix, "203.0.113.7")
    second = _object(client, token_b, prefix, "198.51.100.4")
    other_kind = _check(client, "192.0.2.1")
    third = _object(client, other_kind[0], prefix, "192.0.2.1", kind="pasangan_lain")

    objections = list(Objection.objects.order_by("pk"))
    assert [o.kind for o in objections] == ["tidak_pernah", "pasangan_lain"]
    merged = objections[0]
    assert merged.steps.filter(action=Step.Action.FILED).count() == 2
    assert merged.reference in first.content.decode()
    assert merged.reference in second.content.decode()  # the filer follows the same code
    assert objections[1].reference in third.content.decode()


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    filings=st.lists(
        st.tuples(
            st.integers(0, 2),  # which of three checks' tokens
            st.sampled_from(["203.0.113.7", "198.51.100.4"]),  # from where
            st.sampled_from(["tidak_pernah", "pasangan_lain"]),
        ),
        max_size=8,
    )
)
def test_whatever_is_filed_each_token_files_once_and_one_objection_per_kind_is_open(field, filings):
    Step.objects.all().delete()
    Objection.objects.all().delete()
    support = supports_find(nik=NIKS[0], birth_date=BIRTH, name=NAME)[0]
    tokens = [token_make(support, client="4:203.0.113.7") for _ in range(3)]
    spent = set()
    for which, address, kind in filings:
        try:
            objection_submit(
                kind=kind,
                contact="0812 1111 2222",
                token=tokens[which],
                client=f"4:{address}",
            )
        except ValidationError:  # spent, or another network: refused
            assert which in spent or address != "203.0.113.7"
        else:
            assert which not in spent and address == "203.0.113.7"
            spent.add(which)
    open_kinds = list(
        Objection.objects.filter(status__in=Objection.OPEN_STATUSES).values_list("kind", flat=True)
    )
    assert len(open_kinds) == len(set(open_kinds))
    assert Step.objects.filter(action=Step.Action.FILED).count() == len(spent)
