"""What an election is and may become: the region that holds its kind (candidates.kinds),
its threshold, and the settings its outcomes depend on, changed only with a reason and never
once verified. Writes here are services like candidates.services' (views, admin, commands and
tasks call them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit.trail import audit_record
from candidates.ages import election_ages_follow
from candidates.kinds import KINDS, kinds_for_region
from candidates.models import Election, Round, Standing, SubmissionWindow
from candidates.signals import election_changed
from candidates.spread import spread_regions
from candidates.thresholds import Threshold, threshold_compute
from electorate.models import Region

# The first word of a kab/kota's name says its kind: the Kemendagri tree writes "KAB. BOGOR",
# "KAB. ADM. KEP. SERIBU", "KAB TIMOR TENGAH SELATAN", "KOTA BEKASI", "KOTA ADM. JAKARTA PUSAT".
KABKOTA_NAME_WORDS = {"KAB": "kabupaten", "KABUPATEN": "kabupaten", "KOTA": "kota"}
# Kemendagri numbers a province's kabupaten 01-69 and its kota 71-99 (for a region whose name
# says neither, e.g. one typed in by hand; on the shipped tree both readings agree).
FIRST_KOTA_NUMBER = 71


def region_kind(region: Region) -> str | None:
    """The region's kind, the region_kind of the election kinds it holds (candidates.kinds:
    provinsi, kabupaten, kota); None below kab/kota. A kab/kota by the first word of its
    Kemendagri name, else by its code."""
    if region.level == Region.Level.PROVINCE:
        return "provinsi"
    if region.level != Region.Level.KABKOTA:
        return None
    words = region.name.upper().replace(".", " ").split()
    if words and words[0] in KABKOTA_NAME_WORDS:
        return KABKOTA_NAME_WORDS[words[0]]
    number = region.code.rpartition(".")[2]
    return "kota" if number.isdigit() and int(number) >= FIRST_KOTA_NUMBER else "kabupaten"


def election_validate(*, region: Region, level: str, dpt: int) -> None:
    """Refuse (ValidationError, in Indonesian, with the fix) a DPT below one voter and an
    election its region does not hold. A level mismatch carries code "level_mismatch" and the
    right level in its params, for a caller to name its own way of choosing it."""
    errors = []
    if dpt is None or dpt < 1:
        errors.append(
            ValidationError(
                _(
                    "Jumlah DPT %(dpt)s tidak dapat dipakai: isi jumlah pemilih tetap pemilihan "
                    "terakhir di wilayah ini, lebih dari 0 (misalnya 8252897 untuk DKI Jakarta "
                    "2024); syarat minimal dukungan dihitung dari angka ini."
                ),
                code="dpt",
                params={"dpt": dpt},
            )
        )
    kind = region_kind(region)
    if kind is None:
        errors.append(
            ValidationError(
                _(
                    "%(name)s (%(code)s) bukan provinsi, kabupaten atau kota: pemilihan diadakan "
                    "di salah satunya. Pilih wilayah itu."
                ),
                code="region_level",
                params={"name": region.name, "code": region.code},
            )
        )
    elif level not in (held := [k.level for k in kinds_for_region(kind)]):
        right = KINDS[held[0]]
        errors.append(
            ValidationError(
                _("%(name)s (%(code)s) adalah %(kind)s: pemilihannya %(label)s."),
                code="level_mismatch",
                params={
                    "name": region.name,
                    "code": region.code,
                    "kind": kind,
                    "label": right.label,
                    "level": right.level,
                },
            )
        )
    if errors:
        raise ValidationError(errors)


def election_threshold(election: Election) -> Threshold:
    """The threshold of the election's kind and DPT, spread over the region's units at the
    kind's spread level (the kab/kota of a province, the kecamatan of a kab/kota)."""
    units = spread_regions(election).count()
    return threshold_compute(level=election.level, dpt=election.dpt_count, spread_units=units)


# --- the settings an election's outcomes depend on ------------------------------------------

# Changed only through election_settings_change (reason, before and after on the trail) and
# not at all once a verification has run for any pair of the election: the threshold (DPT,
# level, region), the outcome of each reason (rule set, overrides, the civil-registry rule,
# the rolls), who goes on to verification (the count-and-spread check), age (voting day), the
# field's days. The admin routes its changes here (candidates/admin.py).
ELECTION_DECIDING_FIELDS = (
    "region",
    "level",
    "dpt_count",
    "rule_set",
    "reason_outcomes",
    "voting_day",
    "registry_confirmation",
    "submission_check",
    "roll",
    "dp4_roll",
    "verfak_days",
    "bring_in_days",
)
REASON_MIN_CHARS = 10


def election_rounds_verified(election: Election) -> set[int]:
    """The rounds an administrative verification has finished for some pair of the election:
    the verification layer writes each round's point ("vermin:N") in the pairs' standings
    when a run ends (fieldwork.standing), read here without asking the layer above."""
    points = Standing.objects.filter(pair__election=election, point__startswith="vermin:")
    return {int(point.partition(":")[2]) for point in points.values_list("point", flat=True)}


# How the messages name the settings whose model fields carry no Indonesian label.
SETTING_LABELS = {
    "region": _lazy("wilayah"),
    "level": _lazy("jenis pemilihan"),
    "rule_set": _lazy("aturan jumlah dukungan perbaikan"),
    "reason_outcomes": _lazy("hasil per alasan"),
    "roll": _lazy("DPT"),
    "dp4_roll": _lazy("DP4"),
}


