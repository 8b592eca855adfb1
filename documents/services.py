"""Issuing minutes (Berita Acara) and checking a presented PDF against them.

`minutes_issue` computes the figures of the stage and level (documents.figures), renders the
PDF (documents.render), keeps its bytes encrypted at rest with their SHA-256 (an Upload:
files.uploads) and records who issued it (audit trail). The SHA-256 cannot be inside the
bytes it hashes: the PDF carries its code and a QR code to /berita-acara/<code>/, and the
SHA-256 of the issued PDF is kept here, shown on that public page and printed by
`minutes --json`. `minutes_verify` answers whether a presented PDF is the one issued under a
code: the same SHA-256, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import audit_checkpoint, audit_record
from candidates.models import Pair
from documents import submission
from documents.figures import LEVEL_NAMES, figures_compute
from documents.models import Minutes, MinutesPdf
from documents.render import date_long, date_short, issuer_name, issuer_title, minutes_pdf
from electorate.areas import code_depth
from electorate.models import Region
from files.text import bidi_strip
from files.uploads import upload_keep, upload_open

# No 0/O, 1/I/L: a code read off paper and typed in must not be ambiguous. 12 of 31 symbols
# are 59 bits: no one finds an issued code by trying.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
GROUPS = ("kpu", "bawaslu", "lo")
DIGIT_RUN = re.compile(r"\d[\d\s.\-_]{9,}\d")  # a NIK (or any long number) typed in by mistake

TITLES = {
    Minutes.Stage.PENELITIAN: submission.TITLE,
    Minutes.Stage.VERMIN: "REKAPITULASI HASIL VERIFIKASI ADMINISTRASI DUKUNGAN "
    "BAKAL PASANGAN CALON PERSEORANGAN",
    Minutes.Stage.VERFAK: "REKAPITULASI HASIL VERIFIKASI FAKTUAL DUKUNGAN "
    "BAKAL PASANGAN CALON PERSEORANGAN",
    Minutes.Stage.DECISION: "PENETAPAN HASIL VERIFIKASI DUKUNGAN BAKAL PASANGAN CALON PERSEORANGAN",
}
PURPOSES = {
    Minutes.Stage.PENELITIAN: submission.PURPOSE,
    Minutes.Stage.VERMIN: "rekapitulasi hasil verifikasi administrasi dukungan",
    Minutes.Stage.VERFAK: "rekapitulasi hasil verifikasi faktual dukungan",
    Minutes.Stage.DECISION: "penetapan hasil verifikasi dukungan",
}
MODEL_CODES = {Minutes.Stage.VERMIN: "BA.VERMIN.DUKUNGAN.KWK"}


@dataclass(frozen=True)
class Person:
    """Someone present who signs: a name and a role (Ketua, Anggota, Bawaslu Provinsi, LO)."""

    name: str
    role: str
    group: str  # kpu, bawaslu, lo


@dataclass(frozen=True)
class Meeting:
    """The plenary meeting the minutes record: typed by the KPU."""

    date: dt.date
    place: str
    number: str = ""
    present: list[Person] = field(default_factory=list)


def code_make() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_normalise(text: str) -> str:
    """What someone typed or scanned -> XXXX-XXXX-XXXX ('' when it cannot be a code)."""
    raw = "".join(ch for ch in str(text).upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in ALPHABET for ch in raw):
        return ""
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def present_check(people: list[Person]) -> list[dict]:
    """Names and roles as typed, checked: never a number that could be a NIK."""
    out = []
    for person in people:
        # Printed as typed, but never reversed by a bidirectional control (files.text).
        name, role = (" ".join(bidi_strip(text).split()) for text in (person.name, person.role))
        if person.group not in GROUPS:
            raise ValidationError(_("Unsur kehadiran tidak dikenal: %(g)s.") % {"g": person.group})
        if not name or len(name) > 120 or len(role) > 120:
            raise ValidationError(
                _("Tulis nama (dan jabatan) yang hadir, masing-masing paling banyak 120 huruf.")
            )
        if DIGIT_RUN.search(name) or DIGIT_RUN.search(role):
            raise ValidationError(
                _("Nama dan jabatan yang hadir tidak boleh memuat NIK atau nomor panjang.")
            )
        out.append({"name": name, "role": role, "group": person.group})
    return out


def _number_default(area: str, day: dt.date) -> str:
    """N/BA/<area>/<year>: one counter per issuing office (the KPU of `area`) and year of the
    minutes' date, whatever the election or the day they are issued on."""
    issued = Minutes.objects.filter(region_id=area, meeting_date__year=day.year).count() + 1
    return f"{issued}/BA/{area.replace('.', '')}/{day.year}"


