"""Making notifications and sending their e-mail, once each.

A notification is keyed by its event and its user (unique together): making it again adds
nothing. Its e-mail is claimed by one conditional UPDATE (pending -> sending) before the send,
so a task delivered twice or retried after the send sends nothing more; a send that failed
puts the claim back for the retry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Notification, Preference

# Sent once new notifications are committed, with their ids: notifications.receivers queues
# their e-mail (the task imports this module, so this module names no task).
emails_due = Signal()


@dataclass(frozen=True)
class Message:
    """What one event says to its recipients: no NIK and no supporter's name, ever (the
    builders in notifications.events take counts, areas, dates and the pair's name only)."""

    kind: str
    subject: str
    body: str
    link: str


def wants_email(*, email: str, preference: bool | None) -> bool:
    """The user's choice; without one, yes when the account has an address."""
    if not email:
        return False
    return True if preference is None else preference


def notify(*, key: str, users: QuerySet, message: Message) -> int:
    """Notify each of `users` once for the event `key`; returns how many were new. Their
    e-mail is sent by notifications.email after the transaction commits."""
    rows = list(users.values_list("pk", "email", "notification_preference__email").distinct())
    if not rows:
        return 0
    with transaction.atomic():
        existing = set(
            Notification.objects.filter(key=key, user_id__in=[r[0] for r in rows]).values_list(
                "user_id", flat=True
            )
        )
        new = [
            Notification(
                user_id=pk,
                key=key,
                kind=message.kind,
                subject=message.subject,
                body=message.body,
                link=message.link,
                email=(
                    Notification.Email.PENDING
                    if wants_email(email=email, preference=preference)
                    else Notification.Email.OFF
                ),
            )
            for pk, email, preference in rows
            if pk not in existing
        ]
        # Two emitters of one event at once: the constraint keeps one row per user.
        Notification.objects.bulk_create(new, ignore_conflicts=True)
        pending = list(
            Notification.objects.filter(
                key=key, user_id__in=[n.user_id for n in new], email=Notification.Email.PENDING
            ).values_list("pk", flat=True)
        )
    if pending:
        transaction.on_commit(lambda: emails_due.send(sender=Notification, ids=pending))
    return len(new)


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def _domain() -> str:
    return urlparse(settings.PUBLIC_BASE_URL).hostname or "localhost"


def email_build(notification: Notification) -> EmailMessage:
    body = "\n\n".join(
        [
            notification.body,
            _("Buka halamannya: %(url)s") % {"url": _absolute(notification.link)},
            _(
                "Pesan ini dikirim otomatis oleh aplikasi Verifikasi Dukungan Pilkada. "
                "Berhenti menerima e-mail notifikasi: %(url)s"
            )
            % {"url": _absolute(reverse("notification-settings"))},
        ]
    )
    return EmailMessage(
        subject=notification.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.user.email],
        # The same id for every attempt of this notification: a mail system that saw it
        # already may drop a copy.
        headers={"Message-ID": f"<notifikasi-{notification.pk}@{_domain()}>"},
    )


def email_send(*, notification_id: int) -> str:
    """Send the notification's e-mail unless it was sent or claimed already; returns its state."""
    claimed = Notification.objects.filter(
        pk=notification_id, email=Notification.Email.PENDING
    ).update(email=Notification.Email.SENDING)
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not claimed:
        return notification.email
    user = notification.user
    preference = Preference.objects.filter(user=user).values_list("email", flat=True).first()
    if not user.is_active or not wants_email(email=user.email, preference=preference):
        # The choice changed since: the notification stays in the app only.
        Notification.objects.filter(pk=notification_id).update(email=Notification.Email.OFF)
        return Notification.Email.OFF
    try:
        email_build(notification).send()
    except Exception:
        Notification.objects.filter(pk=notification_id).update(email=Notification.Email.PENDING)
        raise
    Notification.objects.filter(pk=notification_id).update(
        email=Notification.Email.SENT, emailed_at=timezone.now()
    )
    return Notification.Email.SENT


def preference_set(*, user, email: bool) -> Preference:
    preference, _created = Preference.objects.update_or_create(user=user, defaults={"email": email})
    return preference


def notifications_read(*, user, ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def users() -> QuerySet:
    return get_user_model().objects.filter(is_active=True)
