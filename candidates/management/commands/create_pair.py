from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from candidates.models import Election
from candidates.services import pair_create


class Command(BaseCommand):
    help = "Daftarkan bakal pasangan calon perseorangan pada sebuah pemilihan."

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="slug pemilihan")
        parser.add_argument("--name", required=True, help="nama pasangan, mis. 'A - B'")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        election = Election.objects.filter(slug=opts["election"]).first()
        if election is None:
            raise CommandError(f"Pemilihan {opts['election']!r} tidak ditemukan.")
        pair = pair_create(election=election, name=opts["name"])
        if opts["json"]:
            self.stdout.write(
                json.dumps({"id": pair.pk, "name": pair.name, "election": election.slug})
            )
        else:
            self.stdout.write(f"Pasangan {pair.name} terdaftar dengan id {pair.pk}.")
