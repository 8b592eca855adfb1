"""python manage.py registry_import --election SLUG FILE [--user USERNAME] [--json]

Reads the civil registry's answer (Dukcapil) to the NIKs sent by registry_export: CSV or XLSX,
header row, columns NIK, DITEMUKAN (Y/N), HIDUP (Y/N, when found), KODE_WILAYAH (kelurahan of
domicile, when found alive), TANGGAL_LAHIR (optional). Stored by the NIK's keyed hash; the next
verification run of each pair settles its supporters (docs/dukcapil.md). A bad row is refused
with its row, column and fix; the good rows are kept. --json prints {"import_id", "status",
"accepted", "rejected", "errors", "found", "not_found", "deceased", "outside"}.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from candidates.models import Election
from files.commands import command_file, command_report, command_user, job_counts
from verification.registry import registry_import


class Command(BaseCommand):
    help = "Impor jawaban Dukcapil atas NIK yang dikirim untuk dikonfirmasi."

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="slug pemilihan")
        parser.add_argument("file", help="berkas jawaban Dukcapil (CSV atau XLSX)")
        parser.add_argument("--user", help="nama pengguna KPU yang mengimpor (dicatat)")
        parser.add_argument("--json", action="store_true", help="cetak hasil sebagai JSON")

    def handle(self, *args, **options):
        path = command_file(options["file"])
        election = Election.objects.filter(slug=options["election"]).first()
        if election is None:
            raise CommandError(f"Pemilihan '{options['election']}' tidak ditemukan.")
        by = command_user(options["user"])
        with path.open("rb") as fh:
            done = registry_import(election=election, file=fh, original_name=path.name, by=by)
        job = done.job
        result = {
            "import_id": job.pk,
            **job_counts(job),
            "errors": job.errors[:100],
            "found": done.found,
            "not_found": done.not_found,
            "deceased": done.deceased,
            "outside": done.outside,
        }
        summary = (
            f"Impor jawaban Dukcapil #{job.pk} ({job.get_status_display()}): "
            f"{job.accepted} NIK dijawab ({done.found} ditemukan hidup, {done.not_found} "
            f"tidak ditemukan, {done.deceased} meninggal), {job.rejected} baris ditolak. "
            "Jalankan verifikasi administrasi lagi untuk menerapkannya."
        )
        command_report(self.stdout, job, result, as_json=options["json"], summary=summary)
