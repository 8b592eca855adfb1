"""python manage.py import_voter_roll --election SLUG FILE [--json]"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from candidates.models import Election
from candidates.services import election_roll_ensure
from electorate.roll_import import roll_import_create, roll_import_run


class Command(BaseCommand):
    help = "Impor berkas DPT (CSV/XLSX) ke daftar pemilih pemilihan, langsung di proses ini."

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="slug pemilihan")
        parser.add_argument("file", help="berkas DPT (CSV atau XLSX)")
        parser.add_argument("--json", action="store_true", help="cetak hasil sebagai JSON")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas tidak ditemukan: {path}")
        election = Election.objects.filter(slug=options["election"]).first()
        if election is None:
            raise CommandError(f"Pemilihan '{options['election']}' tidak ditemukan.")
        election_roll_ensure(election=election)
        with path.open("rb") as fh:
            job, created = roll_import_create(roll=election.roll, file=fh, original_name=path.name)
        if job.status == job.Status.PENDING:
            job = roll_import_run(import_id=job.pk)
        result = {
            "import_id": job.pk,
            "roll_id": job.roll_id,
            "status": job.status,
            "rows_read": job.rows_read,
            "accepted": job.accepted,
            "rejected": job.rejected,
            "errors": job.errors[:100],
            "duplicate_file": not created,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"Impor #{job.pk} ({job.get_status_display()}): {job.accepted} pemilih baru, "
                f"{job.rejected} baris ditolak"
                + (" (berkas yang sama sudah pernah diimpor)" if not created else "")
            )
            for error in job.errors[:20]:
                self.stdout.write(f"  baris {error['row']} {error['column']}: {error['message']}")
        if job.status == job.Status.FAILED:
            raise CommandError(job.failure)
