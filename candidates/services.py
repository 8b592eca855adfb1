"""Writes for elections, pairs and teams. Views, API, tasks and commands call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO, Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit.trail import audit_record
from candidates.ages import election_ages_follow
from candidates.intake import support_upload_create
from candidates.models import (
    Election,
    Pair,
    Round,
    Standing,
    SubmissionWindow,
    Supporter,
    SupportUpload,
    TeamMembership,
)
from candidates.signals import election_changed
from candidates.standing import pair_undecided_check
from candidates.tasks import support_upload_task
from candidates.thresholds import Threshold, threshold_compute
from electorate.models import Region, Role, RollImport, StaffAssignment, VoterRoll
from electorate.services import roll_import_submit
from keys import keyring
from keys.nik import supporter_context

# The election each kind of region holds (UU 10/2016 Art. 1): a province elects a governor, a
# kabupaten a regent (bupati), a kota a mayor (wali kota). One entry per kind: region_kind.
LEVEL_FOR_REGION = {
    "provinsi": Election.Level.GOVERNOR,
    "kabupaten": Election.Level.REGENT,
    "kota": Election.Level.MAYOR,
}
# The first word of a kab/kota's name says its kind: the Kemendagri tree writes "KAB. BOGOR",
# "KAB. ADM. KEP. SERIBU", "KAB TIMOR TENGAH SELATAN", "KOTA BEKASI", "KOTA ADM. JAKARTA PUSAT".
KABKOTA_NAME_WORDS = {"KAB": "kabupaten", "KABUPATEN": "kabupaten", "KOTA": "kota"}
# Kemendagri numbers a province's kabupaten 01-69 and its kota 71-99 (for a region whose name
# says neither, e.g. one typed in by hand; on the shipped tree both readings agree).
FIRST_KOTA_NUMBER = 71


def region_kind(region: Region) -> str | None:
    """The region's kind, a key of LEVEL_FOR_REGION (provinsi, kabupaten, kota); None below
    kab/kota. A kab/kota by the first word of its Kemendagri name, else by its code."""
    if region.level == Region.Level.PROVINCE:
        return "provinsi"
    if region.level != Region.Level.KABKOTA:
        return None
    words = region.name.upper().replace(".", " ").split()
    if words and words[0] in KABKOTA_NAME_WORDS:
        return KABKOTA_NAME_WORDS[words[0]]
    number = region.code.rsplit(".", 1)[-1]
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
    elif level != LEVEL_FOR_REGION[kind]:
        right = LEVEL_FOR_REGION[kind]
        errors.append(
            ValidationError(
                _("%(name)s (%(code)s) adalah %(kind)s: pemilihannya %(label)s."),
                code="level_mismatch",
                params={
                    "name": region.name,
                    "code": region.code,
                    "kind": kind,
                    "label": right.label,
                    "level": right.value,
                },
            )
        )
    if errors:
        raise ValidationError(errors)


def election_threshold(election: Election) -> Threshold:
    """Governor: spread over the kab/kota of the province; regent/mayor: over its kecamatan."""
    units = Region.objects.filter(parent_id=election.region_id).count()
    return threshold_compute(level=election.level, dpt=election.dpt_count, spread_units=units)


def election_create(
    *,
    slug: str,
    region_code: str,
    level: str,
    dpt: int,
    voting_day: dt.date,
    name: str = "",
    rule_set: str = Election.RuleSet.RULES_2024,
    submission_start: dt.date | None = None,
    submission_end: dt.date | None = None,
    reason_outcomes: dict[str, str] | None = None,
    submission_check: bool | None = None,
    registry_confirmation: bool | None = None,
    by: Any = None,
    reason: str = "",
) -> Election:
    """Create (or, for an existing slug, update) an election; refused (ValidationError) for an
    unknown region, a DPT below one voter, or a level the region does not hold
    (election_validate). `submission_check` (the count-and-spread check before verification,
    on by default) and `registry_confirmation` (NOT_IN_ROLL pending Dukcapil's answer): None
    leaves them as they are. For an existing slug, a change of a setting outcomes depend on
    goes through election_settings_change (`reason` required; refused once verified)."""
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError(
            _("Wilayah %(code)s tidak dikenal: muat dulu dengan load_regions.")
            % {"code": region_code}
        )
    election_validate(region=region, level=level, dpt=dpt)
    defaults = dict(
        name=name or f"Pemilihan {Election.Level(level).label} {region.name}",
        region=region,
        level=level,
        dpt_count=dpt,
        voting_day=voting_day,
        rule_set=rule_set,
    )
    if reason_outcomes is not None:  # running the command again keeps the overrides set before
        defaults["reason_outcomes"] = reason_outcomes
    if submission_check is not None:
        defaults["submission_check"] = submission_check
    if registry_confirmation is not None:
        defaults["registry_confirmation"] = registry_confirmation
    with transaction.atomic():
        if existing := Election.objects.filter(slug=slug).first():
            deciding: dict[str, Any] = {
                k: v for k, v in defaults.items() if k in ELECTION_DECIDING_FIELDS
            }
            election_settings_change(election=existing, by=by, reason=reason, **deciding)
        election, created = Election.objects.update_or_create(slug=slug, defaults=defaults)
        if submission_start and submission_end:
            window_set(
                election=election,
                round=Round.INITIAL,
                opens=submission_start,
                closes=submission_end,
                by=by,
            )
        audit_record(
            "election.created" if created else "election.updated",
            actor=by,
            area=election.region_id,
            target=election,
            data={**defaults, "region": election.region_id},
        )
    return election


def window_set(
    *, election: Election, round: int, opens: dt.date, closes: dt.date, by=None
) -> SubmissionWindow:
    """The days a round's lists may be uploaded, both included (the KPU sets them per round)."""
    if closes < opens:
        raise ValidationError(_("Tanggal akhir penyerahan tidak boleh sebelum tanggal awalnya."))
    with transaction.atomic():
        before = SubmissionWindow.objects.filter(election=election, round=round).first()
        moved = before is not None and (before.opens, before.closes) != (opens, closes)
        if moved and round in election_rounds_verified(election):
            # Moved after its round was verified, a window would re-open what was judged.
            election_settings_check(election=election, fields=[], reason="", rounds=[round])
        window, _created = SubmissionWindow.objects.update_or_create(
            election=election,
            round=round,
            defaults={"opens": opens, "closes": closes, "set_by": by},
        )
        audit_record(
            "election.window_set",
            actor=by,
            area=election.region_id,
            target=election,
            data={
                "round": round,
                "opens": opens,
                "closes": closes,
                "before": {"opens": before.opens, "closes": before.closes} if before else None,
            },
        )
    return window


def window_check(*, pair: Pair, round: int, today: dt.date | None = None) -> None:
    """Refuse an upload outside its round's window, with the dates (no window: no limit)."""
    window = SubmissionWindow.objects.filter(election_id=pair.election_id, round=round).first()
    today = today or timezone.localdate()
    if window is None or window.opens <= today <= window.closes:
        return
    raise ValidationError(
        _(
            "Masa penyerahan %(round)s adalah %(opens)s s.d. %(closes)s; unggahan pada "
            "%(today)s tidak dapat diterima. Hubungi KPU bila masa penyerahan diubah."
        )
        % {
            "round": Round(round).label.lower(),
            "opens": window.opens.strftime("%d-%m-%Y"),
            "closes": window.closes.strftime("%d-%m-%Y"),
            "today": today.strftime("%d-%m-%Y"),
        }
    )


def pair_create(*, election: Election, name: str, by: Any = None) -> Pair:
    with transaction.atomic():
        pair, created = Pair.objects.get_or_create(election=election, name=name)
        if created:
            audit_record("pair.registered", actor=by, area=election.region_id, target=pair,
                         data={"name": name})  # fmt: skip
    return pair


@transaction.atomic
def team_member_create(
    *, pair: Pair, username: str, password: str, email: str = "", by: Any = None
):
    """A liaison officer's account: sees only its own pair."""
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    StaffAssignment.objects.create(user=user, role=Role.TIM, region=pair.election.region)
    TeamMembership.objects.create(user=user, pair=pair)
    audit_record(
        "membership.team_member_created",
        actor=by,
        area=pair.election.region_id,
        target=pair,
        data={"username": username},
    )
    return user


def election_roll_ensure(*, election: Election) -> VoterRoll:
    """The roll an election checks against; the first import creates a DPT roll for its region.
    Locked, so two first uploads at once still make one roll."""
    if election.roll is not None:
        return election.roll
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        roll = locked.roll
        if roll is None:
            roll = VoterRoll.objects.create(
                name=f"DPT {election.name}", region=election.region, voting_day=election.voting_day
            )
            locked.roll = roll
            locked.save(update_fields=["roll"])
    election.roll = roll
    return roll


def support_upload_submit(
    *,
    pair: Pair,
    round: int = Round.INITIAL,
    file: IO[bytes] | File,
    original_name: str,
    uploaded_by: Any = None,
) -> tuple[SupportUpload, bool]:
    """Keep the team's file, then load it in a task once this transaction commits. The same
    file again is the same upload (created=False); a failed or dead one is put back to work.
    Refused (ValidationError) outside the round's submission window, or once the pair is
    decided."""
    pair_undecided_check(pair)
    window_check(pair=pair, round=round)
    with transaction.atomic():
        upload, created = support_upload_create(
            pair=pair, round=round, file=file, original_name=original_name, uploaded_by=uploaded_by
        )
        if upload.status == SupportUpload.Status.PENDING:
            transaction.on_commit(lambda: support_upload_task.delay(upload.pk))
        audit_record(
            "upload.submitted",
            actor=uploaded_by,
            area=pair.election.region_id,
            target=upload,
            data={"pair": pair.pk, "round": round, "file": upload.original_name,
                  "sha256": upload.sha256, "new": created},
        )  # fmt: skip
    return upload, created


def election_roll_submit(
    *, election: Election, file: IO[bytes] | File, original_name: str, uploaded_by: Any = None
) -> tuple[RollImport, bool]:
    """A voter-roll file for the election: into its roll (created at the first file)."""
    roll = election_roll_ensure(election=election)
    return roll_import_submit(
        roll=roll, file=file, original_name=original_name, uploaded_by=uploaded_by
    )


def supporters_rekey(*, hasher, rehashed: bool) -> int:
    """Key rotation (keys.rotation): every supporter's NIK ciphertext re-encrypted under
    the current key, and, when the hash chain grew, its group hash and shifted serial
    recomputed (they derive from the NIK). Rows already in that state are skipped."""
    current = keyring.current_key_id()
    fields = ["nik_cipher", "nik_group", "nik_serial"]
    changed, batch = 0, []
    rows = Supporter.objects.only("pk", "upload_id", "row_number", "nik_cipher").order_by("pk")
    for row in rows.iterator(chunk_size=5000):
        if not rehashed and keyring.key_id_of(bytes(row.nik_cipher)) == current:
            continue
        context = supporter_context(row.upload_id, row.row_number)
        nik = keyring.decrypt(bytes(row.nik_cipher), context=context).decode()
        row.nik_cipher = keyring.encrypt(nik.encode(), context=context)
        row.nik_group, row.nik_serial = hasher.group(nik), hasher.serial_code(nik)
        batch.append(row)
        if len(batch) >= 5000:
            Supporter.objects.bulk_update(batch, fields)
            changed, batch = changed + len(batch), []
    if batch:
        Supporter.objects.bulk_update(batch, fields)
        changed += len(batch)
    return changed


def names_read_log(*, user, pair: Pair, what: str, rows: int, page: int | str = 1) -> None:
    """Reading supporters name by name leaves a trace (a page of a list, an API page)."""
    audit_record(
        "names.read",
        actor=user,
        area=pair.election.region_id,
        target=pair,
        data={"what": what, "rows": rows, "page": page},
    )


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
