from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from candidates.models import Pair, Supporter
from files.models import Upload
from jobs.models import LeasedJob, crash_time
from verification.rules import Outcome


class VerificationRun(models.Model):
    """One administrative verification of a pair's round: who, when, with which rules and roll.

    Enough is kept to trace a disputed result: the outcome per reason in force, the roll and the
    SHA-256 of every file imported into it, and the counts the run produced.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RUNNING = "running", _("Berjalan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    class Phase(models.TextChoices):
        PREPARE = "prepare", _("Mencocokkan dengan DPT dan mencari NIK ganda")
        WRITE = "write", _("Menulis hasil per pendukung")
        FINISH = "finish", _("Menghitung rekapitulasi")

    # The share of a run's time each phase ends at (the DKI benchmark: matching and duplicates
    # about half, writing the results the other half, the counts a few percent).
    PHASE_PERCENT = {"": 0, "prepare": 5, "write": 50, "finish": 95}

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="verification_runs")
    round = models.PositiveSmallIntegerField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rule_set = models.CharField(max_length=4)
    # {"NOT_IN_ROLL": "TMS", ...}: the outcomes this run applied, whatever the election says later.
    reason_outcomes = models.JSONField(default=dict)
    voting_day = models.DateField()
    roll = models.ForeignKey(
        "electorate.VoterRoll", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    roll_sha256 = models.JSONField(default=list)  # the roll's imported files, for traceability
    # The election's DP4, read as a second roll (its files' SHA-256s in roll_sha256 too), and
    # whether the civil registry's answers were applied (Election.registry_confirmation).
    dp4_roll = models.ForeignKey(
        "electorate.VoterRoll", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registry = models.BooleanField(default=False)
    # Prepared once per run (see engine): the restricted occupation texts found in this pair's
    # lists; null until the first worker has prepared the run.
    prepared = models.JSONField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # Where a running run is: DKI's 840k supporters are one chunk, so chunks_done alone stays
    # at 0/1 until the end; the phase moves the bar (progress_percent) and names the step.
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True, default="")

    class Meta:
        verbose_name = _("verifikasi administrasi")
        verbose_name_plural = _("verifikasi administrasi")
        indexes = [
            models.Index(fields=["pair", "round", "-started_at"], name="verification_run_latest")
        ]

    def __str__(self) -> str:
        return f"vermin {self.pair_id}/{self.round} #{self.pk}"

    @property
    def progress_percent(self) -> int:
        """Moved by the phase, and inside the writing by the chunks done."""
        if self.status == self.Status.DONE:
            return 100
        start = self.PHASE_PERCENT.get(self.phase, 0)
        if self.phase == self.Phase.WRITE and self.chunks_total:
            span = self.PHASE_PERCENT["finish"] - start
            return start + int(span * self.chunks_done / self.chunks_total)
        return start


class VerificationChunk(LeasedJob):
    """A slice of a run (a supporter id range) that one worker claims (jobs.models). It cannot
    beat while its one statement runs: its lease, longer than the task's hard time limit, runs
    from the claim; after an error it is given back at once instead of failing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RUNNING = "running", _("Berjalan")
        DONE = "done", _("Selesai")

    lease_kind = "verification_chunk"

    run = models.ForeignKey(VerificationRun, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    id_from = models.BigIntegerField()  # inclusive
    id_to = models.BigIntegerField()  # inclusive
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The claim's time (jobs.models: the token), in the column it always had.
    started_at = models.DateTimeField(null=True, blank=True, db_column="claimed_at")
    attempts = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    # What the chunk wrote, counted by its own INSERT (PostgreSQL): the run's counts are their
    # sum (verification.engine.run). Null where the run counts its results at the end.
    counts = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="verification_chunk_unique_seq")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} chunk {self.seq} [{self.id_from}, {self.id_to}]"

    @classmethod
    def claim_fields(cls) -> dict:
        return {"attempts": models.F("attempts") + 1}

    @classmethod
    def crashed(cls, pk: int, token) -> None:
        """Given back at once: else it waits for its lease (65 min) before a rerun takes it."""
        cls.release(pk, token)


class ReasonFlag(models.Model):
    """Reason bits known before a chunk's results are written: the duplicates and the standing
    marks (pair-wide, once per run) and, on SQLite, the name mismatches (rapidfuzz, per chunk;
    PostgreSQL keeps those in a working table, engine/backends.py). The INSERT of the results
    reads them like a column. Each bit at most once per supporter."""

    # No database constraint: checked at commit, one trigger per row, it cost 0.3 s for the
    # 50k duplicates of a DKI run; the engine writes only its own run's id, and Django's
    # collector still cascades a run's deletion.
    run = models.ForeignKey(
        VerificationRun, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    supporter_id = models.BigIntegerField()
    bits = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["run", "supporter_id"], name="reasonflag_run_supporter")]

    def __str__(self) -> str:
        return f"run {self.run_id} supporter {self.supporter_id}: {self.bits}"


