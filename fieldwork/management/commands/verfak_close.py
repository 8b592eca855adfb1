"""python manage.py verfak_close --pair ID [--as-of YYYY-MM-DD] [--user U] --json: close every
level of the pair's open factual verification, as the KPU does when its window has ended."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fieldwork.closing import stage_close_all
from fieldwork.management.commands._common import date_arg, dumps, pair_get, user_get
from fieldwork.models import Stage


class Command(BaseCommand):
    help = "Tutup verifikasi faktual yang berlangsung di semua tingkat (setelah masanya berakhir)."

    def add_arguments(self, parser):
        parser.add_argument("--pair", type=int, required=True, help="id bakal pasangan calon")
        parser.add_argument("--as-of", type=date_arg, default=None, help="tanggal penutupan")
        parser.add_argument("--user", help="pengguna KPU yang menutup (dicatat)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, pair: int, as_of, json: bool, **opts):
        obj = pair_get(pair)
        stage = Stage.objects.filter(pair=obj, status=Stage.Status.OPEN).first()
        if stage is None:
            raise CommandError("Tidak ada verifikasi faktual yang sedang berlangsung.")
        try:
            counts = stage_close_all(stage=stage, as_of=as_of, by=user_get(opts.get("user")))
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