def _setting(name: str) -> models.Field:
    return cast(models.Field, Election._meta.get_field(name))


def _field_label(name: str) -> str:
    return str(SETTING_LABELS.get(name) or _setting(name).verbose_name)


def election_settings_check(
    *, election: Election, fields: list[str], reason: str, rounds: Sequence[int] = ()
) -> None:
    """Refuse (ValidationError, Indonesian) a change of these deciding settings (and of these
    rounds' submission windows): once a verification has run (for a window: of its round),
    or without a reason of at least REASON_MIN_CHARS characters."""
    verified = election_rounds_verified(election)
    if fields and verified:
        raise ValidationError(
            _(
                "%(election)s sudah diverifikasi (verifikasi administrasi telah selesai untuk "
                "bakal pasangan calonnya): %(fields)s tidak dapat diubah lagi, karena hasil "
                "verifikasi dihitung dengan pengaturan ini."
            )
            % {"election": election.name, "fields": ", ".join(_field_label(f) for f in fields)},
            code="verified",
        )
    if late := sorted(set(rounds) & verified):
        raise ValidationError(
            _(
                "Masa penyerahan %(rounds)s tidak dapat diubah: tahap itu sudah diverifikasi "
                "(sudah diverifikasi untuk bakal pasangan calon pemilihan ini)."
            )
            % {"rounds": ", ".join(Round(r).label.lower() for r in late)},
            code="verified",
        )
    if len(" ".join(str(reason or "").split())) < REASON_MIN_CHARS:
        what = [_field_label(f) for f in fields] + [
            _("masa penyerahan %(round)s") % {"round": Round(r).label.lower()} for r in rounds
        ]
        raise ValidationError(
            _(
                "Tulis alasan perubahan (paling sedikit %(n)s huruf), misalnya nomor keputusan "
                "KPU yang mendasarinya: perubahan %(what)s tercatat di jejak audit bersama "
                "alasannya."
            )
            % {"n": REASON_MIN_CHARS, "what": ", ".join(what)},
            code="reason",
        )


def election_settings_diff(*, election: Election, fields: dict[str, Any]) -> dict[str, dict]:
    """{name: {"before", "after"}} for each of `fields` whose value differs from the stored
    one (foreign keys compared by id), computed here and never taken from a form's idea of
    what changed (the admin's hidden initial values come from the browser)."""
    unknown = set(fields) - set(ELECTION_DECIDING_FIELDS)
    if unknown:
        raise TypeError(f"not a deciding setting: {sorted(unknown)}")
    moved = {}
    for name, value in fields.items():
        before = _setting(name).value_from_object(election)
        after = value.pk if isinstance(value, models.Model) else value
        if before != after:
            moved[name] = {"before": before, "after": after}
    return moved


def election_settings_change(
    *,
    election: Election,
    by: Any,
    reason: str,
    windows: dict[int, tuple[dt.date, dt.date]] | None = None,
    **fields: Any,
) -> Election:
    """Change settings an election's outcomes depend on (ELECTION_DECIDING_FIELDS, and the
    submission windows {round: (opens, closes)}), recording who, why, before and after
    ("election.settings_changed"); refused once a verification has run
    (election_settings_check). The pairs' stored standings then move
    (signals.election_changed). Values equal to the stored ones are no change."""
    with transaction.atomic():
        current = Election.objects.select_for_update().get(pk=election.pk)
        moved = election_settings_diff(election=current, fields=fields)
        stored = {w.round: w for w in SubmissionWindow.objects.filter(election=current)}
        moved_windows = {
            round: (stored.get(round), opens, closes)
            for round, (opens, closes) in (windows or {}).items()
            if round not in stored or (stored[round].opens, stored[round].closes) != (opens, closes)
        }
        if not moved and not moved_windows:
            return current
        election_settings_check(
            election=current, fields=list(moved), reason=reason, rounds=list(moved_windows)
        )
        for name, change in moved.items():
            setattr(current, _setting(name).attname, change["after"])
        if moved:
            election_validate(region=current.region, level=current.level, dpt=current.dpt_count)
            current.save(update_fields=list(moved))
        if {"voting_day", "roll", "dp4_roll"} & set(moved):
            election_ages_follow(election=current)  # ages are judged on the voting day
        data: dict[str, Any] = {"reason": " ".join(reason.split()), "changes": moved}
        if moved_windows:
            data["windows"] = {}
        for round, (window, opens, closes) in moved_windows.items():
            if closes < opens:
                raise ValidationError(
                    _("Tanggal akhir penyerahan tidak boleh sebelum tanggal awalnya.")
                )
            SubmissionWindow.objects.update_or_create(
                election=current, round=round, defaults={"opens": opens, "closes": closes,
                                                         "set_by": _user_or_none(by)},
            )  # fmt: skip
            data["windows"][round] = {
                "before": {"opens": window.opens, "closes": window.closes} if window else None,
                "after": {"opens": opens, "closes": closes},
            }
        audit_record(
            "election.settings_changed",
            actor=by,
            area=current.region_id,
            target=current,
            data=data,
        )
        election_changed.send(sender=Election, election=current)
    return current


def _user_or_none(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None
