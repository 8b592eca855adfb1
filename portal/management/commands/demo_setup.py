"""`make demo`: a realistic DKI Jakarta 2024 case at demo scale, verified, with a login per role.

Runs on the embedded default (SQLite, tasks in-process) as well as on PostgreSQL. Running it again
keeps what is there (what is imported is not generated again); --reset empties the database
first. The generated DPT and lists are deleted once imported: the uploads keep them encrypted
under the installation's own keys (VAR_DIR/demo-keys.env, config/demokeys.py). Besides the
administrative verification, the first pair's factual verification is under way (opened three
days ago) and the PPS and PKD of Kelurahan Cideng have started on it; the second pair has been
through its factual verification to the decision, and the Berita Acara of each stage is issued
(the first pair's administrative one, the second pair's three).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from candidates import kinds
from candidates.elections import election_threshold
from candidates.intake import support_upload_create, support_upload_run
from candidates.models import Election, Supporter, TeamMembership
from candidates.services import election_create, election_roll_ensure, pair_create, window_set
from electorate.models import Region, Role, StaffAssignment
from electorate.regions import regions_load
from electorate.roll_import import roll_import_create, roll_import_run
from fieldwork.models import Finding, Method, Stage, Task
from fieldwork.records import Entry, attest_denial, record_entry
from fieldwork.stages import stage_start
from fieldwork.supervision import advice_create, report_create
from seeds import dki, population, support
from verification.derived import run_derive
from verification.engine import run_create, verification_run
from verification.recap import recap_compute

VOTING_DAY = dt.date(2024, 11, 27)
DEMO_PASSWORD = "demo-pilkada-2024"
PAIRS = ("Andi Wijaya - Rina Kusuma", "Bambang Hartono - Sri Lestari")
CIDENG = "31.71.01.1002"

# (username, role, region code, what they can do)
STAFF = (
    ("kpu_dki", Role.KPU_PROVINSI, "31", "KPU Provinsi DKI Jakarta"),
    ("kpu_jakpus", Role.KPU_KABKOTA, "31.71", "KPU Kota Jakarta Pusat"),
    ("ppk_gambir", Role.PPK, "31.71.01", "PPK Kecamatan Gambir"),
    ("pps_cideng", Role.PPS, "31.71.01.1002", "PPS Kelurahan Cideng"),
    ("pkd_cideng", Role.BAWASLU, "31.71.01.1002", "PKD (pengawas) Kelurahan Cideng"),
    ("bawaslu_dki", Role.BAWASLU, "31", "Bawaslu Provinsi DKI Jakarta"),
    ("bawaslu_jaktim", Role.BAWASLU, "31.75", "Bawaslu Kota Jakarta Timur"),
    # The whole country (no region): the national page /nasional/.
    ("kpu_ri", Role.KPU_RI, None, "KPU RI (nasional)"),
    ("bawaslu_ri", Role.BAWASLU_RI, None, "Bawaslu RI (nasional)"),
)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # 618.968, as Indonesians write it


def scale_note(scale: float, threshold: int) -> str:
    """What the demo's pages say beside the threshold (Election.scale_note)."""
    percent = f"{100 * scale:g}".replace(".", ",")
    return (
        f"Data demo: DPT dan daftar dukungan sintetis sebesar {percent}% dari skala DKI Jakarta "
        f"2024, sedangkan syarat minimal yang ditampilkan adalah angka sebenarnya "
        f"({_n(threshold)}). Karena itu MS di sini selalu jauh di bawah syarat."
    )


