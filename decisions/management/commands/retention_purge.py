"""python manage.py retention_purge [--dry-run] [--json]: delete the upload files of elections
decided longer ago than RETENTION_DAYS_AFTER_DECISION (run it daily, e.g. from cron)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from decisions.retention import retention_purge


class Command(BaseCommand):
    help = "Hapus berkas unggahan pemilihan yang keputusannya sudah melewati masa simpan."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="hitung saja, jangan hapus")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, dry_run: bool = False, json: bool = False, **opts):
        result = retention_purge(dry_run=dry_run)
        if json:
            self.stdout.write(_dumps(result))
            return
        verb = "akan dihapus" if dry_run else "dihapus"
        total = sum(result["files"].values())
        self.stdout.write(f"{total} berkas {verb} dari {len(result['elections'])} pemilihan.")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
