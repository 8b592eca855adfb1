"""python manage.py submission_check --pair ID [--round N] [--summary B2.csv] [--as-of DATE]
[--user USERNAME] [--json]

The count-and-spread check of a list as submitted (candidates.submission). Round 0 (the
default), penelitian jumlah minimal dukungan dan persebaran: the initial list against the
threshold and the spread, compared with the team's form B.2-KWK (--summary: a CSV/XLSX with
columns KODE_WILAYAH, JUMLAH, one row per kab/kota or kecamatan; without it, the last one
handed in). Round 1 or 2: the repair round against the repair the pair owes.

--json prints the check: status (memenuhi, dikembalikan, dicatat, tidak_lanjut), the message
the team is told, deadline, counted, threshold, shortfall, spread {required, achieved,
reached, missing}, units [{code, name, declared, listed, difference}], and with --summary the
summary's own result (accepted, rejected, errors by row and column).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from candidates.check_text import check_json
from candidates.models import Pair, Round, SupportSummary
from candidates.submission import submission_check_run
from candidates.summary import summary_submit
from files.commands import command_user


class Command(BaseCommand):
    help = (
        "Penelitian jumlah minimal dukungan dan persebaran (tahap 0) atau kewajiban perbaikan "
        "(tahap 1, 2) atas daftar dukungan yang diserahkan."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pair", type=int, required=True, help="id bakal pasangan calon")
        parser.add_argument(
            "--round",
            type=int,
            default=Round.INITIAL,
            choices=[r.value for r in Round],
            help="0 penyerahan awal (default), 1 perbaikan 1, 2 perbaikan 2",
        )
        parser.add_argument(
            "--summary",
            help="formulir B.2-KWK tim: CSV/XLSX dengan kolom KODE_WILAYAH, JUMLAH",
        )
        parser.add_argument(
            "--as-of", help="tanggal penelitian (YYYY-MM-DD, default hari ini; tidak boleh nanti)"
        )
        parser.add_argument("--user", help="nama pengguna KPU yang melakukan penelitian")
        parser.add_argument("--json", action="store_true", help="cetak hasil sebagai JSON")

    def handle(self, *args, **options):
        pair = Pair.objects.select_related("election").filter(pk=options["pair"]).first()
        if pair is None:
            raise CommandError(f"Bakal pasangan calon dengan id {options['pair']} tidak ditemukan.")
        by = command_user(options["user"])
        as_of = _day(options["as_of"])
        summary = None
        try:
            if options["summary"]:
                summary = self._summary(pair, options["round"], options["summary"], by)
            check = submission_check_run(
                pair=pair, round=options["round"], as_of=as_of, summary=summary, by=by
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if check is None:
            raise CommandError(
                "Kewajiban perbaikan belum dapat dihitung: pasangan ini belum memiliki kedudukan "
                "dukungan (verifikasi administrasi tahap sebelumnya belum selesai)."
            )
        result = check_json(check)
        if summary is not None:
            result["summary_upload"] = {
                "id": summary.pk,
                "status": summary.status,
                "accepted": summary.accepted,
                "rejected": summary.rejected,
                "errors": summary.errors,
            }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"Penelitian #{check.pk} ({result['status_label']})")
        self.stdout.write(f"  {result['message']}")
        for unit in result.get("units") or []:
            declared = "-" if unit["declared"] is None else unit["declared"]
            self.stdout.write(
                f"  {unit['code']} {unit['name']}: daftar {unit['listed']}, B.2-KWK {declared}"
            )

    def _summary(self, pair: Pair, round: int, name: str, by) -> SupportSummary:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"Berkas tidak ditemukan: {path}")
        with path.open("rb") as fh:
            summary = summary_submit(
                pair=pair, round=round, file=fh, original_name=path.name, by=by
            )
        if summary.status != SupportSummary.Status.DONE:
            raise CommandError(f"Formulir B.2-KWK tidak dapat dibaca: {summary.failure}")
        return summary


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError("--as-of: tulis tanggal sebagai YYYY-MM-DD.") from exc