class Command(BaseCommand):
    help = (
        "Siapkan data demo DKI Jakarta 2024 (wilayah, DPT sintetis, daftar dukungan, verifikasi)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.02, help="bagian dari skala DKI 2024")
        parser.add_argument("--reset", action="store_true", help="hapus data demo lalu buat ulang")

    def handle(self, *args, scale: float, reset: bool, **opts):
        if settings.PRODUCTION:
            # It creates accounts with a published password and can empty the database.
            raise CommandError("demo_setup tidak boleh dijalankan di produksi (DJANGO_ENV).")
        out = Path(settings.VAR_DIR) / "demo"
        out.mkdir(parents=True, exist_ok=True)
        for left in (*out.glob("dpt-dki-*.csv"), *out.glob("dukungan-*.csv")):
            left.unlink()  # lists in clear an earlier version of the demo kept here
        if reset:
            self._reset()

        say = self.stdout.write
        say("Memuat wilayah DKI Jakarta, Jawa Barat dan Banten (Kemendagri)...")
        for province in ("31", "32", "36"):  # DKI, and its neighbours for out-of-region rows
            regions_load(province=province)
        election = election_create(
            slug="pilgub-dki-2024",
            region_code="31",
            level=kinds.GOVERNOR,
            dpt=8_252_897,
            voting_day=VOTING_DAY,
            name="Pemilihan Gubernur dan Wakil Gubernur DKI Jakarta 2024",
            submission_start=dt.date(2024, 5, 8),
            submission_end=dt.date(2024, 5, 12),
            # 2%-scale lists against the real threshold: the count-and-spread check before
            # verification would return them (and, the window past, rule the pairs out).
            submission_check=False,
        )
        # The pages hold these 2%-scale figures against the real threshold: they say so.
        election.scale_note = scale_note(scale, election_threshold(election).threshold)
        election.save(update_fields=["scale_note"])
        # The demo runs today with 2024's data: the repair round's window is open now, so a
        # team can try a repair upload; the initial submission's closed in May 2024.
        today = timezone.localdate()
        window_set(
            election=election,
            round=1,
            opens=today - dt.timedelta(days=3),
            closes=today + dt.timedelta(days=7),
        )
        voters = _n(sum(dki.scale(dki.DKI_DPT_2024, scale).values()))
        say(f"Membuat DPT sintetis ({voters} pemilih) dan mengimpornya...")
        self._roll(election, out, scale)
        pairs = [pair_create(election=election, name=name) for name in PAIRS]
        say("Membuat dua daftar dukungan dan mengunggahnya...")
        self._support(election, pairs, out, scale)
        say("Verifikasi administrasi kedua pasangan...")
        for pair in pairs:
            if not pair.verification_runs.filter(status="done").exists():
                run = run_create(pair=pair)
                run = verification_run(run_id=run.pk)
                if run.status == run.Status.DONE:
                    run_derive(run=run)  # as the task does: the red flags, once
        self._users(pairs)
        say("Verifikasi faktual di Kelurahan Cideng...")
        self._fieldwork(pairs[0])
        self._minutes(pairs[0], stage="vermin", round=0)
        say("Verifikasi faktual pasangan kedua sampai penetapan...")
        self._decided(pairs[1])
        for stage, round in (("vermin", 0), ("verfak", 1), ("decision", 0)):
            self._minutes(pairs[1], stage=stage, round=round)
        self._report(election, pairs)

    def _reset(self) -> None:
        """The demo database only: every table emptied, then built again (a new audit trail:
        the old one's anchor file set aside)."""
        from audit.anchors import anchors_set_aside

        call_command("flush", interactive=False, verbosity=0)
        anchors_set_aside()

    def _fieldwork(self, pair) -> None:
        """Factual verification 1 of the first pair, opened three days ago; in Kelurahan
        Cideng the PPS has recorded two thirds of its worklist and the PKD has attested one
        denial, written one report and one advice the KPU has yet to answer."""
        if Stage.objects.filter(pair=pair).exists():
            return
        User = get_user_model()
        pps, pkd = User.objects.get(username="pps_cideng"), User.objects.get(username="pkd_cideng")
        today = timezone.localdate()
        stage = stage_start(pair=pair, opens=today - dt.timedelta(days=3), by=None)
        tasks = list(Task.objects.filter(stage=stage, kelurahan_code=CIDENG).order_by("pk"))
        cycle = [Finding.SESUAI] * 6 + [Finding.TIDAK_DITEMUI, Finding.TOLAK, Finding.TOLAK_TTD]
        for i, task in enumerate(tasks[: len(tasks) * 2 // 3]):
            finding = Finding.PINDAH if i == 10 else cycle[i % len(cycle)]
            _visit(pair, task, finding, on=today - dt.timedelta(days=i % 3), by=pps)
        denied = Task.objects.filter(stage=stage, kelurahan_code=CIDENG, finding=Finding.TOLAK)
        if first := denied.first():
            attest_denial(
                task=first,
                by=pkd,
                statement="Pendukung menyatakan tidak pernah "
                "memberikan KTP-el kepada tim; PKD hadir saat kunjungan.",
            )
        report_create(
            stage=stage,
            region_code=CIDENG,
            by=pkd,
            place="RW 03 Kelurahan Cideng",
            observed_at=timezone.now() - dt.timedelta(days=1),
            observed="PPS mengunjungi 12 pendukung; dua tidak ditemui di alamat.",
        )
        advice_create(
            stage=stage,
            target="area",
            region_code=CIDENG,
            by=pkd,
            text="Mohon PPS mengulang kunjungan pendukung yang tidak ditemui pada sore hari.",
        )

    def _decided(self, pair) -> None:
        """The second pair taken to its decision, so that the demo holds the Berita Acara of
        every stage: factual verification 1 opened 40 days ago, the field met most of its MS
        supporters (one in ten not found, one in ten never visited: TMS when the stage
        closes), every level closed after the window, the pair's written renunciation of
        repair 1 recorded, and the KPU's decision."""
        from decisions.models import Decision
        from decisions.services import decision_record, renunciation_record
        from fieldwork.closing import stage_close_all, stage_close_preview

        if Decision.objects.filter(pair=pair).exists():
            return
        today = timezone.localdate()
        stage = Stage.objects.filter(pair=pair, number=1).first() or stage_start(
            pair=pair, opens=today - dt.timedelta(days=40), by=None
        )
        kpu = get_user_model().objects.filter(username="kpu_dki").first()
        if stage.status == Stage.Status.OPEN:
            for i, task in enumerate(Task.objects.filter(stage=stage).order_by("pk")):
                if i % 10 == 9 or task.finding:
                    continue
                finding = Finding.TIDAK_DITEMUI if i % 10 == 8 else Finding.SESUAI
                _visit(
                    pair,
                    task,
                    finding,
                    on=stage.opens + dt.timedelta(days=i % 7),
                    today=stage.closes,
                )
            # The KPU confirms how many become TMS without a visit (the page asks the same).
            unvisited = stage_close_preview(stage=stage, as_of=today)["total"]
            stage_close_all(stage=stage, as_of=today, by=kpu, confirm=unvisited)
        # Short of the threshold after factual verification 1, the pair is owed repair 1,
        # whose window is open: the decision may come now only because the pair renounced
        # it in writing (decisions.services.repair_owed).
        renunciation_record(
            pair=pair,
            round=1,
            letter="Surat pernyataan tim Nomor 01/BHSL/VII/2024 tanggal 22 Juli 2024",
            by=kpu,
        )
        decision_record(pair=pair, by=kpu)

    def _minutes(self, pair, *, stage: str, round: int) -> None:
        """The Berita Acara of one stage of the pair, issued by KPU DKI Jakarta (its PDF and
        public verification page are in the demo)."""
        from documents.models import Minutes
        from documents.render import verify_url
        from documents.services import Meeting, Person, minutes_issue

        dates = {"vermin": dt.date(2024, 6, 1), "verfak": dt.date(2024, 7, 20)}
        minutes = Minutes.objects.filter(pair=pair, stage=stage, round=round).first()
        if minutes is None:
            minutes = minutes_issue(
                pair=pair,
                stage=stage,
                round=round,
                meeting=Meeting(
                    date=dates.get(stage, dt.date(2024, 8, 19)),
                    place="Kantor KPU Provinsi DKI Jakarta, Jl. Salemba Raya No. 15",
                    present=[
                        Person(name="Ketua KPU Provinsi (demo)", role="Ketua", group="kpu"),
                        Person(name="Anggota KPU Provinsi (demo)", role="Anggota", group="kpu"),
                        Person(name="Bawaslu Provinsi (demo)", role="Pengawas", group="bawaslu"),
                        Person(name="Penghubung tim (demo)", role="LO", group="lo"),
                    ],
                ),
                by=get_user_model().objects.filter(username="kpu_dki").first(),
            )
        url = verify_url(minutes.code)
        self.stdout.write(f"Berita acara {stage} {pair.name}: {minutes.number}, periksa {url}")

    def _roll(self, election: Election, out: Path, scale: float) -> None:
        """The synthetic DPT, written, imported and deleted: the upload keeps it encrypted, no
        copy in clear stays beside the database. Imported before, nothing is written again
        (the roll is re-derived from its seed, not read back)."""
        from electorate.models import Voter
        from keys.nik import nik_hash

        per_kab = dki.scale(dki.DKI_DPT_2024, scale)
        self._spec = population.roll_spec(per_kabkota=per_kab, voting_day=VOTING_DAY, seed=1)
        roll = election_roll_ensure(election=election)
        if roll.imports.filter(status="done").exists():
            first = self._spec.voter(next(iter(per_kab)), 0)
            if not Voter.objects.filter(roll=roll, nik_hash=nik_hash(first.nik)).exists():
                # The keys are drawn per installation (VAR_DIR/demo-keys.env): a database built
                # under other keys matches nothing any more.
                raise CommandError(
                    "Basis data demo dibuat dengan kunci lain (mis. sebelum kunci demo dibuat "
                    "acak di var/demo-keys.env): jalankan demo_setup --reset."
                )
            return
        path = out / f"dpt-dki-{scale}.csv"
        population.roll_generate(path=path, per_kabkota=per_kab, voting_day=VOTING_DAY, seed=1)
        try:
            with path.open("rb") as fh:
                imp, _ = roll_import_create(
                    roll=roll, file=File(fh, name=path.name), original_name=path.name
                )
            if imp.status != "done":
                roll_import_run(import_id=imp.pk)
        finally:
            path.unlink(missing_ok=True)

    def _support(self, election: Election, pairs, out: Path, scale: float) -> None:
        """Both pairs' lists, written, uploaded and deleted (the uploads keep them encrypted);
        a pair decided, or whose list is in, gets nothing again."""
        main, other = pairs
        main_path, other_path = out / f"dukungan-a-{scale}.csv", out / f"dukungan-b-{scale}.csv"
        todo = [
            (pair, path)
            for pair, path in ((main, main_path), (other, other_path))
            if pair.decided_at is None  # a decided pair submits nothing more
            and not pair.uploads.filter(round=0, status="done").exists()
        ]
        if not todo:
            return
        per_kab = dki.scale(dki.DKI_UPLOAD_2024, scale)
        try:
            support.support_generate(
                path=main_path,
                roll=self._spec,
                per_kabkota=per_kab,
                defects=dki.defects_for(sum(per_kab.values())),
                mangled=5,  # a few Excel-mangled NIKs, to show the error report
                election_region="31",
                voting_day=VOTING_DAY,
                other_pair_path=other_path,
                other_pair_count=max(200, int(20_000 * scale)),
            )
            for pair, path in todo:
                with path.open("rb") as fh:
                    upload, _ = support_upload_create(
                        pair=pair, round=0, file=File(fh, name=path.name), original_name=path.name
                    )
                if upload.status != "done":
                    support_upload_run(upload_id=upload.pk)
        finally:
            main_path.unlink(missing_ok=True)
            other_path.unlink(missing_ok=True)

    @transaction.atomic
    def _users(self, pairs) -> None:
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.invalid", DEMO_PASSWORD)
        for username, role, code, _ in STAFF:
            user = User.objects.filter(username=username).first() or User.objects.create_user(
                username, password=DEMO_PASSWORD
            )
            StaffAssignment.objects.update_or_create(
                user=user,
                defaults={"role": role, "region": Region.objects.get(code=code) if code else None},
            )
        for i, pair in enumerate(pairs):
            username = f"tim_{'ab'[i]}"
            user = User.objects.filter(username=username).first() or User.objects.create_user(
                username, password=DEMO_PASSWORD
            )
            StaffAssignment.objects.update_or_create(
                user=user, defaults={"role": Role.TIM, "region": pair.election.region}
            )
            TeamMembership.objects.update_or_create(user=user, defaults={"pair": pair})

    def _report(self, election: Election, pairs) -> None:
        t = election_threshold(election)
        w = self.stdout.write
        w("")
        w(
            f"{election.name}: syarat minimal {_n(t.threshold)} dukungan di {t.spread_required} "
            f"dari {t.spread_units} kab/kota (skala demo: DPT dan dukungan diperkecil)."
        )
        for pair in pairs:
            r = recap_compute(pair=pair)
            w(f"  {pair.name}: MS {_n(r['MS'])}  BMS {_n(r['BMS'])}  TMS {_n(r['TMS'])}")
        w("")
        w("Situs: http://127.0.0.1:8000   (kata sandi semua akun demo: " + DEMO_PASSWORD + ")")
        w(f"  {'admin':<16} Superuser (admin Django: /admin/)")
        for username, _, _, label in STAFF:
            w(f"  {username:<16} {label}")
        for i, pair in enumerate(pairs):
            w(f"  tim_{'ab'[i]:<12} Tim {pair.name}")
        if example := check_example(pairs[0]):
            nik, name, birth = example
            w("")
            w("Cek dukungan (tanpa akun): http://127.0.0.1:8000/cek-dukungan/")
            w(f"  NIK {nik}  nama {name}  tanggal lahir {birth:%d-%m-%Y}")
        w("")


def check_example(pair, tries: int = 50) -> tuple[str, str, dt.date] | None:
    """A supporter of the pair the public check finds (NIK, name, birth date as typed on the
    KTP-el), for the console: the demo's data is synthetic, its NIKs belong to no one."""
    from keys.nik import (
        birth_decrypt,
        nik_decrypt,
        supporter_birth_context,
        supporter_context,
    )
    from objections.lookup import supports_find

    rows = Supporter.objects.filter(pair=pair, verification__outcome="MS").order_by("pk")
    for row in rows.only("upload_id", "row_number", "nik_cipher", "birth_cipher", "name")[:tries]:
        nik = nik_decrypt(
            bytes(row.nik_cipher), context=supporter_context(row.upload_id, row.row_number)
        )
        birth = birth_decrypt(
            bytes(row.birth_cipher),
            context=supporter_birth_context(row.upload_id, row.row_number),
        )
        if supports_find(nik=nik, birth_date=birth, name=row.name):
            return nik, row.name, birth
    return None


def _visit(pair, task: Task, finding: str, *, on: dt.date, by=None, today=None) -> None:
    """A PPS's home visit recorded; a double supporter met and confirming chooses this pair."""
    chosen = pair.pk if task.double and finding == Finding.SESUAI else None
    entry = Entry(finding=finding, method=Method.KUNJUNGAN, visited_on=on, chosen_pair_id=chosen)
    record_entry(task=task, entry=entry, by=by, today=today)
