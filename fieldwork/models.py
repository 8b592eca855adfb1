"""Factual verification: stages, the worklist, what was recorded, closures, supervision.

A Stage is one round of field work for a pair ("verfak 1", "verfak 2"): it takes the supporters
that the administrative verification of its round (and earlier ones) left MS, plus those whose
only reason was DUPLICATE_EXTERNAL, and gives each a Task in the kelurahan where the recap
places them. Every change to a task is a Record (append-only): who, when, what it was before.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import Election, Pair, Supporter
from fieldwork import findings
from files.models import Upload


class Method(models.TextChoices):
    """In the order the law tries them (docs/domain.md step 5), then the team's bring-in."""

    KUNJUNGAN = "KUNJUNGAN", _("Kunjungan ke tempat tinggal")
    KUMPUL = "KUMPUL", _("Dikumpulkan oleh tim di satu tempat")
    VIDEO_CALL = "VIDEO_CALL", _("Panggilan video langsung")
    VIDEO = "VIDEO", _("Video pendukung menunjukkan KTP-el")
    DIHADIRKAN = "DIHADIRKAN", _("Dihadirkan tim ke kantor PPS")


# What the PPS found (the HASIL column of the sheet): the findings table's codes as constants
# for code that names one. The field's choices read the table itself (findings.finding_choices).
Finding = models.TextChoices(  # type: ignore[misc]
    "Finding", {kind.code: (kind.code, kind.label) for kind in findings.kinds()}
)


class Result(models.TextChoices):
    MS = "MS", _("Memenuhi syarat")
    TMS = "TMS", _("Tidak memenuhi syarat")
    PENDING = "PENDING", _("Belum selesai")


class Stage(models.Model):
    """One factual verification of a pair, over the MS of administrative rounds up to `round`."""

    class Status(models.TextChoices):
        OPEN = "open", _("Berlangsung")
        CLOSED = "closed", _("Ditutup")

    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="field_stages")
    number = models.PositiveSmallIntegerField()  # verfak 1, verfak 2
    round = models.PositiveSmallIntegerField()  # the administrative round it follows
    opens = models.DateField(_("dibuka"))
    closes = models.DateField(_("ditutup"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    tasks_total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tahap verifikasi faktual")
        verbose_name_plural = _("tahap verifikasi faktual")
        constraints = [
            models.UniqueConstraint(fields=["pair", "number"], name="stage_unique_number"),
            models.UniqueConstraint(fields=["pair", "round"], name="stage_unique_round"),
            models.CheckConstraint(
                condition=models.Q(closes__gte=models.F("opens")), name="stage_window"
            ),
        ]

    def __str__(self) -> str:
        return f"verfak {self.number} {self.pair}"


class WindowChange(models.Model):
    """The KPU moved a stage's closing date (a late entry needs it), always with a reason."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="window_changes")
    old_closes = models.DateField()
    new_closes = models.DateField()
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.stage}: {self.old_closes} -> {self.new_closes}"


class Task(models.Model):
    """One supporter the PPS must meet, with the state the latest record left (kept here so
    that the worklist and the recap are one query); the history is in Record."""

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="tasks")
    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="+", db_index=False)
    supporter = models.OneToOneField(Supporter, on_delete=models.PROTECT, related_name="field_task")
    # Where the recap places the supporter (the roll's kelurahan): whose PPS meets them.
    kelurahan_code = models.CharField(max_length=13)
    nik_hash = models.BinaryField(max_length=32)  # to find the same person in another pair's list
    double = models.BooleanField(default=False)  # listed for another pair too: chooses one
    finding = models.CharField(max_length=16, choices=findings.finding_choices, blank=True)
    method = models.CharField(max_length=12, choices=Method.choices, blank=True)
    visited_on = models.DateField(null=True, blank=True)
    not_met_on = models.DateField(null=True, blank=True)  # the TIDAK_DITEMUI record's date
    deceased_on = models.DateField(null=True, blank=True)
    chosen_pair = models.ForeignKey(
        Pair, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attested = models.BooleanField(default=False)  # a PKD attested the denial (TOLAK -> TMS)
    # The KPU confirmed a public objection: the NIK was used without consent. TMS whatever is
    # recorded later (fieldwork.strike).
    struck = models.BooleanField(default=False, db_default=False)  # raw INSERTs (stages.py)
    result = models.CharField(max_length=8, choices=Result.choices, default=Result.PENDING)
    note = models.CharField(max_length=24, blank=True)  # why: fieldwork.findings.NOTES
    version = models.PositiveIntegerField(default=0)  # bumped by every record
    # The task's place in its stage's lists, numbered when the stage starts: by kelurahan, then
    # the supporter's name (stages._tasks_insert). A page of a long list is then read off the
    # (stage, position) index, where ordering by the supporter's name sorted every task of the
    # stage joined to its supporter (the team's page: 277 ms at 108k tasks, make bench).
    position = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("pendukung yang diverifikasi faktual")
        verbose_name_plural = _("pendukung yang diverifikasi faktual")
        indexes = [
            # Pattern operators, so that an area's tasks (code = area OR code LIKE 'area.%',
            # staff.access.q_within) come from the index in any collation: with the
            # default operators PostgreSQL read every task of the stage for one kelurahan's
            # counts (38 ms against 0.7 ms on 94k tasks, make bench-load).
            models.Index(
                fields=["stage", "kelurahan_code"],
                name="task_stage_kelurahan",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["nik_hash"], name="task_nik_hash"),
            models.Index(fields=["stage", "position"], name="task_stage_position"),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} ({self.finding or '-'}: {self.result})"


class Record(models.Model):
    """What was recorded on a task, append-only: the values set and the ones they replaced."""

    class Source(models.TextChoices):
        FORM = "form", _("Formulir PPS")
        SHEET = "sheet", _("Unggahan lembar kerja")
        CORRECTION = "correction", _("Koreksi KPU")
        ADVICE = "advice", _("Tindak lanjut saran perbaikan")
        CHOICE = "choice", _("Pilihan pendukung ganda")
        ATTESTATION = "attestation", _("Kesaksian pengawas")
        CLOSE = "close", _("Penutupan tahap")
        OBJECTION = "objection", _("Tanggapan masyarakat terbukti")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="records")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    values = models.JSONField()  # the fields this record set
    before = models.JSONField(default=dict)  # their values before it
    reason = models.TextField(blank=True)  # a correction's or attestation's reason
    # A phone's entry carries an id it made itself: sent twice (a flaky connection), kept once.
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    sheet = models.ForeignKey(
        "Sheet", null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    advice = models.ForeignKey(
        "Advice", null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )

    class Meta:
        verbose_name = _("catatan verifikasi faktual")
        verbose_name_plural = _("catatan verifikasi faktual")
        indexes = [models.Index(fields=["task", "at"], name="record_task_at")]

    def __str__(self) -> str:
        return f"record {self.pk} ({self.source}) on task {self.task_id}"


class Choice(models.Model):
    """A double supporter's choice of one pair, for the whole election: the chosen pair's task
    follows the finding, every other pair's becomes TMS, whenever their stage starts."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    nik_hash = models.BinaryField(max_length=32)
    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "nik_hash"], name="choice_one_per_person")
        ]

    def __str__(self) -> str:
        return f"choice of pair {self.pair_id} in election {self.election_id}"


