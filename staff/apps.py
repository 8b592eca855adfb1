from __future__ import annotations

from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Staff: who acts where (the assignment of a role to an area) and what each role may do,
    sign-in (the lockout, the client's address) and its audit events."""

    name = "staff"
    verbose_name = "Staf dan hak akses"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth
        from django.db.models.signals import post_delete, post_save

        from electorate.models import StaffAssignment
        from staff import receivers

        auth.user_logged_in.connect(receivers.signed_in, dispatch_uid="audit.signed_in")
        auth.user_login_failed.connect(receivers.sign_in_failed, dispatch_uid="audit.failed")
        auth.user_logged_out.connect(receivers.signed_out, dispatch_uid="audit.signed_out")
        post_save.connect(receivers.assignment_saved, sender=StaffAssignment,
                          dispatch_uid="audit.assignment_saved")  # fmt: skip
        post_delete.connect(receivers.assignment_deleted, sender=StaffAssignment,
                            dispatch_uid="audit.assignment_deleted")  # fmt: skip
