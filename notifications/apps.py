from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications in the app and by e-mail about what waits for a user or changed: the
    layers below send their facts (signals, saved rows) and know nothing of this one."""

    name = "notifications"
    verbose_name = "Notifikasi"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from decisions.models import Decision
        from fieldwork.models import Advice
        from notifications import receivers
        from notifications.services import emails_due
        from objections.models import Objection
        from verification.signals import run_finished

        emails_due.connect(receivers.emails_due, dispatch_uid="notifications.emails_due")
        run_finished.connect(receivers.run_finished, dispatch_uid="notifications.run")
        post_save.connect(receivers.advice_saved, sender=Advice,
                          dispatch_uid="notifications.advice")  # fmt: skip
        post_save.connect(receivers.objection_saved, sender=Objection,
                          dispatch_uid="notifications.objection")  # fmt: skip
        post_save.connect(receivers.decision_saved, sender=Decision,
                          dispatch_uid="notifications.decision")  # fmt: skip
