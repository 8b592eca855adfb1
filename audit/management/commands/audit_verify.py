"""python manage.py audit_verify [--json]: check the audit trail's hash chain; exit 1 if broken."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from audit.trail import audit_verify


class Command(BaseCommand):
    help = "Periksa rantai hash jejak audit dan sebut mata rantai pertama yang rusak."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json: bool = False, **opts):
        result = audit_verify()
        if json:
            self.stdout.write(_dumps(result))
        elif result["ok"]:
            self.stdout.write(f"Jejak audit utuh: {result['events']} peristiwa.")
        else:
            self.stdout.write(
                f"Jejak audit rusak mulai peristiwa #{result['first_broken']} ({result['why']})."
            )
        if not result["ok"]:
            sys.exit(1)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
