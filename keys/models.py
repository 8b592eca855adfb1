"""The state of the NIK keys the database has applied (keys/keyring.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyState(models.Model):
    """Which NIK HMAC keys the stored hashes have applied, in order (keys/keyring.py). One
    row. `rotate_keys` appends a key and re-hashes every stored hash under a lock; every
    process reads the chain again when `version` changes."""

    hmac_chain = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=0)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("status kunci NIK")
        verbose_name_plural = _("status kunci NIK")
        # Moved from electorate (issue 20) with its table: the row and its name stay.
        db_table = "electorate_keystate"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="keystate_one_row")]

    def __str__(self) -> str:
        return f"HMAC {'+'.join(self.hmac_chain)} (v{self.version})"
