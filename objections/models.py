"""Objections (tanggapan masyarakat): a citizen's, Bawaslu's or a KPU desk's statement that a
supporter's NIK was listed without consent, and every step of its handling.

Personal data the citizen gives is kept encrypted, bound to its row (keys.keyring: context
"objection:<id>:contact"); the statement file is an Upload, encrypted at rest like every file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import Election, Pair, Supporter
from files.models import Upload


class Statement(Upload):
    """A signed statement (photo or PDF) sent with an objection, kept as it came."""

    class Meta:
        verbose_name = _("surat pernyataan tanggapan")
        verbose_name_plural = _("surat pernyataan tanggapan")

    def __str__(self) -> str:
        return f"pernyataan {self.pk}"


class Objection(models.Model):
    class Source(models.TextChoices):
        CITIZEN = "warga", _("Warga (cek mandiri)")
        DESK = "kpu", _("Disampaikan ke KPU (surat, datang langsung)")
        BAWASLU = "bawaslu", _("Bawaslu")

    class Kind(models.TextChoices):
        NEVER = "tidak_pernah", _("Tidak pernah memberikan dukungan")
        OTHER_PAIR = "pasangan_lain", _("Memberikan dukungan kepada bakal pasangan calon lain")

    class Status(models.TextChoices):
        OPEN = "diterima", _("Diterima, menunggu klarifikasi KPU")
        CLARIFIED = "diklarifikasi", _("Sudah diklarifikasi, menunggu keputusan KPU")
        CONFIRMED = "terbukti", _("Terbukti: dukungan dicoret")
        REJECTED = "ditolak", _("Tidak terbukti: dukungan tetap")

    OPEN_STATUSES = (Status.OPEN, Status.CLARIFIED)

    reference = models.CharField(max_length=16, unique=True)  # TM-XXXX-XXXX-XX, for the citizen
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="objections")
    # The supporter row objected to; the decision reaches every row of the same NIK in the pair.
    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="objections")
    # Where the recap places the supporter (the roll's kelurahan): whose KPU handles it.
    region_code = models.CharField(max_length=13)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    contact_cipher = models.BinaryField(blank=True, default=b"")  # phone or e-mail, encrypted
    note_cipher = models.BinaryField(blank=True, default=b"")  # the objector's words, encrypted
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    filed_by = models.ForeignKey(  # staff who filed it (Bawaslu, a KPU desk); null: a citizen
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("tanggapan masyarakat")
        verbose_name_plural = _("tanggapan masyarakat")
        indexes = [
            models.Index(fields=["election", "status"], name="objection_election_status"),
            models.Index(fields=["pair", "status"], name="objection_pair_status"),
            models.Index(fields=["region_code"], name="objection_region"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Step(models.Model):
    """Every step of an objection, append-only: filed, each clarification (how and when), the
    decision. The audit trail holds the same, chained."""

    class Action(models.TextChoices):
        FILED = "filed", _("Diajukan")
        CLARIFIED = "clarified", _("Klarifikasi")
        CONFIRMED = "confirmed", _("Diputuskan terbukti")
        REJECTED = "rejected", _("Diputuskan tidak terbukti")

    class Method(models.TextChoices):
        PHONE = "telepon", _("Telepon")
        MESSAGE = "pesan", _("Pesan (WhatsApp/SMS/e-mail)")
        VIDEO = "video", _("Panggilan video")
        VISIT = "kunjungan", _("Kunjungan ke tempat tinggal")
        OFFICE = "kantor", _("Datang ke kantor KPU")

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(max_length=10, choices=Action.choices)
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    happened_at = models.DateTimeField(null=True, blank=True)  # when the clarification took place
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("langkah tanggapan")
        verbose_name_plural = _("langkah tanggapan")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.objection_id} {self.action}"


class CheckCount(models.Model):
    """Lookups of the public check and the staff desk, per hour, per group of NIKs (the first 12
    digits: kecamatan of issue, birth date, sex) and per client network (an IPv4 address, an
    IPv6 /64, or a staff user at the desk). No NIK and no address: the group and the network
    are keyed hashes under the day's salt (objections.limits), which is forgotten once the day
    is over, so a row cannot be tied back to anyone. The kecamatan of issue stays in the clear:
    it places a red flag in its area. Written by objections.checkcounts from Redis."""

    class Channel(models.TextChoices):
        WEB = "web", _("Halaman cek dukungan")
        API = "api", _("API cek dukungan")
        DESK = "desk", _("Meja KPU/Bawaslu (catat tanggapan)")

    hour = models.DateTimeField()  # the hour's start
    channel = models.CharField(max_length=4, choices=Channel.choices)
    region_code = models.CharField(max_length=8)  # kecamatan of the NIK's issue: "31.71.01"
    prefix = models.BinaryField(max_length=16)  # the 12 digits, keyed under the day's salt
    network = models.BinaryField(max_length=16)  # the client network, keyed likewise
    lookups = models.PositiveIntegerField()
    withheld = models.PositiveIntegerField(default=0)  # answered "not listed" by a cap

    class Meta:
        verbose_name = _("jumlah pengecekan NIK")
        verbose_name_plural = _("jumlah pengecekan NIK")
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "channel", "prefix", "network"], name="checkcount_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(withheld__lte=models.F("lookups")),
                name="checkcount_withheld_within_lookups",
            ),
        ]
        indexes = [
            models.Index(fields=["region_code", "hour"], name="checkcount_region_hour"),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}:00 {self.channel} {self.region_code} {self.lookups}"


class SpentToken(models.Model):
    """The token of a positive check once it has filed its objection: a token files once
    (objections.services.objection_submit). Kept by its SHA-256, never the token; a token
    lives 30 minutes (objections.lookup.TOKEN_SECONDS), so older rows only prove the past."""

    digest = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("token pengecekan terpakai")
        verbose_name_plural = _("token pengecekan terpakai")

    def __str__(self) -> str:
        return self.digest[:12]
