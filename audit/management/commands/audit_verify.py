"""python manage.py audit_verify [--json] [--anchors FILE ...] [--head CHAIN:SEQ:HEX ...]

Check the audit trail: every link's keyed hash, every chain's positions, the heads its
checkpoints recorded, the anchor files (AUDIT_ANCHOR_FILE, plus the other machines' files
given with --anchors) and heads read off a Berita Acara (--head utama:1234:3f9a1c0b7d2e4a55).
Exit 1 if anything does not hold."""

from __future__ import annotations

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.trail import MAIN_NAME, audit_verify, head_parse

WHY = {
    "seq": "urutan dalam rantainya terputus (peristiwa disisipkan atau dihapus)",
    "prev_hash": "tidak menyambung ke peristiwa sebelumnya dalam rantainya",
    "key": "dibuat dengan kunci audit yang tidak ada di AUDIT_KEYS",
    "hash": "isinya tidak cocok dengan hash berkuncinya (diubah, atau di-hash tanpa kunci)",
    "head": "tidak memuat kepala rantai yang tercatat (titik periksa atau berita acara)",
    "anchor": "tidak memuat kepala rantai yang tercatat di berkas jangkar",
}


class Command(BaseCommand):
    help = "Periksa rantai jejak audit berkunci terhadap jangkarnya; sebut yang rusak."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--anchors",
            action="append",
            default=[],
            metavar="FILE",
            help="berkas jangkar lain (mesin lain); AUDIT_ANCHOR_FILE selalu dibaca",
        )
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="RANTAI:NOMOR:HEX",
            help=f"kepala rantai dari berita acara, mis. {MAIN_NAME}:1234:3f9a1c0b7d2e4a55",
        )

    def handle(self, *args, json: bool = False, anchors=(), head=(), **opts):
        for text in head:
            try:
                head_parse(text)
            except ValueError as exc:
                raise CommandError(
                    f"--head {text!r}: tulis RANTAI:NOMOR:HEX, mis. {MAIN_NAME}:1234:3f9a1c0b"
                ) from exc
        files = [f for f in [settings.AUDIT_ANCHOR_FILE, *anchors] if f]
        result = audit_verify(anchor_files=files, heads=list(head))
        if json:
            self.stdout.write(_dumps(result))
        elif result["ok"]:
            self.stdout.write(
                f"Jejak audit utuh: {result['events']} peristiwa dalam {result['chains']} "
                f"rantai; {result['anchors']['lines']} jangkar dari "
                f"{len(result['anchors']['files'])} berkas cocok."
            )
        else:
            self.stdout.write(_message(result))
        if not result["ok"]:
            sys.exit(1)


def _message(result: dict) -> str:
    why = WHY.get(result["why"], result["why"])
    anchor = result.get("anchor")
    if anchor and result["first_broken"] is None:
        chain = anchor["chain"] or MAIN_NAME
        return (
            f"Jejak audit rusak: rantai {chain} tercatat sampai nomor {anchor['seq']} "
            f"({anchor['source']}), di basis data hanya sampai {anchor['found']}: peristiwa "
            "atau rantai dihapus."
        )
    return f"Jejak audit rusak mulai peristiwa #{result['first_broken']}: {why}."


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
