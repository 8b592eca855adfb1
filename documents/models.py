"""Minutes (Berita Acara) as issued: what they are about, who met where, the figures printed,
and the PDF itself with its SHA-256.

The PDF is kept as issued, encrypted at rest like every file (files.uploads, so key
rotation covers it), rather than regenerated when asked for: the minutes freeze the counts of
the meeting, and the data behind them may still move afterwards (a rerun, a confirmed
objection, a correction); and a regenerated PDF is only byte-identical while WeasyPrint, Pango
and the fonts stay exactly the same. The SHA-256 printed on the public page must stay true for
the paper in the commissioners' hands, so the bytes are what is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import Pair
from electorate.models import Region
from files.models import Upload


class MinutesPdf(Upload):
    """The PDF bytes of issued minutes (an Upload: encrypted at rest, bound to its SHA-256)."""

    class Meta:
        verbose_name = _("berkas berita acara")
        verbose_name_plural = _("berkas berita acara")

    def __str__(self) -> str:
        return self.original_name


class Minutes(models.Model):
    class Stage(models.TextChoices):
        # The count-and-spread check of the list as submitted (documents/submission.py).
        PENELITIAN = "penelitian", _("Penelitian jumlah minimal dukungan dan persebaran")
        VERMIN = "vermin", _("Verifikasi administrasi")
        VERFAK = "verfak", _("Verifikasi faktual")
        DECISION = "decision", _("Penetapan hasil verifikasi dukungan")

    # Random and unguessable (documents.services.code_make), short enough for a QR code and
    # for typing: the only key of the public verification page.
    code = models.CharField(max_length=20, unique=True)
    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="minutes")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    # vermin: the administrative round (0 initial, 1, 2 repairs); verfak: the stage number (1,
    # 2); penelitian, decision: 0.
    round = models.PositiveSmallIntegerField(default=0)
    # The level the minutes are of: the election's region, or a kab/kota of a governor
    # election (the KPU Kab/Kota's recap). Counts are listed per area one level below it.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("nomor berita acara"), max_length=100)
    meeting_date = models.DateField(_("tanggal rapat pleno"))
    meeting_place = models.CharField(_("tempat rapat pleno"), max_length=200)
    # Those present and signing: [{"name", "role", "group": "kpu" | "bawaslu" | "lo"}], typed by
    # the KPU. Public officials and the pair's liaison: never a NIK (services refuse digits).
    present = models.JSONField(default=list)
    figures = models.JSONField()  # what the PDF prints (documents.figures)
    sha256 = models.CharField(max_length=64, unique=True)
    pdf = models.OneToOneField(MinutesPdf, on_delete=models.PROTECT, related_name="minutes")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("berita acara")
        verbose_name_plural = _("berita acara")
        indexes = [models.Index(fields=["pair", "stage", "round"], name="minutes_pair_stage")]

    def __str__(self) -> str:
        return f"BA {self.stage} {self.round} {self.pair} ({self.code})"
