"""The minutes of the count-and-spread check of a list as submitted (DOMAIN.md step 2: Berita
Acara penelitian jumlah minimal dukungan dan persebaran), and the repair minimum a repair
round's administrative minutes state (DOMAIN.md step 4).

The figures are the check in force as recorded (candidates.models.SubmissionCheck): what the
team was told, not a recount; `submission_check --json` prints the same. The minutes list, per
kab/kota or kecamatan, the supporters the team's form B.2-KWK declared beside those its list
holds, and hold the list's count against the threshold and the spread; their result is the
check's (memenuhi, dikembalikan with the deadline, tidak dapat melanjutkan).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.check_text import check_message
from candidates.models import Pair, Round, SubmissionCheck
from candidates.submission import check_latest

STAGE = "penelitian"
TITLE = "PENELITIAN JUMLAH MINIMAL DUKUNGAN DAN PERSEBARAN BAKAL PASANGAN CALON PERSEORANGAN"
PURPOSE = "penelitian jumlah minimal dukungan dan persebaran"

RESULT_LABELS = {
    SubmissionCheck.Status.MEMENUHI: "Memenuhi jumlah minimal dukungan dan persebaran: "
    "dilanjutkan ke verifikasi administrasi",
    SubmissionCheck.Status.DIKEMBALIKAN: "Belum memenuhi: dikembalikan untuk dilengkapi",
    SubmissionCheck.Status.TIDAK_LANJUT: "Tidak memenuhi: tidak dapat melanjutkan ke tahap "
    "verifikasi",
}


def _day(iso: str | None) -> str:
    return date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso else ""


def penelitian_figures(*, pair: Pair, top: bool) -> dict:
    """What the minutes of the check print (the election's level only)."""
    if not top:
        raise ValidationError(
            _("Berita acara penelitian diterbitkan pada tingkat wilayah pemilihan saja.")
        )
    check = check_latest(pair=pair, round=Round.INITIAL)
    if check is None:
        raise ValidationError(
            _(
                "Belum ada penelitian jumlah minimal dukungan dan persebaran untuk pasangan "
                "ini: lakukan penelitian dulu (halaman unggah, atau submission_check)."
            )
        )
    f = check.figures
    declared = f.get("summary") is not None
    rows = [
        {
            "code": u["code"],
            "name": u["name"],
            "counts": [u["declared"] or 0, u["listed"], u["difference"] or 0],
        }
        for u in f["units"]
    ]
    total = [sum(r["counts"][i] for r in rows) for i in range(3)]
    spread = f["spread"]
    level = "kabupaten/kota" if f["unit_level"] == "kabkota" else "kecamatan"
    names = {u["code"]: u["name"] for u in f["units"]}
    return {
        "round_label": str(Round.INITIAL.label),
        "check_id": check.pk,
        "as_of": check.as_of.isoformat(),
        "columns": [_("Menurut B.2-KWK"), _("Menurut daftar B.1-KWK"), _("Selisih")],
        "totals": [
            {"key": "rows", "label": _("Baris daftar dukungan yang diterima"), "n": f["rows"]},
            {
                "key": "duplicates",
                "label": _("Baris dengan NIK yang sudah tercantum (dihitung sekali)"),
                "n": f["duplicates"],
            },
            {
                "key": "outside",
                "label": _("Dukungan dengan kelurahan di luar wilayah pemilihan"),
                "n": f["outside"],
            },
            {
                "key": "rejected",
                "label": _("Baris yang ditolak saat unggah (tidak dihitung)"),
                "n": f["rejected"],
            },
            {"key": "total", "label": _("Dukungan yang dihitung"), "n": f["counted"]},
        ],
        "breakdown": [],
        "rows": rows,
        "row_total": total,
        "held": None,
        "result": check.status,
        "result_label": RESULT_LABELS[SubmissionCheck.Status(check.status)],
        "check": {
            "threshold": f["threshold"],
            "counted": f["counted"],
            "shortfall": f["shortfall"],
            "spread_level": level,
            "spread_units": spread["units"],
            "spread_required": spread["required"],
            "spread_achieved": spread["achieved"],
            "spread_shortfall": spread["shortfall"],
            "missing": [names.get(code, code) for code in spread["missing"]],
            "declared": declared,
            "declared_total": f.get("declared_total"),
            "differences": [names.get(code, code) for code in f.get("differences") or []],
            "window_closes": _day((f.get("window") or {}).get("closes")),
            "deadline": date_format(check.deadline, "SHORT_DATE_FORMAT") if check.deadline else "",
            "message": check_message(check),
        },
    }


def repair_minimum_figures(*, pair: Pair, round: int) -> dict:
    """For a repair round's administrative minutes: the repair it owed and what it held, as
    checked when it was submitted ({} for the initial round or a round never checked)."""
    if round == Round.INITIAL:
        return {}
    check = check_latest(pair=pair, round=round)
    if check is None:
        return {}
    f = check.figures
    owed = f["owed"]
    return {
        "repair_minimum": {
            "required": owed["repair_required"],
            "counted": f["counted"],
            "shortfall": f["shortfall"],
            "spread_shortfall": owed["spread_shortfall"],
            "covered": min(len(f["covered"]), owed["spread_shortfall"]),
            "spread_left": f["spread_left"],
            "spread_level": "kabupaten/kota" if f["unit_level"] == "kabkota" else "kecamatan",
            "status": check.status,
            "status_label": str(SubmissionCheck.Status(check.status).label),
            "message": check_message(check),
        }
    }