def _context(
    *, pair: Pair, stage: str, figures: dict, meeting: Meeting, present: list[dict], code: str
) -> dict[str, Any]:
    area = figures["area"]
    level = area["level"]
    election = pair.election
    return {
        "code": code,
        "f": figures,
        "number": meeting.number,
        "title": TITLES[Minutes.Stage(stage)],
        "subtitle": figures["round_label"],
        "model_code": MODEL_CODES.get(Minutes.Stage(stage), ""),
        "election_name": election.name,
        "election_region": election.region.name,
        "pair_name": pair.name,
        "issuer": issuer_name(area["name"], level),
        "issuer_title": issuer_title(area["name"], level),
        "level_label": LEVEL_NAMES[level],
        "meeting_purpose": PURPOSES[Minutes.Stage(stage)],
        "meeting_date": meeting.date,
        "date_long": date_long(meeting.date),
        "date_short": date_short(meeting.date),
        "place": " ".join(meeting.place.split()),
        "kpu": [p for p in present if p["group"] == "kpu"],
        "witnesses": [p for p in present if p["group"] != "kpu"],
    }


def minutes_issue(
    *,
    pair: Pair,
    stage: str,
    round: int = 0,
    area: str | None = None,
    meeting: Meeting,
    by: Any = None,
) -> Minutes:
    """Issue the minutes of `stage` ("vermin" round N, "verfak" stage N, "decision") for
    `area` (default: the election's region): figures, PDF, kept bytes, audit event. Raises
    ValidationError (Indonesian) when the stage has nothing final to minute, or the meeting's
    details are not acceptable."""
    area = area or pair.election.region_id
    if stage in (Minutes.Stage.DECISION, Minutes.Stage.PENELITIAN):
        round = 0
    if not " ".join(meeting.place.split()):
        raise ValidationError(_("Tulis tempat rapat pleno."))
    present = present_check(meeting.present)
    figures = figures_compute(pair=pair, stage=stage, round=round, area=area)
    # The audit trail's heads as they stand, printed and kept: the paper anchors the trail.
    audit = audit_checkpoint(area=area, actor=by, purpose=f"minutes:{stage}:{round}")
    figures = {**figures, "audit": audit}
    number = " ".join(bidi_strip(meeting.number).split())
    number = number or _number_default(area, meeting.date)
    meeting = Meeting(date=meeting.date, place=bidi_strip(meeting.place), number=number[:100])
    for _attempt in range(5):
        code = code_make()
        if not Minutes.objects.filter(code=code).exists():
            break
    context = _context(
        pair=pair, stage=stage, figures=figures, meeting=meeting, present=present, code=code
    )
    pdf = minutes_pdf(context=context)
    kept, _created = upload_keep(
        MinutesPdf,
        file=io.BytesIO(pdf),
        original_name=f"berita-acara-{stage}-{code}.pdf",
        uploaded_by=by,
        scope={},
        fields={"status": MinutesPdf.Status.DONE, "finished_at": timezone.now()},
    )
    try:
        with transaction.atomic():
            minutes = Minutes.objects.create(
                code=code,
                pair=pair,
                stage=stage,
                round=round,
                region=Region.objects.get(code=area),
                number=meeting.number,
                meeting_date=meeting.date,
                meeting_place=" ".join(meeting.place.split())[:200],
                present=present,
                figures=figures,
                sha256=kept.sha256,
                pdf=kept,
                issued_by=by,
            )
            audit_record("minutes.issued", actor=by, area=area, target=minutes,
                         data={"code": code, "sha256": kept.sha256, "stage": stage,
                               "round": round, "number": minutes.number,
                               "audit_head": [audit["main_seq"], audit["main_head"]]})  # fmt: skip
    except IntegrityError as exc:  # a code drawn twice in the same instant: say so, never merge
        raise ValidationError(_("Penerbitan bertabrakan; ulangi sekali lagi.")) from exc
    return minutes


def minutes_pdf_read(minutes: Minutes) -> bytes:
    """The issued PDF's bytes (decrypted; a few hundred KB at most)."""
    with upload_open(minutes.pdf) as fh:
        return fh.read()


def minutes_download(*, minutes: Minutes, by: Any) -> bytes:
    """The PDF for a KPU or Bawaslu reader; every download is an audit event."""
    body = minutes_pdf_read(minutes)
    audit_record("minutes.downloaded", actor=by, area=minutes.region_id, target=minutes,
                 data={"code": minutes.code, "sha256": minutes.sha256})  # fmt: skip
    return body


@dataclass(frozen=True)
class Verdict:
    genuine: bool
    sha256: str  # of the presented file
    is_pdf: bool


def minutes_verify(*, minutes: Minutes, file: IO[bytes]) -> Verdict:
    """Is the presented file the PDF issued under this code? Byte for byte: its SHA-256 equals
    the issued one. One byte changed, another (even genuine) minutes, or not a PDF: no."""
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    digest = hashlib.sha256()
    while block := file.read(1 << 16):
        digest.update(block)
    sha256 = digest.hexdigest()
    return Verdict(
        genuine=secrets.compare_digest(sha256, minutes.sha256),
        sha256=sha256,
        is_pdf=head == b"%PDF-",
    )


def level_of(minutes: Minutes) -> str:
    return LEVEL_NAMES[code_depth(minutes.region_id)]
