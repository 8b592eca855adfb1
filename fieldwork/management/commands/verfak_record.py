"""python manage.py verfak_record --pair ID FILE [--user USERNAME] --json: a PPS's sheet
(NIK, HASIL, METODE, TANGGAL, PASLON_PILIHAN, TANGGAL_MENINGGAL), applied in this process."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fieldwork.management.commands._common import dumps, pair_get
from fieldwork.models import Sheet
from fieldwork.services import sheet_keep, sheet_run
from files.commands import command_user


class Command(BaseCommand):
    help = "Catat hasil verifikasi faktual dari lembar kerja PPS (CSV/XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--pair", type=int, required=True, help="id bakal pasangan calon")
        parser.add_argument("file", help="lembar hasil (CSV atau XLSX)")
        parser.add_argument("--user", help="pengguna yang mencatat (PPS: hanya kelurahannya)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, pair: int, file: str, json: bool, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Berkas tidak ditemukan: {path}")
        obj = pair_get(pair)
        with path.open("rb") as fh:
            sheet, created = sheet_keep(
                pair=obj,
                file=fh,
                original_name=path.name,
                uploaded_by=command_user(opts.get("user")),
            )
        if sheet.status == Sheet.Status.PENDING:
            sheet = sheet_run(sheet_id=sheet.pk)
        result = {
            "sheet": sheet.pk,
            "status": sheet.status,
            "accepted": sheet.accepted,
            "rejected": sheet.rejected,
            "errors": sheet.errors,
            "duplicate_file": not created,
        }
        if json:
            self.stdout.write(dumps(result))
        else:
            self.stdout.write(
                f"Lembar #{sheet.pk}: {sheet.accepted} baris diterima, {sheet.rejected} ditolak"
            )
            for error in sheet.errors[:20]:
                self.stdout.write(f"  baris {error['row']} {error['column']}: {error['message']}")
        if sheet.status == Sheet.Status.FAILED:
            raise CommandError(sheet.failure)
