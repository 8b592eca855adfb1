from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One thing that happened. Append-only: on PostgreSQL a trigger (migration 0002) refuses
    UPDATE and DELETE; each event carries the hash of the one before, so an event changed by
    someone who bypassed the trigger breaks the chain (`audit_verify`).

    No foreign keys: deleting a user or a pair must neither cascade into the trail nor be
    blocked by it; the ids and a name are kept as they were."""

    at = models.DateTimeField()
    action = models.CharField(max_length=60)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor = models.CharField(max_length=150, blank=True)  # the username at the time
    area = models.CharField(max_length=13, blank=True)  # region code the event belongs to
    target = models.CharField(max_length=60, blank=True)  # "candidates.pair:7"
    data = models.JSONField(default=dict, blank=True)
    # Which chain the event is a link of: "" the trail's main chain; a kelurahan code for the
    # field entries recorded there (audit/trail.py says why).
    chain = models.CharField(max_length=13, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["area", "id"], name="event_area"),
            models.Index(fields=["chain", "id"], name="event_chain"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or '-'} {self.action} {self.target}"
