"""Every change to an election is on the trail (issue 19 item 4).

The settings that decide outcomes (the DPT the threshold comes from, the level, the region,
the rule set, the outcome per reason, voting day, the submission windows, ...) change only
through `election_settings_change`, which records who, why, before and after, and refuses
once a verification has run for any pair of the election. The admin goes through it; its
other saves and deletes are audit events with before and after (audit.admin.AuditedAdmin),
since django_admin_log is an ordinary, editable table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import Event
from candidates.elections import election_threshold
from candidates.models import Election, Standing, SubmissionWindow
from electorate.models import Role, StaffAssignment
from tests.verification.case import verify

REASON = "Salah ketik jumlah DPT pada penetapan awal; dikoreksi sesuai SK KPU 12/2024."


def _admin_form(election: Election, **changes) -> dict:
    """The admin's change form as the browser posts it, with `changes` typed in."""
    data = {
        "slug": election.slug,
        "name": election.name,
        "region": election.region_id,
        "level": election.level,
        "dpt_count": election.dpt_count,
        "voting_day": election.voting_day.isoformat(),
        "rule_set": election.rule_set,
        "reason_outcomes": "{}",
        "verfak_days": election.verfak_days,
        "bring_in_days": election.bring_in_days,
        "roll": election.roll_id or "",
        "dp4_roll": "",
        "scale_note": election.scale_note,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def _election_events(election: Election):
    return Event.objects.filter(target=f"candidates.election:{election.pk}").order_by("id")


def _admin_change(client, election, **changes):
    url = reverse("admin:candidates_election_change", args=[election.pk])
    return client.post(url, _admin_form(election, **changes))


OUTCOMES = '{"NOT_IN_ROLL": "MS", "UNDERAGE": "MS"}'


def test_the_admin_lowering_the_threshold_is_an_audit_event_with_before_after_and_reason(
    client, world
):
    """The issue's case: DPT 8,252,897 -> 100 and NOT_IN_ROLL, UNDERAGE -> MS lowered the
    threshold from 618,968 to 10 with nothing in the trail."""
    election = world.governor_pair.election
    assert election_threshold(election).threshold == 618_968
    client.force_login(world.users["su"])
    response = _admin_change(
        client, election, dpt_count=100, reason_outcomes=OUTCOMES, change_reason=REASON
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    election.refresh_from_db()
    assert election_threshold(election).threshold == 10
    event = _election_events(election).get(action="election.settings_changed")
    assert (event.actor, event.area, event.data["reason"]) == ("su", "31", REASON)
    assert event.data["changes"]["dpt_count"] == {"before": 8_252_897, "after": 100}
    assert event.data["changes"]["reason_outcomes"] == {
        "before": {},
        "after": {"NOT_IN_ROLL": "MS", "UNDERAGE": "MS"},
    }


def test_the_admin_refuses_to_change_the_dpt_without_a_reason(client, world):
    election = world.governor_pair.election
    client.force_login(world.users["su"])
    response = _admin_change(client, election, dpt_count=100)
    assert response.status_code == 200
    assert "Tulis alasan perubahan" in response.content.decode()
    election.refresh_from_db()
    assert election.dpt_count == 8_252_897
    assert not _election_events(election).exists()


def test_the_admin_cannot_change_the_dpt_or_outcomes_once_a_verification_has_run(client, world):
    election, pair = world.objects["a"]["election"], world.objects["a"]["pair"]
    verify(pair)
    client.force_login(world.users["su"])
    response = _admin_change(
        client, election, dpt_count=100, reason_outcomes=OUTCOMES, change_reason=REASON
    )
    assert response.status_code == 200
    assert "sudah diverifikasi" in response.content.decode()
    election.refresh_from_db()
    assert (election.dpt_count, election.reason_outcomes) == (800_000, {})


def test_a_name_changed_in_the_admin_is_an_event_with_before_and_after(client, world):
    """Fields that decide nothing (the name) need no reason, but are on the trail too."""
    election = world.governor_pair.election
    client.force_login(world.users["su"])
    response = _admin_change(client, election, name="Pemilihan Gubernur DKI Jakarta 2024")
    assert response.status_code == 302
    event = _election_events(election).get(action="admin.changed")
    assert event.data["changes"]["name"] == {
        "before": "Pilgub DKI",
        "after": "Pemilihan Gubernur DKI Jakarta 2024",
    }
    assert event.actor == "su"


def test_the_service_records_who_why_before_and_after(world):
    from candidates.elections import election_settings_change

    election = world.governor_pair.election
    election_settings_change(
        election=election,
        by=world.users["prov"],
        reason=REASON,
        dpt_count=8_000_000,
        voting_day=dt.date(2024, 11, 28),
    )
    election.refresh_from_db()
    assert (election.dpt_count, election.voting_day) == (8_000_000, dt.date(2024, 11, 28))
    event = _election_events(election).get(action="election.settings_changed")
    assert event.actor == "kpu_prov" and event.data["reason"] == REASON
    assert event.data["changes"] == {
        "dpt_count": {"before": 8_252_897, "after": 8_000_000},
        "voting_day": {"before": "2024-11-27", "after": "2024-11-28"},
    }


@pytest.mark.parametrize("reason", ["", "   ", "salah"])
def test_the_service_refuses_a_change_without_a_real_reason(world, reason):
    from candidates.elections import election_settings_change

    election = world.governor_pair.election
    with pytest.raises(ValidationError, match="alasan"):
        election_settings_change(election=election, by=None, reason=reason, dpt_count=100)
    election.refresh_from_db()
    assert election.dpt_count == 8_252_897


def test_the_service_refuses_once_any_pair_of_the_election_was_verified(world):
    from candidates.elections import election_settings_change

    election, pair = world.objects["a"]["election"], world.objects["a"]["pair"]
    verify(pair)
    with pytest.raises(ValidationError, match="sudah diverifikasi"):
        election_settings_change(election=election, by=None, reason=REASON, rule_set="2015")
    election.refresh_from_db()
    assert election.rule_set == "2024"


def test_a_change_moves_the_stored_standing_of_every_pair(world):
    """The threshold in a pair's stored standing follows the DPT (fieldwork answers the
    candidates.signals.election_changed signal)."""
    from candidates.elections import election_settings_change

    pair = world.governor_pair
    Standing.objects.create(pair=pair, point="now", figures={"threshold": 618_968})
    election_settings_change(election=pair.election, by=None, reason=REASON, dpt_count=1_000_000)
    # Governor, DPT up to 2,000,000: 10% (UU 10/2016 Art. 41).
    assert Standing.objects.get(pair=pair, point="now").figures["threshold"] == 100_000


def test_a_window_of_a_verified_round_cannot_be_moved(world):
    from candidates.services import window_set

    election, pair = world.objects["a"]["election"], world.objects["a"]["pair"]
    window_set(election=election, round=0, opens=dt.date(2024, 5, 8), closes=dt.date(2024, 5, 12))
    verify(pair)
    with pytest.raises(ValidationError, match="sudah diverifikasi"):
        window_set(
            election=election, round=0, opens=dt.date(2024, 5, 8), closes=dt.date(2024, 5, 20)
        )
    assert SubmissionWindow.objects.get(election=election, round=0).closes == dt.date(2024, 5, 12)
    # A later round's window is still set and moved (the repair follows the verification).
    window_set(election=election, round=1, opens=dt.date(2024, 6, 1), closes=dt.date(2024, 6, 5))
    window_set(election=election, round=1, opens=dt.date(2024, 6, 1), closes=dt.date(2024, 6, 7))
    moved = Event.objects.filter(action="election.window_set").last()
    assert moved.data["before"] == {"opens": "2024-06-01", "closes": "2024-06-05"}


def test_create_election_run_again_with_another_dpt_needs_a_reason_and_records_it(jakarta):
    args = ["--slug", "pilgub", "--region", "31", "--level", "governor",
            "--voting-day", "2024-11-27"]  # fmt: skip
    call_command("create_election", *args, "--dpt", "8252897")
    with pytest.raises(CommandError, match="alasan"):
        call_command("create_election", *args, "--dpt", "100")
    assert Election.objects.get(slug="pilgub").dpt_count == 8_252_897
    call_command("create_election", *args, "--dpt", "8252000", "--reason", REASON)
    event = Event.objects.get(action="election.settings_changed")
    assert event.data["changes"]["dpt_count"] == {"before": 8_252_897, "after": 8_252_000}


# --- every admin save and delete of what matters ------------------------------------------


def test_an_assignment_changed_in_the_admin_is_an_event_with_before_and_after(client, world):
    assignment = world.users["pps_b"].assignment
    client.force_login(world.users["su"])
    url = reverse("admin:electorate_staffassignment_change", args=[assignment.pk])
    response = client.post(
        url, {"user": assignment.user_id, "role": Role.KPU_KABKOTA, "region": "31.72"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(
        action="admin.changed", target=f"electorate.staffassignment:{assignment.pk}"
    )
    assert event.data["changes"]["role"] == {"before": Role.PPS, "after": Role.KPU_KABKOTA}
    assert event.data["changes"]["region"] == {"before": "31.72.01.1001", "after": "31.72"}


def test_an_assignment_deleted_in_the_admin_is_an_event_with_what_it_was(client, world):
    assignment = world.users["pps_b"].assignment
    client.force_login(world.users["su"])
    url = reverse("admin:electorate_staffassignment_delete", args=[assignment.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not StaffAssignment.objects.filter(pk=assignment.pk).exists()
    event = Event.objects.get(action="admin.deleted")
    assert event.data["before"]["role"] == Role.PPS and event.actor == "su"


def test_a_team_member_added_to_a_pair_in_the_admin_is_on_the_trail(client, world):
    from tests.factories import UserFactory

    pair = world.objects["a"]["pair"]
    newcomer = UserFactory(username="lo_baru")
    member = pair.team.get()
    client.force_login(world.users["su"])
    response = client.post(
        reverse("admin:candidates_pair_change", args=[pair.pk]),
        {
            "election": pair.election_id,
            "name": pair.name,
            "team-TOTAL_FORMS": "2",
            "team-INITIAL_FORMS": "1",
            "team-0-id": member.pk,
            "team-0-pair": pair.pk,
            "team-0-user": member.user_id,
            "team-1-pair": pair.pk,
            "team-1-user": newcomer.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(action="admin.changed", target=f"candidates.pair:{pair.pk}")
    added = [row for row in event.data["inlines"] if row["action"] == "added"]
    assert added == [
        {"model": "candidates.teammembership", "pk": added[0]["pk"], "action": "added",
         "after": {"user": newcomer.pk, "pair": pair.pk}},
    ]  # fmt: skip


def test_making_a_user_superuser_in_the_admin_is_on_the_trail_without_the_password(client, world):
    user = world.users["kpu_a"]
    client.force_login(world.users["su"])
    response = client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": user.username,
            "email": user.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(action="admin.changed", target=f"auth.user:{user.pk}")
    assert event.data["changes"]["is_superuser"] == {"before": False, "after": True}
    assert "password" not in str(event.data)


def test_a_forged_hidden_initial_value_does_not_pass_a_change_off_as_none(client, world):
    """The admin's form compares fields with callable defaults against the 'initial-' values
    the browser posts: the change is found on the server, against the stored election."""
    election = world.governor_pair.election
    client.force_login(world.users["su"])
    response = _admin_change(
        client,
        election,
        reason_outcomes=OUTCOMES,
        **{"initial-reason_outcomes": OUTCOMES},
    )
    assert "Tulis alasan perubahan" in response.content.decode()
    election.refresh_from_db()
    assert election.reason_outcomes == {}


def test_every_model_admin_of_the_site_is_audited():
    """Django's users and groups, the one-time-password devices, the lockouts, whatever an
    app registers: each save and delete through the back office is an audit event."""
    from django.contrib import admin

    from audit.admin import AuditedAdmin

    registry = admin.site._registry
    assert len(registry) >= 10
    assert [m._meta.label for m, a in registry.items() if not isinstance(a, AuditedAdmin)] == []
