"""A notification's e-mail through a real Celery worker and a real SMTP server: the task
delivered twice sends one message (the claim), in Indonesian, to the user's address."""

from __future__ import annotations

import time

import pytest

from notifications.models import Kind, Notification
from notifications.tasks import email_task
from tests.factories import UserFactory
from tests.notifications.conftest import smtp_server  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _pending(user, key: str) -> Notification:
    return Notification.objects.create(
        user=user,
        key=key,
        kind=Kind.DECISION,
        subject="Keputusan KPU tentang dukungan Paslon A",
        body="KPU memutuskan dukungan Paslon A: memenuhi syarat dukungan.",
        link="/paslon/1/keputusan/",
        email=Notification.Email.PENDING,
    )


def _wait_sent(notification: Notification) -> None:
    deadline = time.monotonic() + 120
    while notification.email != "sent" and time.monotonic() < deadline:
        time.sleep(0.2)
        notification.refresh_from_db()
    assert notification.email == "sent"


def test_a_task_delivered_twice_sends_one_email(start_worker, smtp_server):  # noqa: F811
    inbox, port = smtp_server
    worker = start_worker(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
    )
    user = UserFactory(username="tim_a", email="tim_a@contoh.go.id")
    first, last = _pending(user, "decision:1"), _pending(user, "decision:2")
    email_task.apply_async(args=[first.pk], queue=worker.queue)
    email_task.apply_async(args=[first.pk], queue=worker.queue)  # a redelivery
    email_task.apply_async(args=[last.pk], queue=worker.queue)
    _wait_sent(last)  # one worker, in order: the redelivery was handled before it
    _wait_sent(first)
    assert [m.to for m in inbox.messages] == [["tim_a@contoh.go.id"]] * 2
    assert {m.message_id for m in inbox.messages} == {
        f"<notifikasi-{first.pk}@127.0.0.1>",
        f"<notifikasi-{last.pk}@127.0.0.1>",
    }
    assert all("Buka halamannya:" in m.body for m in inbox.messages)
