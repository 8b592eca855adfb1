"""python manage.py verfak_start --pair ID [--round N] [--opens YYYY-MM-DD] [--user U] --json"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fieldwork.management.commands._common import date_arg, dumps, pair_get
from fieldwork.models import Task
from fieldwork.services import stage_start
from files.commands import command_user


class Command(BaseCommand):
    help = "Mulai verifikasi faktual: daftar kerja PPS dari hasil verifikasi administrasi."

    def add_arguments(self, parser):
        parser.add_argument("--pair", type=int, required=True, help="id bakal pasangan calon")
        parser.add_argument("--round", type=int, default=None, help="tahap verifikasi administrasi")
        parser.add_argument(
            "--opens", type=date_arg, default=None, help="hari pertama (YYYY-MM-DD)"
        )
        parser.add_argument("--user", help="pengguna KPU yang memulai (dicatat)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, pair: int, round, opens, json: bool, **opts):
        obj = pair_get(pair)
        try:
            stage = stage_start(
                pair=obj, round=round, opens=opens, by=command_user(opts.get("user"))
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        kelurahan = Task.objects.filter(stage=stage).values("kelurahan_code").distinct().count()
        result = {
            "stage": stage.number,
            "round": stage.round,
            "supporters": stage.tasks_total,
            "kelurahan": kelurahan,
            "opens": stage.opens.isoformat(),
            "closes": stage.closes.isoformat(),
        }
        if json:
            self.stdout.write(dumps(result))
        else:
            self.stdout.write(
                f"Verifikasi faktual {stage.number}: {stage.tasks_total} pendukung di "
                f"{kelurahan} kelurahan, {stage.opens:%d-%m-%Y} s.d. {stage.closes:%d-%m-%Y}"
            )
