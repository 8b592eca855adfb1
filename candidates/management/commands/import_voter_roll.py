"""python manage.py import_voter_roll --election SLUG FILE [--dp4] [--json]

--dp4: the file is the civil registry's DP4, loaded as the election's second roll
(candidates.dp4): a NIK the DPT lacks but the DP4 holds is on the roll for the verification."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from candidates.dp4 import election_dp4_ensure
from candidates.models import Election
from candidates.services import election_roll_ensure
from electorate.roll_import import roll_import_create, roll_import_run
from files.commands import command_file, command_report, job_counts


class Command(BaseCommand):
    help = "Impor berkas DPT (CSV/XLSX) ke daftar pemilih pemilihan, langsung di proses ini."

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="slug pemilihan")
        parser.add_argument("file", help="berkas DPT (CSV atau XLSX)")
        parser.add_argument(
            "--dp4",
            action="store_true",
            help="berkas DP4 dari Dukcapil: dimuat sebagai daftar pemilih kedua pemilihan",
        )
        parser.add_argument("--json", action="store_true", help="cetak hasil sebagai JSON")

    def handle(self, *args, **options):
        path = command_file(options["file"])
        election = Election.objects.filter(slug=options["election"]).first()
        if election is None:
            raise CommandError(f"Pemilihan '{options['election']}' tidak ditemukan.")
        if options["dp4"]:
            roll = election_dp4_ensure(election=election)
        else:
            roll = election_roll_ensure(election=election)
        with path.open("rb") as fh:
            job, created = roll_import_create(roll=roll, file=fh, original_name=path.name)
        if job.status == job.Status.PENDING:
            job = roll_import_run(import_id=job.pk)
        result = {
            "import_id": job.pk,
            "roll_id": job.roll_id,
            "roll_kind": roll.kind,
            **job_counts(job),
            "errors": job.errors[:100],
            "duplicate_file": not created,
        }
        summary = (
            f"Impor #{job.pk} ({job.get_status_display()}): {job.accepted} pemilih baru, "
            f"{job.rejected} baris ditolak"
            + (" (berkas yang sama sudah pernah diimpor)" if not created else "")
        )
        command_report(self.stdout, job, result, as_json=options["json"], summary=summary)