class Closure(models.Model):
    """An area of a stage closed by its level (PPS: kelurahan, PPK: kecamatan, KPU kab/kota,
    KPU provinsi), with the counts it closed on. Reopened by the level above, with a reason;
    the row stays (reopened_at set) and closing again makes a new one."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="closures")
    region_code = models.CharField(max_length=13)
    counts = models.JSONField()  # {"MS", "TMS", "PENDING", "total", "by_finding": {...}}
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "region_code"],
                condition=models.Q(reopened_at__isnull=True),
                name="closure_one_open_per_area",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.region_code}"


class Report(models.Model):
    """A supervision report (Form A): what a PKD/Panwaslu saw, where and when."""

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="reports")
    region_code = models.CharField(max_length=13)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    observed_at = models.DateTimeField(_("waktu pengawasan"))
    place = models.CharField(_("tempat"), max_length=200)
    observed = models.TextField(_("hasil pengawasan"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Form A {self.region_code} {self.observed_at:%Y-%m-%d}"


class Advice(models.Model):
    """A correction advice (saran perbaikan) from Bawaslu, which the KPU owning the area must
    answer: accepted (the correction is made, its record points here) or rejected with a
    reason. While open it blocks closing the areas above it."""

    class Target(models.TextChoices):
        SUPPORTER = "supporter", _("Seorang pendukung")
        AREA = "area", _("Hasil satu wilayah")
        PROCEDURE = "procedure", _("Prosedur")

    class Status(models.TextChoices):
        OPEN = "open", _("Menunggu jawaban")
        ACCEPTED = "accepted", _("Diterima")
        REJECTED = "rejected", _("Ditolak")

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="advice")
    region_code = models.CharField(max_length=13)
    target = models.CharField(max_length=10, choices=Target.choices)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="advice"
    )
    text = models.TextField(_("saran perbaikan"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("saran perbaikan")
        verbose_name_plural = _("saran perbaikan")
        indexes = [models.Index(fields=["stage", "status"], name="advice_stage_status")]

    def __str__(self) -> str:
        return f"saran {self.pk} ({self.status})"


class Sheet(Upload):
    """A PPS's paper sheet typed into CSV/XLSX (NIK, HASIL, METODE, TANGGAL, ...), kept as it
    came (files.uploads)."""

    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("lembar hasil verifikasi faktual")
        verbose_name_plural = _("lembar hasil verifikasi faktual")
        constraints = [models.UniqueConstraint(fields=["pair", "sha256"], name="sheet_unique_file")]

    def __str__(self) -> str:
        return self.original_name
