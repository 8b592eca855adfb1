"""The daily deadlines: stages closing in two days, supporters to bring in (with the last day).
Started each morning by deploy/systemd/pilkada-notify.timer; running it twice tells nobody
twice (each notification is keyed by its event and user)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.events import daily


class Command(BaseCommand):
    help = "Notifikasi harian: tahap yang ditutup dua hari lagi, pendukung yang dapat dihadirkan."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="hari yang dihitung (YYYY-MM-DD), bawaan: hari ini")

    def handle(self, *args, **options) -> None:
        today = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        self.stdout.write(json.dumps({"date": today.isoformat(), **daily(today=today)}))
