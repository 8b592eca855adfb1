"""python manage.py verfak_close --pair ID [--as-of YYYY-MM-DD] [--user U] [--preview |
--confirm N] --json: close every level of the pair's open factual verification, as the KPU does
when its window has ended; N, the supporters turned TMS without a visit, must be confirmed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fieldwork.management.commands._common import date_arg, dumps, pair_get
from fieldwork.models import Stage
from fieldwork.services import stage_close_all, stage_close_preview
from files.commands import command_user


class Command(BaseCommand):
    help = "Tutup verifikasi faktual yang berlangsung di semua tingkat (setelah masanya berakhir)."

    def add_arguments(self, parser):
        parser.add_argument("--pair", type=int, required=True, help="id bakal pasangan calon")
        parser.add_argument("--as-of", type=date_arg, default=None, help="tanggal penutupan")
        parser.add_argument("--user", help="pengguna KPU yang menutup (dicatat)")
        parser.add_argument(
            "--confirm",
            type=int,
            default=None,
            help="jumlah pendukung yang menjadi TMS tanpa didatangi (dari --preview): wajib "
            "bila ada",
        )
        parser.add_argument(
            "--preview",
            action="store_true",
            help="hanya tampilkan berapa pendukung yang akan menjadi TMS, tanpa menutup",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, pair: int, as_of, json: bool, **opts):
        obj = pair_get(pair)
        stage = Stage.objects.filter(pair=obj, status=Stage.Status.OPEN).first()
        if stage is None:
            raise CommandError("Tidak ada verifikasi faktual yang sedang berlangsung.")
        if opts.get("preview"):
            preview = stage_close_preview(stage=stage, as_of=as_of)
            self.stdout.write(dumps({"stage": stage.number, **preview}) if json else str(preview))
            return
        try:
            counts = stage_close_all(
                stage=stage, as_of=as_of, by=command_user(opts.get("user")), confirm=opts["confirm"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        result = {
            "stage": stage.number,
            "MS": counts["MS"],
            "TMS": counts["TMS"],
            "pending": counts["PENDING"],
            "total": counts["total"],
            "by_outcome": {k or "BELUM": v for k, v in counts["by_finding"].items()},
        }
        if json:
            self.stdout.write(dumps(result))
        else:
            self.stdout.write(
                f"Verifikasi faktual {stage.number} ditutup: MS {counts['MS']}, "
                f"TMS {counts['TMS']} dari {counts['total']} pendukung"
            )
