"""The list page, the header's unread count, opening a notification, the e-mail choice; and
free texts (an advice) that hold a NIK and a name never reach a message (hypothesis)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.models import Advice
from fieldwork.supervision import advice_create
from notifications.events import event_notify
from notifications.models import Notification, Preference
from tests.factories import make_nik


@pytest.fixture
def advised(field):
    a = field.objects["a"]
    advice = advice_create(
        stage=a["stage"], target=Advice.Target.SUPPORTER, task=a["tasks"][2],
        text="Belum ditemui.", by=field.users["pkd_a"],
    )  # fmt: skip
    event_notify("advice_filed", advice.pk)
    return field


def test_the_header_counts_the_unread_and_the_list_shows_them(advised, client):
    client.force_login(advised.users["kpu_a"])
    home = client.get(reverse("home")).content.decode()
    assert reverse("notification-count") in home and reverse("notification-settings") in home
    assert ">1</span>" in client.get(reverse("notification-count")).content.decode()
    page = client.get(reverse("notification-list")).content.decode()
    assert "Saran perbaikan baru menunggu jawaban KPU" in page
    client.force_login(advised.users["kpu_b"])  # another kab/kota: nothing
    assert "badge" not in client.get(reverse("notification-count")).content.decode()
    assert "Belum ada notifikasi." in client.get(reverse("notification-list")).content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(advised, client):
    kpu = advised.users["kpu_a"]
    notification = Notification.objects.get(user=kpu)
    client.force_login(advised.users["kpu_b"])  # not theirs
    opened = {"id": str(notification.pk)}
    assert client.post(reverse("notification-open"), opened).status_code == 404
    client.force_login(kpu)
    assert client.post(reverse("notification-open"), {"id": "abc"}).status_code == 404
    response = client.post(reverse("notification-open"), opened)
    assert response.status_code == 302 and response["Location"] == notification.link
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "badge" not in client.get(reverse("notification-count")).content.decode()


def test_the_email_choice_defaults_to_on_with_an_address_and_is_kept(field, client):
    tim = field.users["tim_a"]
    client.force_login(tim)
    page = client.get(reverse("notification-settings")).content.decode()
    assert 'name="email"' in page and "checked" in page and tim.email in page
    assert client.post(reverse("notification-settings"), {}).status_code == 302
    assert Preference.objects.get(user=tim).email is False
    assert "checked" not in client.get(reverse("notification-settings")).content.decode()
    client.post(reverse("notification-settings"), {"email": "on"})
    assert Preference.objects.get(user=tim).email is True


def test_without_an_address_the_page_says_so(field, client):
    pps = field.users["pps_a"]
    pps.email = ""
    pps.save(update_fields=["email"])
    client.force_login(pps)
    page = client.get(reverse("notification-settings")).content.decode()
    assert "belum memiliki alamat e-mail" in page and "checked" not in page


# A supporter's name (letters of any script, marked so that no word of a message is one).
names = st.text(st.characters(categories=("Lu", "Ll")), min_size=3, max_size=20).map(
    lambda s: f"Zq{s}"
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=names, serial=st.integers(0, 9999), filler=st.text(max_size=40))
def test_an_advice_naming_a_supporter_never_reaches_a_message(field, name, serial, filler):
    a = field.objects["a"]
    nik = make_nik(region="317101", serial=serial)
    advice = advice_create(
        stage=a["stage"], target=Advice.Target.AREA, region_code=a["tasks"][0].kelurahan_code,
        text=f"{filler} {name} {nik} {filler}", by=field.users["pkd_a"],
    )  # fmt: skip
    event_notify("advice_filed", advice.pk)
    for n in Notification.objects.filter(key=f"advice:{advice.pk}:filed"):
        text = f"{n.subject}\n{n.body}"
        assert nik not in text and not re.search(r"\d{12,}", text)
        assert name not in text and advice.text not in text


def test_the_daily_command_tells_each_deadline_once_and_a_timer_starts_it(field):
    import configparser
    import datetime as dt
    import io
    import json
    from pathlib import Path

    from django.core.management import call_command
    from django.utils import timezone

    from fieldwork.models import Stage

    today = timezone.localdate()
    Stage.objects.filter(pk=field.objects["b"]["stage"].pk).update(
        closes=today + dt.timedelta(days=2)
    )
    runs = []
    for _ in range(2):
        out = io.StringIO()
        call_command("notifications_daily", "--date", today.isoformat(), stdout=out)
        runs.append(json.loads(out.getvalue()))
    # Side B's team, its KPU kab/kota and the province, its PPS (three supporters to visit).
    assert runs == [
        {"date": today.isoformat(), "stages_closing": 4, "bring_ins": 0},
        {"date": today.isoformat(), "stages_closing": 0, "bring_ins": 0},
    ]
    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        "tim_b", "kpu_b", "kpu_prov", "pps_b",
    }  # fmt: skip
    deploy = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
    units = {}
    for name in ("pilkada-notify.timer", "pilkada-notify.service"):
        units[name] = configparser.ConfigParser(strict=False, interpolation=None)
        units[name].read(deploy / name)
    assert units["pilkada-notify.timer"]["Timer"]["Unit"] == "pilkada-notify.service"
    assert units["pilkada-notify.timer"]["Timer"]["OnCalendar"].startswith("*-*-* 06:00")
    assert "notifications_daily" in units["pilkada-notify.service"]["Service"]["ExecStart"]