class ReasonMark(models.Model):
    """A reason bit that holds whatever a run finds: PUBLIC_OBJECTION, set when the KPU
    confirms that a supporter's NIK was misused (verification.services.result_reason_add).
    Every run copies the marks of its supporters into its flags (engine/prepare.py), so a
    rerun of the round keeps them. Each bit at most once per supporter."""

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    bits = models.PositiveIntegerField()
    source = models.CharField(max_length=60)  # what set it, e.g. "objections.Objection:12"
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supporter", "bits"], name="reasonmark_one_per_bit")
        ]

    def __str__(self) -> str:
        return f"supporter {self.supporter_id}: {self.bits}"


class VerificationResult(models.Model):
    """The current verdict on one supporter. Pair, round and kelurahan are copied from the
    supporter so that the recap is one GROUP BY on this table, without a join.

    No database FK constraints (db_constraint=False): on PostgreSQL each would be a per-row
    trigger lookup while inserting 840k rows at once; the engine writes only ids it just read, and
    Django's collector still cascades deletes.
    """

    supporter = models.OneToOneField(
        Supporter,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="verification",
        db_constraint=False,
    )
    run = models.ForeignKey(
        VerificationRun,
        on_delete=models.CASCADE,
        related_name="results",
        db_constraint=False,
        db_index=False,  # deleting a run is rare; every insert would pay for this index
    )
    pair = models.ForeignKey(
        Pair, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    round = models.PositiveSmallIntegerField()
    kelurahan_code = models.CharField(max_length=13)
    reasons = models.PositiveIntegerField(default=0)  # verification.rules.Reason bits
    outcome = models.CharField(max_length=3, choices=Outcome.choices)
    # The roll record matched on the NIK (null: not in the roll). Not a foreign key: a re-imported
    # roll must not cascade into past verdicts.
    voter_id = models.BigIntegerField(null=True, blank=True)
    # A BMS/TMS record resubmitted in a later repair round: the later record counts instead.
    superseded = models.BooleanField(default=False)
    # The roll places the supporter in another kelurahan than the form names (kelurahan_code
    # differs from the supporter's kelurahan_id): 1% of DKI's rows. Indexed (partially) so that
    # an area's list finds who the roll moved into it without reading the pair's every result.
    moved = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("hasil verifikasi administrasi")
        verbose_name_plural = _("hasil verifikasi administrasi")
        indexes = [
            # (pair, round) only: a pair's rows arrive together, so this index grows at one
            # edge while 840k rows are inserted; adding kelurahan would scatter the inserts.
            models.Index(fields=["pair", "round"], name="verification_result_recap"),
            # Pattern operators: an area is `code = area OR code LIKE 'area.%'` (q_within).
            models.Index(
                fields=["pair", "kelurahan_code"],
                name="verification_result_moved",
                condition=models.Q(moved=True),
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id}: {self.outcome}"


class RunDerived(models.Model):
    """What derives from a pair's latest finished run, computed once instead of at every page
    load (verification/derived.py): at DKI scale each is a GROUP BY over 840k rows, the red
    flags also over the 8M-voter roll (about 3 s), which the recap page used to repeat for
    every request.

    - flags: the lists' own red flags (share, address, serial) as they stood when the run
      ended; provided: those of the apps above (objections' misuse), refreshed when they change.
    - groups: the recap's counts per (kelurahan, round, outcome, superseded) with reason sums.
    - counts: supporters per (place: the roll's kelurahan once verified, else the row's; round;
      outcome or null: not verified), what the results list counts and pages by.
    - external: results whose DUPLICATE_EXTERNAL the next run would change.
    A part that is null is computed on first read and stored: a confirmed objection (which
    changes results) empties groups and counts, a new upload counts and, for every pair of
    its election, external. Run null: the pair has no finished run yet. One row per pair: a
    new run's replaces the last."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(
        VerificationRun, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    flags = models.JSONField(null=True, blank=True)
    provided = models.JSONField(null=True, blank=True)
    groups = models.JSONField(null=True, blank=True)
    counts = models.JSONField(null=True, blank=True)
    # How many results the next run would change for DUPLICATE_EXTERNAL (engine.external):
    # what the run page tells the KPU; emptied when any pair of the election uploads.
    external = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("angka turunan verifikasi")
        verbose_name_plural = _("angka turunan verifikasi")
        constraints = [
            models.UniqueConstraint(fields=["pair", "run"], name="derived_one_per_run"),
            models.UniqueConstraint(
                fields=["pair"], condition=models.Q(run__isnull=True), name="derived_one_unrun"
            ),
        ]

    def __str__(self) -> str:
        return f"derived pair {self.pair_id} run {self.run_id}"


class Export(LeasedJob):
    """One download of the verification results as XLSX, asked for by one user and written by
    a task (verification/exports.py) with its progress, then kept encrypted at rest
    (files.vault) until `expires_at` (settings.EXPORT_LINK_HOURS after it is ready).

    The rows are those the results page shows the user who asked (round and status filter
    included): the team all of its pair's, the KPU those in its area. Only that user may
    download it; every download is an audit event (the trail holds who took what, and how
    many rows). The retention (`exports_purge`) deletes the file once the link has expired."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RUNNING = "running", _("Ditulis")
        READY = "ready", _("Siap diunduh")
        FAILED = "failed", _("Gagal")
        EXPIRED = "expired", _("Kedaluwarsa")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField(null=True, blank=True)  # null: every round
    outcome = models.CharField(max_length=3, blank=True)  # "": every status
    # The requester's area when asked ("" everything; a team: its whole pair), for the trail.
    area = models.CharField(max_length=13, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_written = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    size = models.BigIntegerField(default=0)  # of the XLSX (plaintext)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # started_at, heartbeat_at, finished_at, failure: jobs.models.LeasedJob.
    expires_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ekspor hasil")
        verbose_name_plural = _("ekspor hasil")
        indexes = [
            models.Index(fields=["requested_by", "pair", "-created_at"], name="export_by_user"),
            models.Index(fields=["status", "expires_at"], name="export_expiry"),
        ]

    lease_kind = "export"
    done_status = Status.READY

    def __str__(self) -> str:
        return f"export {self.pk} pair {self.pair_id}: {self.status}"

    @classmethod
    def claim_fields(cls) -> dict:
        return {"rows_written": 0}

    @classmethod
    def crash_message(cls, pk: int) -> str:
        return gettext(
            "Terjadi kesalahan sistem saat menulis ekspor #%(id)s (%(time)s). Minta ekspor lagi, "
            "atau hubungi admin dengan menyebut nomor ini."
        ) % {"id": pk, "time": crash_time()}

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_written / self.rows_total))


class RegistryImport(Upload):
    """A file of the civil registry's answers (Dukcapil) to the NIKs the KPU sent it
    (verification/registry.py), kept as it came; its rows become RegistryAnswers."""

    election = models.ForeignKey(
        "candidates.Election", on_delete=models.CASCADE, related_name="registry_imports"
    )

    class Meta:
        verbose_name = _("impor jawaban Dukcapil")
        verbose_name_plural = _("impor jawaban Dukcapil")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "sha256"], name="registry_import_unique_file"
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class RegistryAnswer(models.Model):
    """The civil registry's answer for one NIK of an election, keyed by the NIK's hash (no NIK
    at rest): found or not, and if found, alive or not, the kelurahan of domicile and the birth
    date (kept as the supporter's is: its keyed hash with the NIK, and whether it is under 17
    on the election's voting day, computed at import; keys.nik). The verification's
    results SELECT joins it on the hash for the supporters not on the roll
    (engine/reasons.py). A later answer for the same NIK replaces the earlier one."""

    election = models.ForeignKey(
        "candidates.Election", on_delete=models.CASCADE, related_name="registry_answers"
    )
    nik_hash = models.BinaryField(max_length=32)
    found = models.BooleanField()
    alive = models.BooleanField(null=True, blank=True)
    kelurahan_code = models.CharField(max_length=13, blank=True)
    birth_hash = models.BinaryField(max_length=32, null=True, blank=True)
    minor = models.BooleanField(null=True, blank=True)
    source = models.ForeignKey(
        RegistryImport, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    row_number = models.PositiveIntegerField()  # in the source file, header = 1

    class Meta:
        verbose_name = _("jawaban Dukcapil")
        verbose_name_plural = _("jawaban Dukcapil")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "nik_hash"], name="registry_answer_one_per_nik"
            )
        ]

    def __str__(self) -> str:
        return f"{self.election_id}: {'found' if self.found else 'not found'}"
