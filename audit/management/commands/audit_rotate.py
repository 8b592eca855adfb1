"""python manage.py audit_rotate [--json]: after a new key went first in AUDIT_KEYS, link every
chain once under it (docs/deployment.md: rotating keys)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from audit.trail import audit_rotate


class Command(BaseCommand):
    help = "Sambungkan setiap rantai jejak audit dengan kunci audit terbaru."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        result = audit_rotate()
        if opts["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(
                f"{result['chains']} rantai disambung dengan kunci {result['key_id']}."
            )
