"""python manage.py verify_admin --pair ID [--round N] [--json]: run vermin in this process."""

from __future__ import annotations

import json as jsonlib

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from candidates.models import Pair
from files.commands import command_user
from verification.derived import run_derive
from verification.engine import run_create, verification_run
from verification.services import submission_admit


class Command(BaseCommand):
    help = "Jalankan verifikasi administrasi dukungan satu bakal pasangan calon."

    def add_arguments(self, parser):
        parser.add_argument("--pair", type=int, required=True, help="id bakal pasangan calon")
        parser.add_argument(
            "--round", type=int, default=None, help="tahap: 0, 1, 2 (default: terakhir)"
        )
        parser.add_argument(
            "--user", help="nama pengguna yang menjalankan (dicatat pada verifikasi)"
        )
        parser.add_argument("--json", action="store_true", help="cetak hasil sebagai JSON")

    def handle(self, *args, pair: int, round: int | None, json: bool, **opts):
        obj = Pair.objects.select_related("election").filter(pk=pair).first()
        if obj is None:
            raise CommandError(f"Bakal pasangan calon {pair} tidak ditemukan.")
        user = command_user(opts.get("user"))
        try:
            # The count-and-spread check in force (candidates.submission: `submission_check`
            # makes one): a list returned to the team, or a pair that does not proceed, is
            # not verified.
            submission_admit(pair=obj, round=round, by=user, check=False)
            # Starts a run, or resumes the unfinished one of this pair and round.
            run = run_create(pair=obj, round=round, started_by=user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        run = verification_run(run_id=run.pk)
        if run.status == run.Status.DONE:
            run_derive(run=run)  # as the task does: the red flags, once
        result = {
            "run": run.pk,
            "pair": obj.pk,
            "round": run.round,
            "status": run.status,
            **run.counts,
        }
        if json:
            self.stdout.write(_dumps(result))
        else:
            self.stdout.write(
                f"Verifikasi #{run.pk} ({run.status}): {run.counts.get('total', 0)} pendukung, "
                f"MS {run.counts.get('MS', 0)}, BMS {run.counts.get('BMS', 0)}, "
                f"TMS {run.counts.get('TMS', 0)}"
            )
            for name, n in run.counts.get("reasons", {}).items():
                self.stdout.write(f"  {name}: {n}")


def _dumps(value) -> str:
    return jsonlib.dumps(value, ensure_ascii=False)
