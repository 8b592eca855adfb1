"""What the layers below tell: each receiver only names the event; the notifications are made
by a task once the event's transaction has committed (notifications.events), so that a failing
mail server or a slow recipient query never holds up a PPS's entry or a run, and an event
rolled back notifies nobody."""

from __future__ import annotations

from django.db import transaction


def _later(event: str, pk: int) -> None:
    from notifications.tasks import event_task

    transaction.on_commit(lambda: event_task.delay(event, pk))


def emails_due(sender, *, ids: list[int], **kwargs) -> None:
    """notifications.services.emails_due: one e-mail task per new notification."""
    from notifications.tasks import email_task

    for pk in ids:
        email_task.delay(pk)


def run_finished(sender, *, run, **kwargs) -> None:
    _later("run_done", run.pk)


def advice_saved(sender, *, instance, created: bool, **kwargs) -> None:
    if created:
        _later("advice_filed", instance.pk)
    elif instance.answered_at is not None:
        _later("advice_answered", instance.pk)


def objection_saved(sender, *, instance, created: bool, **kwargs) -> None:
    if created:
        _later("objection_filed", instance.pk)
    elif not instance.is_open:
        _later("objection_decided", instance.pk)


def decision_saved(sender, *, instance, created: bool, **kwargs) -> None:
    if created:
        _later("decision", instance.pk)
