from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.kinds import level_choices
from electorate.models import Region, Voter, VoterRoll
from files.models import Upload
from jobs.models import LeasedJobQuerySet


class Election(models.Model):
    class RuleSet(models.TextChoices):
        # PKPU 8/2024 Art. 77(2): a repair covers the shortfall.
        RULES_2024 = "2024", _("2024: perbaikan sebanyak kekurangan")
        # 2015-2020: a repair covers twice the shortfall.
        LEGACY_2015 = "2015", _("2015-2020: perbaikan dua kali kekurangan")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="elections")
    # The kind of election: a key of candidates.kinds.KINDS, the one table of what it means.
    level = models.CharField(max_length=10, choices=level_choices)
    dpt_count = models.PositiveIntegerField(_("jumlah DPT pemilihan terakhir"))
    voting_day = models.DateField(_("hari pemungutan suara"))
    rule_set = models.CharField(max_length=4, choices=RuleSet.choices, default=RuleSet.RULES_2024)
    # Outcome per reason code, overriding the rule set's defaults ({"NOT_IN_ROLL": "BMS"}).
    reason_outcomes = models.JSONField(default=dict, blank=True)
    # Factual verification (docs/domain.md step 5): the PPS meets every supporter within this many
    # days of a stage's opening; a supporter not met may be brought to the PPS office within
    # bring_in_days calendar days of the not-met record.
    verfak_days = models.PositiveSmallIntegerField(_("lama verifikasi faktual (hari)"), default=14)
    bring_in_days = models.PositiveSmallIntegerField(
        _("batas menghadirkan pendukung yang tidak ditemui (hari)"), default=3
    )
    # KPU and Bawaslu accounts whose area holds this election sign in with a one-time password
    # (TOTP) after their password (portal/otp.py).
    require_otp = models.BooleanField(
        _("wajib kode sekali pakai (OTP) bagi KPU dan Bawaslu"), default=False
    )
    roll = models.ForeignKey(
        VoterRoll, null=True, blank=True, on_delete=models.PROTECT, related_name="elections"
    )
    # The civil registry's DP4 loaded as a second roll (DOMAIN.md step 3: "DPT, optionally
    # DP4"): a NIK found on it but not on the DPT is on the roll for NOT_IN_ROLL, its DP4 record
    # checked like a DPT one (verification/engine/reasons.py). Empty: the DPT alone.
    dp4_roll = models.ForeignKey(
        VoterRoll, null=True, blank=True, on_delete=models.PROTECT, related_name="dp4_elections"
    )
    # Penelitian jumlah minimal dukungan dan persebaran (DOMAIN.md step 2): the initial list is
    # held against the threshold and the spread before any verification (candidates.
    # submission). On for every new election; off for those recorded before the check existed.
    submission_check = models.BooleanField(
        _("penelitian jumlah minimal dukungan dan persebaran sebelum verifikasi"), default=True
    )
    # NOT_IN_ROLL is BMS pending the civil registry's answer (DOMAIN.md step 3): the KPU sends
    # the NIKs to Dukcapil (registry_export) and its answer (registry_import) settles them at
    # the next run. Off: NOT_IN_ROLL has the rule set's outcome (TMS in 2024).
    registry_confirmation = models.BooleanField(
        _("NIK yang tidak ada di DPT dikonfirmasi ke Dukcapil (BMS sampai ada jawaban)"),
        default=False,
    )
    # Shown wherever the data is held against the threshold, when the data is not the real
    # thing: the demo's roll and lists are 2% of 2024's, its threshold the real 618,968.
    scale_note = models.CharField(_("catatan skala data"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pemilihan")
        verbose_name_plural = _("pemilihan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dpt_count__gt=0), name="election_dpt_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Pair(models.Model):
    """A prospective independent candidate pair (bakal pasangan calon perseorangan)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="pairs")
    name = models.CharField(_("nama pasangan"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    # The KPU's decision, written down here by decisions.services.decision_record so that the
    # layers below (uploads, runs, stages, the public check) refuse or say so without asking
    # the layer above. Empty until decided; once set, the pair submits nothing more.
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_result = models.CharField(max_length=24, blank=True, default="")

    class Meta:
        verbose_name = _("bakal pasangan calon")
        verbose_name_plural = _("bakal pasangan calon")
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="pair_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Standing(models.Model):
    """Where a pair stands against the threshold and the spread at one point of its cycle:
    "now", after the administrative verification of a round ("vermin:1"), after a factual
    verification closed ("verfak:1"). Computed by one function (fieldwork.standing, the layer
    that sees both the administrative and the field results) and written down here, so that
    every surface of every layer reads the same figure (candidates.standing reads it). A
    point other than "now" is frozen when it is reached: the minutes of that stage print it."""

    NOW = "now"

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="standings")
    point = models.CharField(max_length=16)
    figures = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kedudukan dukungan")
        verbose_name_plural = _("kedudukan dukungan")
        constraints = [
            models.UniqueConstraint(fields=["pair", "point"], name="standing_one_per_point")
        ]

    def __str__(self) -> str:
        return f"{self.pair_id} {self.point}"


class TeamMembership(models.Model):
    """A liaison officer's account belongs to exactly one pair."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team"
    )
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="team")

    class Meta:
        verbose_name = _("anggota tim")
        verbose_name_plural = _("anggota tim")

    def __str__(self) -> str:
        return f"{self.user} ({self.pair})"


class Round(models.IntegerChoices):
    INITIAL = 0, _("Penyerahan awal")
    REPAIR_1 = 1, _("Perbaikan 1")
    REPAIR_2 = 2, _("Perbaikan 2")


class SubmissionWindow(models.Model):
    """When a round's support lists may be uploaded (both days included). An upload outside
    it is refused with the dates in the message; a round without a window is not limited."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="windows")
    round = models.PositiveSmallIntegerField(choices=Round.choices)
    opens = models.DateField(_("dibuka"))
    closes = models.DateField(_("ditutup"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("masa penyerahan dukungan")
        verbose_name_plural = _("masa penyerahan dukungan")
        ordering = ["round"]
        constraints = [
            models.UniqueConstraint(fields=["election", "round"], name="window_one_per_round"),
            models.CheckConstraint(
                condition=models.Q(closes__gte=models.F("opens")), name="window_closes_after_opens"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election} {self.get_round_display()}: {self.opens} - {self.closes}"


class SupportUploadManager(models.Manager.from_queryset(LeasedJobQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().defer("precheck_flags")


class SupportUpload(Upload):
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="uploads")
    round = models.PositiveSmallIntegerField(choices=Round.choices, default=Round.INITIAL)
    # What the upload already tells without the roll (candidates.precheck): counts, row
    # numbers, masked NIKs and notices; never a NIK, a name or a date. {} until loaded.
    precheck = models.JSONField(default=dict, blank=True)
    # Every flagged row as [row, bits] (up to precheck.FLAGS_KEPT: megabytes of JSON on a big
    # list), read by the download alone: deferred by the manager, so that no list of uploads
    # and no page reads it.
    precheck_flags = models.JSONField(default=list, blank=True)

    objects = SupportUploadManager()

    class Meta:
        verbose_name = _("unggahan daftar dukungan")
        verbose_name_plural = _("unggahan daftar dukungan")
        constraints = [
            models.UniqueConstraint(fields=["pair", "sha256"], name="support_upload_unique_file")
        ]

    @classmethod
    def claim_fields(cls) -> dict[str, Any]:
        return {**super().claim_fields(), "precheck": {}, "precheck_flags": []}


class SupportSummary(Upload):
    """The team's own summary of a round's list per area (form B.2-KWK): supporters declared
    per spread unit (kab/kota of a province, kecamatan of a kab/kota), kept as the file came
    (an Upload: SHA-256, encrypted at rest) and read at once (candidates.submission)."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="summaries")
    round = models.PositiveSmallIntegerField(choices=Round.choices, default=Round.INITIAL)
    # {unit code: supporters declared}, every row of the file summed to its spread unit.
    declared = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("rekapitulasi dukungan tim (B.2-KWK)")
        verbose_name_plural = _("rekapitulasi dukungan tim (B.2-KWK)")
        constraints = [
            models.UniqueConstraint(fields=["pair", "sha256"], name="support_summary_unique_file")
        ]

    def __str__(self) -> str:
        return f"B.2-KWK {self.pair_id}/{self.round} {self.original_name}"


class SubmissionCheck(models.Model):
    """The count-and-spread check of a list as submitted (candidates.submission): the initial
    round against the threshold and the spread (penelitian jumlah minimal dukungan dan
    persebaran), a repair round against the repair it owes (PKPU 8/2024 Art. 77(2)). Each
    check is a row, the latest of a (pair, round) is in force; `figures` is what the team was
    told and what the minutes print."""

    class Status(models.TextChoices):
        MEMENUHI = "memenuhi", _("Memenuhi: dilanjutkan ke verifikasi administrasi")
        DIKEMBALIKAN = "dikembalikan", _("Dikembalikan untuk dilengkapi dalam masa penyerahan")
        DICATAT = "dicatat", _("Kurang dari kewajiban perbaikan: dicatat, verifikasi berlanjut")
        TIDAK_LANJUT = "tidak_lanjut", _("Tidak dapat melanjutkan ke tahap verifikasi")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="submission_checks")
    round = models.PositiveSmallIntegerField(choices=Round.choices, default=Round.INITIAL)
    status = models.CharField(max_length=12, choices=Status.choices)
    figures = models.JSONField()
    as_of = models.DateField()  # the day the check speaks for (the window is held against it)
    deadline = models.DateField(null=True, blank=True)  # returned: complete by this day
    summary = models.ForeignKey(
        SupportSummary, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A repair round's check made when this upload was loaded (the team's upload result).
    upload = models.ForeignKey(
        SupportUpload, null=True, blank=True, on_delete=models.CASCADE, related_name="checks"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("penelitian jumlah dan persebaran dukungan")
        verbose_name_plural = _("penelitian jumlah dan persebaran dukungan")
        indexes = [models.Index(fields=["pair", "round", "-id"], name="submission_check_latest")]

    def __str__(self) -> str:
        return f"{self.pair_id}/{self.round}: {self.status}"


class Supporter(models.Model):
    """One row of a support list as uploaded. NIK only as keyed hash + ciphertext + mask."""

    # No separate FK indexes: (upload, row_number) and (pair, round) lead with them.
    upload = models.ForeignKey(
        SupportUpload, on_delete=models.CASCADE, related_name="supporters", db_index=False
    )
    pair = models.ForeignKey(
        Pair, on_delete=models.CASCADE, related_name="supporters", db_index=False
    )
    round = models.PositiveSmallIntegerField(choices=Round.choices)
    row_number = models.PositiveIntegerField()  # the row in the uploaded file, header = 1
    nik_hash = models.BinaryField(max_length=32)
    nik_cipher = models.BinaryField()
    nik_masked = models.CharField(max_length=16)
    # Neither the region nor the birth-date digits are kept in the clear: with the mask they
    # would rebuild the NIK. What the checks need is computed at intake (keys.nik).
    nik_group = models.BinaryField(max_length=8)  # keyed hash of the first 12 digits
    # The serial shifted by a keyed offset per group (keys.nik.nik_serial_code): runs of
    # consecutive serials stay visible to the red flags, the serial itself does not.
    nik_serial = models.PositiveSmallIntegerField(default=0)
    nik_checks = models.PositiveSmallIntegerField(default=0)  # keys.nik.NikCheck bits
    name = models.CharField(max_length=200)
    birth_place = models.CharField(max_length=100, blank=True)
    # The birth date: never in the clear (keys.nik, "the birth date"). Its keyed hash
    # with the NIK (compared with the roll's and the registry's), AES-GCM bound to the row
    # (read back for the civil-registry request, and to judge the age again should the voting
    # day move before any verification), and whether it is under 17 on the election's voting
    # day, computed at intake (candidates.intake; again by supporters_minor_recompute).
    birth_hash = models.BinaryField(max_length=32)
    birth_cipher = models.BinaryField()
    minor = models.BooleanField()
    sex = models.CharField(max_length=1, choices=Voter.Sex.choices)
    address = models.CharField(max_length=300, blank=True)
    rt = models.CharField(max_length=3, blank=True)
    rw = models.CharField(max_length=3, blank=True)
    kelurahan = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # indexed below by name
    occupation = models.CharField(max_length=100, blank=True)
    marital_status = models.CharField(max_length=1, choices=Voter.Marital.choices, blank=True)
    sheet_page = models.CharField(max_length=20, blank=True)  # HALAMAN: ties the row to paper

    class Meta:
        verbose_name = _("pendukung")
        verbose_name_plural = _("pendukung")
        indexes = [
            # (pair, round) as before, then the lists' order (upload, row): a page of a pair's
            # 840k supporters is read off the index, and a deep page counts its offset on the
            # index alone (the id is in it: a key column, as SQLite has no INCLUDE) instead of
            # sorting the whole list per request (candidates/paging.py).
            models.Index(
                fields=["pair", "round", "upload", "row_number", "id"],
                name="supporter_pair_order",
            ),
            models.Index(fields=["nik_hash"], name="supporter_nik_hash"),
            # Pattern operators: an area's supporters (`code = area OR code LIKE 'area.%'`,
            # staff.access.q_within) come from the index in any collation.
            models.Index(
                fields=["kelurahan"], name="supporter_kelurahan", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["upload", "row_number"], name="supporter_unique_row")
        ]

    def __str__(self) -> str:
        return f"{self.nik_masked} {self.name}"
