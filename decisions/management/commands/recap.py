"""python manage.py recap --pair ID [--round N] --json: where the pair stands after its latest
stage (the standing at the top; the administrative recap and each factual verification beside
it). With --round: that round's administrative recap, held against the standing its
verification left."""

from __future__ import annotations

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from candidates.models import Pair
from decisions.standing import standing_report
from verification.recap import recap_compute


class Command(BaseCommand):
    help = "Rekapitulasi dukungan satu bakal pasangan calon setelah tahap terakhir."

    def add_arguments(self, parser):
        parser.add_argument("--pair", type=int, required=True)
        parser.add_argument("--round", type=int, default=None, help="tahap (default: kumulatif)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, pair: int, round: int | None, json: bool, **opts):
        obj = Pair.objects.select_related("election").filter(pk=pair).first()
        if obj is None:
            raise CommandError(f"Bakal pasangan calon {pair} tidak ditemukan.")
        # A round asks for that round's administrative recap; no round: the whole standing.
        recap = (
            recap_compute(pair=obj, round=round) if round is not None else standing_report(pair=obj)
        )
        if json:
            self.stdout.write(_dumps(recap))
            return
        admin = recap if round is not None else recap["administrative"]
        if recap["meets_threshold"] is None:  # not verified yet
            self.stdout.write(f"{obj.name}: {recap['status_label'] or 'belum diverifikasi'}")
            return
        self.stdout.write(
            f"{obj.name}: verifikasi administrasi MS {admin['MS']}, BMS {admin['BMS']}, "
            f"TMS {admin['TMS']}; MS yang dihitung {(recap.get('standing') or recap)['MS']}; "
            f"syarat {recap['threshold']} "
            f"({'terpenuhi' if recap['meets_threshold'] else 'belum'}); "
            f"sebaran {recap['spread']['achieved']}/{recap['spread']['required']}; "
            f"kekurangan {recap['shortfall']}, perbaikan wajib {recap['repair_required']}; "
            f"{recap['status_label']}"
        )


def _dumps(value) -> str:
    return jsonlib.dumps(value, ensure_ascii=False, default=str)
