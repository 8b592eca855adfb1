"""What the team and the KPU are told of a count-and-spread check (candidates.submission): one
paragraph in Indonesian, and the check as the commands and the API print it."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from candidates.models import Round, SubmissionCheck
from candidates.spread import level_label

Status = SubmissionCheck.Status


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)  # 618.968, as Indonesians write it


def _day(value: dt.date | str | None) -> str:
    """A date (or its ISO text, as the figures keep it) as the id locale writes it short."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return date_format(day, "SHORT_DATE_FORMAT")


def check_message(check: SubmissionCheck) -> str:
    """One paragraph in Indonesian: the figures, what they mean, what to do by when."""
    f = check.figures
    if check.round == Round.INITIAL:
        return _initial_message(check, f)
    return _repair_message(check, f)


def _initial_message(check: SubmissionCheck, f: dict) -> str:
    spread = f["spread"]
    level = level_label(f["unit_level"])
    figures = _(
        "Daftar dukungan yang diserahkan memuat %(counted)s dukungan (syarat minimal "
        "%(threshold)s), tersebar di %(achieved)s dari %(units)s %(level)s (syarat: "
        "%(required)s)."
    ) % {
        "counted": _n(f["counted"]),
        "threshold": _n(f["threshold"]),
        "achieved": spread["achieved"],
        "units": spread["units"],
        "level": level,
        "required": spread["required"],
    }
    parts = [figures]
    if f["shortfall"]:
        parts.append(_("Kurang %(n)s dukungan.") % {"n": _n(f["shortfall"])})
    if spread["shortfall"]:
        parts.append(
            _("Kurang sebaran di %(n)s %(level)s lagi.")
            % {"n": spread["shortfall"], "level": level}
        )
    if f.get("summary") is None:
        parts.append(_("Formulir B.2-KWK belum diserahkan."))
    elif f["differences"]:
        parts.append(
            _("Jumlah menurut B.2-KWK berbeda dengan daftar di %(n)s %(level)s.")
            % {"n": len(f["differences"]), "level": level}
        )
    if check.status == Status.MEMENUHI:
        parts.append(_("Memenuhi: dilanjutkan ke verifikasi administrasi."))
    elif check.status == Status.DIKEMBALIKAN:
        if check.deadline:
            parts.append(
                _(
                    "Dikembalikan untuk dilengkapi paling lambat %(day)s (akhir masa "
                    "penyerahan); setelah itu tidak dapat diperbaiki lagi."
                )
                % {"day": _day(check.deadline)}
            )
        else:
            parts.append(_("Dikembalikan untuk dilengkapi dalam masa penyerahan."))
    else:
        parts.append(
            _(
                "Masa penyerahan berakhir %(day)s dan daftar masih kurang: bakal pasangan calon "
                "tidak dapat melanjutkan ke tahap verifikasi."
            )
            % {"day": _day((f.get("window") or {}).get("closes"))}
        )
    return " ".join(parts)


def _repair_message(check: SubmissionCheck, f: dict) -> str:
    owed = f["owed"]
    level = level_label(f["unit_level"])
    parts = [
        _("%(round)s memuat %(counted)s dukungan; kewajiban perbaikan paling sedikit %(required)s.")
        % {
            "round": Round(check.round).label,
            "counted": _n(f["counted"]),
            "required": _n(owed["repair_required"]),
        }
    ]
    if owed["spread_shortfall"]:
        parts.append(
            _("Sebaran: %(covered)s dari %(needed)s %(level)s yang masih kurang sudah terisi.")
            % {
                "covered": min(len(f["covered"]), owed["spread_shortfall"]),
                "needed": owed["spread_shortfall"],
                "level": level,
            }
        )
    if f.get("upload"):
        parts.append(_("Berkas ini menambah %(n)s dukungan.") % {"n": _n(f["upload"]["counted"])})
    if f["shortfall"]:
        parts.append(_("Kurang %(n)s dukungan.") % {"n": _n(f["shortfall"])})
    if f["spread_left"]:
        parts.append(
            _("Kurang sebaran di %(n)s %(level)s lagi.") % {"n": f["spread_left"], "level": level}
        )
    if check.status == Status.MEMENUHI:
        parts.append(_("Memenuhi kewajiban perbaikan."))
    elif check.status == Status.DICATAT:
        parts.append(
            _(
                "Kurang dari kewajiban perbaikan: dicatat dalam berita acara; verifikasi "
                "administrasi tetap dilanjutkan."
            )
        )
    elif check.status == Status.DIKEMBALIKAN:
        deadline = _day(check.deadline) if check.deadline else ""
        parts.append(
            _("Ditolak untuk diverifikasi sampai kewajiban perbaikan terpenuhi%(until)s.")
            % {"until": (_(", paling lambat %(day)s") % {"day": deadline}) if deadline else ""}
        )
    else:
        parts.append(
            _(
                "Masa penyerahan berakhir dan perbaikan masih kurang: bakal pasangan calon tidak "
                "dapat melanjutkan ke tahap verifikasi."
            )
        )
    return " ".join(parts)


def check_json(check: SubmissionCheck | None) -> dict | None:
    """The check as the commands and the API print it."""
    if check is None:
        return None
    return {
        "id": check.pk,
        "pair": check.pair_id,
        "round": check.round,
        "status": check.status,
        "status_label": str(Status(check.status).label),
        "as_of": check.as_of.isoformat(),
        "deadline": check.deadline.isoformat() if check.deadline else None,
        "message": check_message(check),
        **{k: v for k, v in check.figures.items() if k not in ("status", "deadline", "as_of")},
    }
