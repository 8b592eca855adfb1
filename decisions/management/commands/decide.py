"""python manage.py decide --pair ID [--user U] --json: the KPU's decision from the final counts."""

from __future__ import annotations

import json as jsonlib

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from candidates.models import Pair
from decisions.services import decision_record
from files.commands import command_user


class Command(BaseCommand):
    help = "Tetapkan keputusan syarat dukungan bakal pasangan calon dari hasil akhir."

    def add_arguments(self, parser):
        parser.add_argument("--pair", type=int, required=True, help="id bakal pasangan calon")
        parser.add_argument("--user", help="pengguna KPU yang menetapkan (dicatat)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, pair: int, json: bool, **opts):
        obj = Pair.objects.select_related("election").filter(pk=pair).first()
        if obj is None:
            raise CommandError(f"Bakal pasangan calon {pair} tidak ditemukan.")
        user = command_user(opts.get("user"))
        try:
            decision = decision_record(pair=obj, by=user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        final = decision.standing["final"]
        result = {
            "MS": decision.ms,
            "threshold": decision.threshold,
            "meets_threshold": final["meets_threshold"],
            "spread": final["spread"],
            "decision": decision.result,
        }
        if json:
            self.stdout.write(jsonlib.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"{obj.name}: {decision.get_result_display()} (MS {decision.ms})")
