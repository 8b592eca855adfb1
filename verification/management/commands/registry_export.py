"""python manage.py registry_export --election SLUG [--pair ID] --out FILE [--user USERNAME]
[--json]

Writes the NIKs waiting for the civil registry's confirmation (Dukcapil) to FILE: the
supporters not on the roll (NOT_IN_ROLL, BMS while the election asks for confirmation) whose
NIK has no answer yet, each NIK once. CSV, UTF-8, comma, header row:
    NO, NIK, NAMA, TEMPAT_LAHIR, TANGGAL_LAHIR (DD-MM-YYYY), JENIS_KELAMIN (L/P), KODE_WILAYAH
The file holds NIKs in the clear, for Dukcapil only (docs/dukcapil.md); the audit trail keeps
who wrote it, how many rows and its SHA-256. --json prints {"rows", "sha256", "out", ...}.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from candidates.models import Election, Pair
from files.commands import command_user
from verification.registry import registry_export


class Command(BaseCommand):
    help = "Tulis NIK yang menunggu konfirmasi Dukcapil (tidak ada di DPT) ke berkas CSV."

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="slug pemilihan")
        parser.add_argument("--pair", type=int, help="hanya bakal pasangan calon ini (id)")
        parser.add_argument("--out", required=True, help="berkas CSV yang ditulis")
        parser.add_argument("--user", help="nama pengguna KPU yang mengekspor (dicatat)")
        parser.add_argument("--json", action="store_true", help="cetak hasil sebagai JSON")

    def handle(self, *args, **options):
        election = Election.objects.filter(slug=options["election"]).first()
        if election is None:
            raise CommandError(f"Pemilihan '{options['election']}' tidak ditemukan.")
        if not election.registry_confirmation:
            raise CommandError(
                "Pemilihan ini tidak memakai konfirmasi Dukcapil: NIK yang tidak ada di DPT "
                "langsung mendapat hasil menurut aturannya. Aktifkan pengaturan konfirmasi "
                "Dukcapil pada pemilihan, lalu jalankan verifikasi lagi."
            )
        pair = None
        if options["pair"] is not None:
            pair = Pair.objects.filter(pk=options["pair"], election=election).first()
            if pair is None:
                raise CommandError(
                    f"Bakal pasangan calon {options['pair']} tidak ada pada pemilihan ini."
                )
        by = command_user(options["user"])
        path = Path(options["out"])
        with path.open("w", encoding="utf-8", newline="") as out:
            done = registry_export(election=election, pair=pair, out=out, by=by)
        result = {
            "election": election.slug,
            "pair": pair.pk if pair else None,
            "rows": done.rows,
            "sha256": done.sha256,
            "out": str(path),
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{done.rows} NIK ditulis ke {path} untuk dikonfirmasi Dukcapil "
                f"(sha256 {done.sha256})."
            )
