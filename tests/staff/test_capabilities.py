"""The roles' capabilities are data: staff.capabilities.CAPABILITIES is the only place a role
gains or loses one. Every capability is granted to some role and asked for somewhere, every
user of the shared world holds exactly what the table gives its roles, and a capability given
(or taken) in the table alone changes the pages and the API end to end."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from electorate.models import Role
from staff import access
from staff.capabilities import CAPABILITIES, PKD, SUPERUSER, Capability
from tests.fieldwork.world import KELURAHAN, fieldwork_objects_add, fieldwork_users_add

ROOT = Path(__file__).resolve().parents[2]
APPS = ("candidates", "verification", "fieldwork", "objections", "decisions", "documents",
        "portal", "staff")  # fmt: skip
# The world's users (tests/conftest.py, tests/fieldwork/world.py) and the table's keys they hold.
HOLDS = {
    "su": {SUPERUSER},
    "prov": {Role.KPU_PROVINSI},
    "kpu_a": {Role.KPU_KABKOTA},
    "ppk_a": {Role.PPK},
    "pps_a": {Role.PPS},
    "bawaslu_a": {Role.BAWASLU},
    "pkd_a": {Role.BAWASLU, PKD},
    "tim_a": {Role.TIM},
}


def _source() -> str:
    return "\n".join(
        path.read_text()
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if path != ROOT / "staff" / "capabilities.py"
    )


def test_every_capability_is_granted_and_asked_for():
    source = _source()
    for capability in Capability:
        assert any(capability in granted for granted in CAPABILITIES.values()), capability
        assert f"Capability.{capability.name}" in source, f"nobody asks for {capability}"
    assert set(CAPABILITIES) == {SUPERUSER, PKD, *Role.values}


def test_no_page_names_two_roles_where_a_capability_is_meant():
    """`is_commission(user) or is_supervisor(user)` was written 13 times: outside staff/, no
    decision combines role predicates any more (it asks may(user, capability))."""
    roles_or = re.compile(r"is_(commission|supervisor|committee|team|pkd)\([^)]*\)\s+or\s+is_")
    for app in APPS:
        if app == "staff":
            continue
        for path in (ROOT / app).rglob("*.py"):
            assert not roles_or.search(path.read_text()), path


@pytest.mark.django_db
def test_every_user_holds_what_the_table_gives_its_roles(world):
    fieldwork_users_add(world)
    for name, keys in HOLDS.items():
        user = world.users[name]
        assert access.roles(user) == keys, name
        for capability in Capability:
            granted = any(capability in CAPABILITIES[key] for key in keys)
            assert access.may(user, capability) is granted, (name, capability)
            # With an area: inside the user's own only (side B is outside every side-A user's).
            inside = access.may(user, capability, KELURAHAN["a"])
            outside = access.may(user, capability, KELURAHAN["b"])
            assert inside is granted, (name, capability)
            assert outside is (granted and name in ("su", "prov")), (name, capability)
    for capability in Capability:
        assert not access.may(AnonymousUser(), capability)


def _grant(capability: Capability, *roles: str, take: bool = False):
    return mock.patch.dict(
        CAPABILITIES,
        {
            r: CAPABILITIES[r] - {capability} if take else CAPABILITIES[r] | {capability}
            for r in roles
        },
    )


@pytest.mark.django_db
def test_a_capability_given_in_the_table_alone_opens_the_pages(world, client):
    """Bawaslu reads no names; given READ_NAMES in the table, and nothing else, it reads the
    supporters of its area on the page, in the API and sees the tab."""
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["bawaslu_a"])
    page = reverse("supporter-list", kwargs={"pk": pair.pk})
    api = reverse("api-supporter-list", kwargs={"pk": pair.pk})
    assert client.get(page).status_code == 403
    assert client.get(api).status_code == 403
    with _grant(Capability.READ_NAMES, Role.BAWASLU):
        response = client.get(page)
        assert response.status_code == 200
        for supporter in pair.supporters.all():
            assert supporter.name in response.content.decode()
        assert client.get(api).status_code == 200
        detail = client.get(reverse("pair-detail", kwargs={"pk": pair.pk})).content.decode()
        assert page in detail
    assert client.get(page).status_code == 403


@pytest.mark.django_db
def test_a_capability_taken_in_the_table_alone_closes_the_pages(world, client):
    """The PKD files advice; FILE_ADVICE taken from Bawaslu and the PKD in the table alone
    refuses the form (and its link on the advice list), the list itself still open."""
    fieldwork_users_add(world)
    fieldwork_objects_add(world)
    stage = world.objects["a"]["stage"]
    client.force_login(world.users["pkd_a"])
    new = reverse("verfak-advice-new", kwargs={"pk": stage.pk})
    listing = reverse("verfak-advice-list", kwargs={"pk": stage.pk})
    assert client.get(new).status_code == 200
    assert new in client.get(listing).content.decode()
    with _grant(Capability.FILE_ADVICE, Role.BAWASLU, PKD, take=True):
        assert client.get(new).status_code == 403
        response = client.get(listing)
        assert response.status_code == 200
        assert new not in response.content.decode()
