"""Audit events for sign-in and for who is assigned where (connected in StaffConfig.ready):
they belong here because the area of an event is the user's assignment."""

from __future__ import annotations

from audit.trail import audit_record
from staff.access import user_area
from staff.clients import client_ip


def signed_in(sender, request=None, user=None, **kwargs) -> None:
    audit_record("auth.signed_in", actor=user, area=user_area(user) or "", data=_client(request))


def sign_in_failed(sender, credentials=None, request=None, **kwargs) -> None:
    # Django has already cleansed the password out of `credentials`; keep the username only.
    username = str((credentials or {}).get("username", ""))[:150]
    audit_record("auth.sign_in_failed", data={"username": username, **_client(request)})


def signed_out(sender, request=None, user=None, **kwargs) -> None:
    if user is not None:
        audit_record("auth.signed_out", actor=user, area=user_area(user) or "")


def assignment_saved(sender, instance=None, created=False, **kwargs) -> None:
    audit_record(
        "membership.assignment_saved",
        area=instance.region_id or "",
        target=instance,
        data={"user": instance.user_id, "role": instance.role, "region": instance.region_id},
    )


def assignment_deleted(sender, instance=None, **kwargs) -> None:
    audit_record(
        "membership.assignment_deleted",
        area=instance.region_id or "",
        target=instance,
        data={"user": instance.user_id, "role": instance.role, "region": instance.region_id},
    )


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": client_ip(request), "path": request.path[:200]}
