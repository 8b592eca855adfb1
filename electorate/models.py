from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from files.models import Upload


class Region(models.Model):
    """A node of the Kemendagri region tree, by dotted code: 31, 31.71, 31.71.01, 31.71.01.1001."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Provinsi")
        KABKOTA = 2, _("Kabupaten/Kota")
        KECAMATAN = 3, _("Kecamatan")
        KELURAHAN = 4, _("Kelurahan/Desa")

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True)
                | models.Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def contains(self, code: str) -> bool:
        return code == self.code or code.startswith(self.code + ".")


class VoterRoll(models.Model):
    """One voter list (DPT, or DP4 from the civil registry) for a region."""

    class Kind(models.TextChoices):
        DPT = "DPT", _("DPT (daftar pemilih tetap)")
        DP4 = "DP4", _("DP4 (data penduduk potensial pemilih)")

    name = models.CharField(_("nama"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="rolls")
    kind = models.CharField(max_length=3, choices=Kind.choices, default=Kind.DPT)
    # The voting day the roll was made for: its voters keep no birth date, only whether they
    # are under 17 on this day (Voter.minor, set at import). Written by the election that
    # makes the roll (candidates.services); a run refuses a roll judged for another day.
    voting_day = models.DateField(_("hari pemungutan suara"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("daftar pemilih")
        verbose_name_plural = _("daftar pemilih")

    def __str__(self) -> str:
        return self.name


class Voter(models.Model):
    """One row of a voter roll. The NIK is kept only as a keyed hash (see keys.nik)."""

    class Sex(models.TextChoices):
        L = "L", _("Laki-laki")
        P = "P", _("Perempuan")

    class Marital(models.TextChoices):
        BELUM = "B", _("Belum kawin")
        KAWIN = "S", _("Kawin")
        PERNAH = "P", _("Pernah kawin")

    roll = models.ForeignKey(VoterRoll, on_delete=models.CASCADE, related_name="voters")
    nik_hash = models.BinaryField(max_length=32)
    name = models.CharField(max_length=200)
    birth_place = models.CharField(max_length=100, blank=True)
    # No birth date in the clear (keys.nik: with the kelurahan and the sex it would
    # leave only the NIK's serial to guess): its keyed hash with the NIK, compared with the
    # form's and the registry's, and whether the voter is under 17 on the roll's voting day.
    # Null: no date on the roll (or, for minor, no voting day on the roll).
    birth_hash = models.BinaryField(max_length=32, null=True)
    minor = models.BooleanField(null=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    marital_status = models.CharField(max_length=1, choices=Marital.choices, blank=True)
    address = models.CharField(max_length=300, blank=True)
    rt = models.CharField(max_length=3, blank=True)
    rw = models.CharField(max_length=3, blank=True)
    # A plain code, not a foreign key: the importer validates it against the region tree once,
    # and a per-row FK trigger would cost more than the whole import at 8 million rows.
    kelurahan_code = models.CharField(max_length=13)
    # The import that brought the row, so that one import can be undone (electorate.services:
    # roll_import_undo). No constraint and no index: a per-row FK check or index entry would
    # cost the 8-million-row import; an undo, rare, reads the roll once.
    roll_import = models.ForeignKey(
        "RollImport",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pemilih")
        verbose_name_plural = _("pemilih")
        constraints = [
            models.UniqueConstraint(fields=["roll", "nik_hash"], name="voter_unique_nik_per_roll")
        ]

    def __str__(self) -> str:
        return self.name


class RollImport(Upload):
    max_bytes_setting = "ROLL_UPLOAD_MAX_BYTES"
    roll = models.ForeignKey(VoterRoll, on_delete=models.CASCADE, related_name="imports")
    # Undone by the KPU (electorate.services.roll_import_undo): its voters are deleted, the row
    # stays with its SHA-256 and counts; the same file may be imported again.
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("impor daftar pemilih")
        verbose_name_plural = _("impor daftar pemilih")
        constraints = [
            models.UniqueConstraint(fields=["roll", "sha256"], name="roll_import_unique_file")
        ]

    def __str__(self) -> str:
        return self.original_name


class Role(models.TextChoices):
    KPU_PROVINSI = "kpu_prov", _("KPU Provinsi")
    KPU_KABKOTA = "kpu_kab", _("KPU Kabupaten/Kota")
    PPK = "ppk", _("PPK (kecamatan)")
    PPS = "pps", _("PPS (kelurahan/desa)")
    BAWASLU = "bawaslu", _("Bawaslu / Panwaslu / PKD")
    TIM = "tim", _("Tim bakal pasangan calon")
    # The whole country: no region (StaffAssignment.region is null for them and only them).
    KPU_RI = "kpu_ri", _("KPU RI")
    BAWASLU_RI = "bawaslu_ri", _("Bawaslu RI")


NATIONAL_ROLES = (Role.KPU_RI.value, Role.BAWASLU_RI.value)


class StaffAssignment(models.Model):
    """A user's role and the area they act in: a PPS officer of one kelurahan sees nothing of
    the next."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    # None for KPU RI and Bawaslu RI, who act over the whole country.
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("penugasan")
        verbose_name_plural = _("penugasan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=NATIONAL_ROLES, region__isnull=True)
                | (~models.Q(role__in=NATIONAL_ROLES) & models.Q(region__isnull=False)),
                name="assignment_region_unless_national",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} {self.region_id or ''}".rstrip()
