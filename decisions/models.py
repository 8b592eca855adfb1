from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import Pair


class Decision(models.Model):
    """The KPU's decision on a pair's support (docs/domain.md step 6), with its figures."""

    class Result(models.TextChoices):
        MEMENUHI = "memenuhi_syarat", _("Memenuhi syarat dukungan")
        TIDAK_MEMENUHI = "tidak_memenuhi_syarat", _("Tidak memenuhi syarat dukungan")

    pair = models.OneToOneField(Pair, on_delete=models.PROTECT, related_name="decision")
    result = models.CharField(max_length=24, choices=Result.choices)
    ms = models.PositiveIntegerField()
    threshold = models.PositiveIntegerField()
    spread_achieved = models.PositiveSmallIntegerField()
    spread_required = models.PositiveSmallIntegerField()
    standing = models.JSONField()  # the whole standing it was decided on
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("keputusan")
        verbose_name_plural = _("keputusan")

    def __str__(self) -> str:
        return f"{self.pair}: {self.get_result_display()}"


class Renunciation(models.Model):
    """The pair's written statement that it does not use a repair round the law still gives
    it (surat pernyataan tidak menggunakan hak perbaikan): recorded by the KPU, it lets the
    decision come before that round's window has passed."""

    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="renunciations")
    round = models.PositiveSmallIntegerField()
    letter = models.CharField(_("nomor dan tanggal surat pernyataan"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pernyataan tidak menggunakan perbaikan")
        verbose_name_plural = _("pernyataan tidak menggunakan perbaikan")
        constraints = [
            models.UniqueConstraint(fields=["pair", "round"], name="renunciation_one_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.pair}: perbaikan {self.round}"
