from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One thing that happened. Append-only: on PostgreSQL triggers refuse UPDATE, DELETE
    (migration 0002) and TRUNCATE (0006), and deploy/ leaves the application's role only
    SELECT and INSERT on the table. Each event is a link of its chain: its hash is an
    HMAC-SHA256, under the audit key (settings.AUDIT_KEYS, outside the database), of the
    previous head and the event, so an event changed, removed or inserted by someone who got
    past the database's refusals breaks the chain, and whoever lacks the key cannot hash the
    rest again; the heads are anchored outside the database (audit/anchors.py, the Berita
    Acara), so cutting the end of a chain or a whole chain away is caught too (`audit_verify`).

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
    # The event's position in its chain, from 1 (the anchors name a chain's head by it).
    seq = models.PositiveBigIntegerField(default=0)
    # The id of the audit key the link was made with (settings.AUDIT_KEYS): keys rotate.
    key_id = models.CharField(max_length=32, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["id"]
        indexes = [models.Index(fields=["area", "id"], name="event_area")]
        constraints = [
            # One event per position: two writers can never fork a chain.
            models.UniqueConstraint(fields=["chain", "seq"], name="event_chain_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or '-'} {self.action} {self.target}"
