"""python manage.py import_support --pair ID FILE [--round N] [--json]"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from candidates.check_text import check_json
from candidates.intake import support_upload_create, support_upload_run
from candidates.models import Pair, Round
from candidates.submission import upload_check
from files.commands import command_file, command_report, job_counts


class Command(BaseCommand):
    help = "Unggah daftar dukungan (CSV/XLSX) untuk bakal pasangan calon, langsung di proses ini."

    def add_arguments(self, parser):
        parser.add_argument("--pair", required=True, type=int, help="id bakal pasangan calon")
        parser.add_argument("file", help="berkas daftar dukungan (CSV atau XLSX)")
        parser.add_argument(
            "--round",
            type=int,
            default=Round.INITIAL,
            choices=[r.value for r in Round],
            help="0 penyerahan awal, 1 perbaikan 1, 2 perbaikan 2",
        )
        parser.add_argument("--json", action="store_true", help="cetak hasil sebagai JSON")

    def handle(self, *args, **options):
        path = command_file(options["file"])
        pair = Pair.objects.filter(pk=options["pair"]).first()
        if pair is None:
            raise CommandError(f"Bakal pasangan calon dengan id {options['pair']} tidak ditemukan.")
        try:
            with path.open("rb") as fh:
                upload, created = support_upload_create(
                    pair=pair, round=options["round"], file=fh, original_name=path.name
                )
        except ValidationError as exc:  # the pair is decided: it submits nothing more
            raise CommandError("; ".join(exc.messages)) from exc
        if upload.status == upload.Status.PENDING:
            upload = support_upload_run(upload_id=upload.pk)
        result = {
            "upload_id": upload.pk,
            "pair_id": pair.pk,
            "round": upload.round,
            **job_counts(upload),
            "errors": upload.errors,
            "duplicate_file": not created,
            # A repair round's upload against the repair the pair owes (candidates.submission).
            "repair_check": check_json(upload_check(upload)) if upload.round else None,
        }
        summary = (
            f"Unggahan #{upload.pk} ({upload.get_status_display()}): {upload.accepted} "
            f"diterima, {upload.rejected} ditolak"
            + ("" if created else " (berkas yang sama sudah pernah diunggah)")
        )
        command_report(self.stdout, upload, result, as_json=options["json"], summary=summary)
