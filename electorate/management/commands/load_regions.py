from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from electorate.regions import regions_load


class Command(BaseCommand):
    help = "Muat pohon wilayah Kemendagri (provinsi, kab/kota, kecamatan, kelurahan/desa)."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="kode provinsi, mis. 31 untuk DKI Jakarta")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, province=None, **opts):
        counts = regions_load(province=province)
        if opts["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            for label, n in counts.items():
                self.stdout.write(f"{label}: {n}")
