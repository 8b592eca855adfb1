"""python manage.py minutes --pair ID --stage vermin|verfak|decision [--round N] --out FILE
[--area CODE] [--date YYYY-MM-DD] [--place TEXT] [--number TEXT] [--present "Nama;Jabatan;kpu"]
[--user USERNAME] --json

Issues the Berita Acara of a stage as PDF and writes it to FILE. --json prints
{"sha256", "code", "id", "stage", "round", "area", "number", "url"}: the SHA-256 of the issued
PDF (which cannot be printed inside the PDF itself) and the code its QR code points to.
"""

from __future__ import annotations

import datetime as dt
import json as jsonlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from candidates.models import Pair
from documents.models import Minutes
from documents.render import verify_url
from documents.services import Meeting, Person, minutes_issue, minutes_pdf_read
from fieldwork.models import Stage
from verification.models import VerificationRun


class Command(BaseCommand):
    help = "Terbitkan berita acara satu tahap sebagai PDF."

    def add_arguments(self, parser):
        parser.add_argument("--pair", type=int, required=True)
        parser.add_argument("--stage", required=True, choices=[s.value for s in Minutes.Stage])
        parser.add_argument(
            "--round",
            type=int,
            default=None,
            help="vermin: tahap administrasi (0, 1, 2); verfak: tahap ke- (1, 2). "
            "Default: yang terakhir",
        )
        parser.add_argument(
            "--area", default=None, help="kode wilayah (default: wilayah pemilihan)"
        )
        parser.add_argument("--out", required=True, help="berkas PDF yang ditulis")
        parser.add_argument("--date", default=None, help="tanggal rapat pleno (YYYY-MM-DD)")
        parser.add_argument("--place", default="Kantor KPU", help="tempat rapat pleno")
        parser.add_argument("--number", default="", help="nomor berita acara")
        parser.add_argument(
            "--present",
            action="append",
            default=[],
            help='yang hadir: "Nama;Jabatan;kpu|bawaslu|lo" (boleh berulang)',
        )
        parser.add_argument("--user", default=None, help="nama pengguna KPU yang menerbitkan")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, pair: int, stage: str, round: int | None, out: str, **opts):
        obj = Pair.objects.select_related("election__region").filter(pk=pair).first()
        if obj is None:
            raise CommandError(f"Bakal pasangan calon {pair} tidak ditemukan.")
        if round is None:
            round = _latest_round(obj, stage)
        try:
            day = dt.date.fromisoformat(opts["date"]) if opts["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--date: tulis YYYY-MM-DD.") from exc
        by = None
        if opts["user"]:
            by = get_user_model().objects.filter(username=opts["user"]).first()
            if by is None:
                raise CommandError(f"Pengguna {opts['user']} tidak ditemukan.")
        try:
            minutes = minutes_issue(
                pair=obj,
                stage=stage,
                round=round,
                area=opts["area"],
                meeting=Meeting(
                    date=day,
                    place=opts["place"],
                    number=opts["number"],
                    present=[_person(text) for text in opts["present"]],
                ),
                by=by,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        Path(out).write_bytes(minutes_pdf_read(minutes))
        result = {
            "sha256": minutes.sha256,
            "code": minutes.code,
            "id": minutes.pk,
            "stage": minutes.stage,
            "round": minutes.round,
            "area": minutes.region_id,
            "number": minutes.number,
            "url": verify_url(minutes.code),
            "out": out,
        }
        if opts["json"]:
            self.stdout.write(jsonlib.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"Berita acara {minutes.number} ({minutes.get_stage_display()}): {out}\n"
            f"  kode {minutes.code}  sha256 {minutes.sha256}\n  periksa di {result['url']}"
        )


def _latest_round(pair: Pair, stage: str) -> int:
    if stage == Minutes.Stage.VERMIN:
        run = (
            VerificationRun.objects.filter(pair=pair, status=VerificationRun.Status.DONE)
            .order_by("-round")
            .first()
        )
        return run.round if run else 0
    if stage == Minutes.Stage.VERFAK:
        latest = Stage.objects.filter(pair=pair).order_by("-number").first()
        return latest.number if latest else 1
    return 0


def _person(text: str) -> Person:
    name, role, group = ([*text.split(";"), "", ""])[:3]
    return Person(name=name.strip(), role=role.strip(), group=group.strip().lower() or "kpu")
