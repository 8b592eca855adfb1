from __future__ import annotations

import argparse
import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from candidates.elections import election_threshold
from candidates.kinds import KINDS
from candidates.models import Election
from candidates.services import election_create


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Tanggal {value!r} tidak dikenali: gunakan format YYYY-MM-DD.") from exc


def _command_message(exc: ValidationError) -> str:
    """The service's messages, each level mismatch with the option that fixes it."""
    parts = []
    for error in exc.error_list:
        text = " ".join(error.messages)
        if error.code == "level_mismatch" and error.params:
            text += " " + _("Gunakan --level %(level)s.") % {"level": error.params["level"]}
        parts.append(text)
    return " ".join(parts)


class Command(BaseCommand):
    help = "Buat (atau perbarui) pemilihan dan cetak syarat minimal dukungan dan sebarannya."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--region", required=True, help="kode wilayah, mis. 31 atau 31.71")
        parser.add_argument("--level", required=True, choices=list(KINDS))
        parser.add_argument("--dpt", required=True, type=int, help="jumlah DPT pemilihan terakhir")
        parser.add_argument("--voting-day", required=True, type=_date)
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--rule-set", default=Election.RuleSet.RULES_2024, choices=Election.RuleSet.values
        )
        parser.add_argument(
            "--submission-start", type=_date, help="hari pertama penyerahan dukungan awal"
        )
        parser.add_argument(
            "--submission-end", type=_date, help="hari terakhir penyerahan dukungan awal"
        )
        parser.add_argument(
            "--submission-check",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="penelitian jumlah minimal dukungan dan persebaran sebelum verifikasi "
            "(default: ya untuk pemilihan baru)",
        )
        parser.add_argument(
            "--registry-confirmation",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="NIK yang tidak ada di DPT: BMS sampai dikonfirmasi Dukcapil "
            "(registry_export, registry_import)",
        )
        parser.add_argument(
            "--reason",
            default="",
            help="alasan mengubah DPT, jenis, aturan atau pengaturan lain pemilihan yang sudah "
            "ada (tercatat di jejak audit; ditolak setelah verifikasi)",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        try:
            election = election_create(
                slug=opts["slug"],
                region_code=opts["region"],
                level=opts["level"],
                dpt=opts["dpt"],
                voting_day=opts["voting_day"],
                name=opts["name"],
                rule_set=opts["rule_set"],
                submission_start=opts["submission_start"],
                submission_end=opts["submission_end"],
                submission_check=opts["submission_check"],
                registry_confirmation=opts["registry_confirmation"],
                reason=opts["reason"],
            )
        except ValidationError as exc:
            raise CommandError(_command_message(exc)) from exc
        t = election_threshold(election)
        out = {
            "id": election.pk,
            "slug": election.slug,
            "percent": t.percent,
            "threshold": t.threshold,
            "spread_required": t.spread_required,
            "spread_units": t.spread_units,
            "submission_check": election.submission_check,
            "registry_confirmation": election.registry_confirmation,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(out))
        else:
            self.stdout.write(
                f"{election.name}: minimal {t.threshold:,} dukungan ({t.percent}% dari DPT), "
                f"tersebar di {t.spread_required} dari {t.spread_units} wilayah."
            )
