"""A notification: one line for one user about one event, in the app and (if the user wants
it) by e-mail. The event's key makes it once per user: the same event seen twice (a rerun
receiver, a retried task, the daily sweep run again) adds nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RUN_DONE = "run_done", _("Hasil verifikasi administrasi")
    BRING_IN = "bring_in", _("Pendukung untuk dihadirkan")
    STAGE_CLOSING = "stage_closing", _("Tahap verifikasi faktual segera ditutup")
    ADVICE_FILED = "advice_filed", _("Saran perbaikan baru")
    ADVICE_ANSWERED = "advice_answered", _("Saran perbaikan dijawab")
    OBJECTION_FILED = "objection_filed", _("Tanggapan masyarakat baru")
    OBJECTION_DECIDED = "objection_decided", _("Tanggapan masyarakat diputuskan")
    DECISION = "decision", _("Keputusan KPU")


class Notification(models.Model):
    class Email(models.TextChoices):
        OFF = "off", _("Tidak dikirim")  # the user chose no e-mail, or has no address
        PENDING = "pending", _("Menunggu dikirim")
        SENDING = "sending", _("Sedang dikirim")  # claimed by one task: no second send
        SENT = "sent", _("Terkirim")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=100)  # the event: "advice:12:filed", "run:40"
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300)  # the page to act on (a path of this site)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=8, choices=Email.choices, default=Email.OFF)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        constraints = [
            models.UniqueConstraint(fields=["key", "user"], name="notification_once_per_user")
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_user_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.user_id}"


class Preference(models.Model):
    """Whether the user wants the notifications by e-mail too. No row: yes if the user has an
    address (notifications.services.wants_email)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("kirim notifikasi ke e-mail saya"), default=True)

    class Meta:
        verbose_name = _("pengaturan notifikasi")
        verbose_name_plural = _("pengaturan notifikasi")

    def __str__(self) -> str:
        return f"{self.user_id}: {'e-mail' if self.email else 'tanpa e-mail'}"
