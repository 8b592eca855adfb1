"""Writes for setting up elections, their windows, pairs and teams, rolls and lists. Views, API,
tasks and commands call these (an election's deciding settings: candidates.elections)."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.elections import (
    ELECTION_DECIDING_FIELDS,
    election_rounds_verified,
    election_settings_change,
    election_settings_check,
    election_validate,
)
from candidates.intake import support_upload_create
from candidates.kinds import election_kind
from candidates.models import (
    Election,
    Pair,
    Round,
    SubmissionWindow,
    Supporter,
    SupportUpload,
    TeamMembership,
)
from candidates.standing import pair_undecided_check
from candidates.tasks import support_upload_task
from electorate.models import Region, Role, RollImport, StaffAssignment, VoterRoll
from electorate.services import roll_import_submit
from keys import keyring
from keys.nik import supporter_context


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
        name=name or f"Pemilihan {election_kind(level).label} {region.name}",
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
    """Refuse an upload outside its round's window, with the dates (no window: no limit), and
    the window open today if another round's is."""
    window = SubmissionWindow.objects.filter(election_id=pair.election_id, round=round).first()
    today = today or timezone.localdate()
    if window is None or window.opens <= today <= window.closes:
        return
    message = _(
        "Masa penyerahan %(round)s adalah %(opens)s s.d. %(closes)s; unggahan pada "
        "%(today)s tidak dapat diterima."
    ) % {
        "round": Round(round).label.lower(),
        "opens": date_format(window.opens, "SHORT_DATE_FORMAT"),
        "closes": date_format(window.closes, "SHORT_DATE_FORMAT"),
        "today": date_format(today, "SHORT_DATE_FORMAT"),
    }
    current = _window_open(election_id=pair.election_id, today=today)
    if current is not None:
        message += " " + _(
            "Yang terbuka sekarang: %(round)s, %(opens)s s.d. %(closes)s. Pilih tahap "
            "“%(label)s”, lalu pilih berkasnya lagi."
        ) % {
            "round": Round(current.round).label.lower(),
            "label": Round(current.round).label,
            "opens": date_format(current.opens, "SHORT_DATE_FORMAT"),
            "closes": date_format(current.closes, "SHORT_DATE_FORMAT"),
        }
    else:
        message += " " + _("Hubungi KPU bila masa penyerahan diubah.")
    raise ValidationError(message)


def _window_open(*, election_id: int, today: dt.date) -> SubmissionWindow | None:
    return (
        SubmissionWindow.objects.filter(
            election_id=election_id, opens__lte=today, closes__gte=today
        )
        .order_by("-round")
        .first()
    )


def round_open(*, election: Election, today: dt.date | None = None) -> int:
    """The round whose submission window is open today (the latest if several), else the
    initial round: what the upload form offers first."""
    window = _window_open(election_id=election.pk, today=today or timezone.localdate())
    return window.round if window is not None else Round.INITIAL


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
