"""Thin Celery tasks (queue "default": seconds of work, never behind an import)."""

from __future__ import annotations

import smtplib

from celery import shared_task

from notifications.events import event_notify
from notifications.services import email_send


@shared_task(name="notifications.event")
def event_task(event: str, pk: int) -> int:
    """An event of a layer below (notifications.receivers): make its notifications."""
    return event_notify(event, pk)


@shared_task(
    name="notifications.email",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    max_retries=8,
)
def email_task(notification_id: int) -> str:
    """One notification's e-mail; sent at most once however often this runs."""
    return email_send(notification_id=notification_id)
