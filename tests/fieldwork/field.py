"""Factual verification on the engine's case (tests/verification/case.py): MS supporters made
and verified, a stage started on a known window, the entries a PPS makes, and staff accounts.

The governor election of DKI Jakarta (the `election` fixture) closes level by level:
kelurahan -> kecamatan -> kab/kota -> province. The window of a stage opened on OPENS is
1-14 June 2024; every entry is checked against TODAY (after the window) unless a test says
otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

from candidates.models import Pair, Supporter
from electorate.models import Role
from fieldwork.closing import stage_close_all, stage_close_preview
from fieldwork.models import Method, Record, Sheet, Stage, Task
from fieldwork.records import Entry, Outcome, record_entry
from fieldwork.sheets import sheet_keep, sheet_run
from fieldwork.stages import stage_start
from tests.factories import StaffAssignmentFactory, TeamMembershipFactory, UserFactory, make_nik
from tests.verification.case import KEL, Case, verify

OPENS = dt.date(2024, 6, 1)
CLOSES = dt.date(2024, 6, 14)  # 14 days, both ends included
AFTER = dt.date(2024, 6, 15)  # the first day after the window: the KPU closes the stage
TODAY = dt.date(2024, 7, 1)  # the day entries are made on, unless a test says otherwise
KEL2 = "31.71.01.1002"  # Cideng: the next kelurahan of kecamatan Gambir
KEC = "31.71.01"  # Gambir
KABKOTA = "31.71"  # Jakarta Pusat
PROVINCE = "31"
SHEET_HEADER = ["NIK", "HASIL", "METODE", "TANGGAL", "PASLON_PILIHAN", "TANGGAL_MENINGGAL"]


def ms(case: Case, n: int = 1, *, kelurahan: str = KEL, upload=None) -> list[Supporter]:
    """n supporters that the administrative check leaves MS (in the roll, data matching)."""
    return [case.supporter(make_nik(), kelurahan_id=kelurahan, upload=upload) for _ in range(n)]


def started(pair: Pair, *, opens: dt.date = OPENS, round: int | None = None) -> Stage:
    """Verify the pair's latest round administratively, then start its factual verification."""
    verify(pair, round=round)
    return stage_start(pair=pair, round=round, opens=opens)


def close_all(stage: Stage, *, as_of: dt.date | None = None, by=None) -> dict:
    """The KPU closes the whole stage, confirming the number the page shows it (those who
    become TMS without a visit: fieldwork.closing.stage_close_preview)."""
    confirm = stage_close_preview(stage=stage, as_of=as_of)["total"]
    return stage_close_all(stage=stage, as_of=as_of, by=by, confirm=confirm)


def task(supporter: Supporter) -> Task:
    return Task.objects.select_related("stage__pair__election").get(supporter=supporter)


def enter(
    target: Task | Supporter,
    finding: str,
    on: dt.date = dt.date(2024, 6, 3),
    *,
    method: str = Method.KUNJUNGAN,
    deceased_on: dt.date | None = None,
    chosen: Pair | int | None = None,
    client_id: uuid.UUID | None = None,
    source: str = Record.Source.FORM,
    reason: str = "",
    today: dt.date = TODAY,
    by=None,
) -> Outcome:
    """What a PPS enters on the phone form (or the KPU as a correction) for one supporter."""
    if isinstance(target, Supporter):
        target = task(target)
    chosen_id = chosen.pk if isinstance(chosen, Pair) else chosen
    entry = Entry(
        finding=finding,
        method=method,
        visited_on=on,
        deceased_on=deceased_on,
        chosen_pair_id=chosen_id,
        client_id=client_id,
    )
    return record_entry(task=target, entry=entry, by=by, source=source, reason=reason, today=today)


def messages(outcome: Outcome) -> list[tuple[str, str]]:
    return [(e.column, e.message) for e in outcome.errors]


def staff(username: str, role: str, region: str, *, pair: Pair | None = None):
    """A user with a role in an area (a team member also belongs to its pair)."""
    user = UserFactory(username=username)
    StaffAssignmentFactory(user=user, role=role, region_code=region)
    if pair is not None:
        TeamMembershipFactory(user=user, pair=pair)
    return user


def pps(region: str = KEL, username: str = "pps_gambir"):
    return staff(username, Role.PPS, region)


def pkd(region: str = KEL, username: str = "pkd_gambir"):
    """A village supervisor: Bawaslu whose area is one kelurahan."""
    return staff(username, Role.BAWASLU, region)


def kpu(region: str = KABKOTA, username: str = "kpu_pusat"):
    role = Role.KPU_PROVINSI if region.count(".") == 0 else Role.KPU_KABKOTA
    return staff(username, role, region)


def sheet_row(
    supporter_nik: str,
    finding: str,
    on: str = "03-06-2024",
    *,
    method: str = "KUNJUNGAN",
    chosen: str = "",
    deceased: str = "",
) -> dict:
    return {
        "NIK": supporter_nik,
        "HASIL": finding,
        "METODE": method,
        "TANGGAL": on,
        "PASLON_PILIHAN": chosen,
        "TANGGAL_MENINGGAL": deceased,
    }


def sheet_apply(
    pair: Pair, data: bytes, *, name: str = "lembar.csv", by=None, today: dt.date = TODAY
) -> tuple[Sheet, bool]:
    """Keep a PPS's sheet and apply it in this process, as the Celery task does."""
    sheet, created = sheet_keep(
        pair=pair, file=io.BytesIO(data), original_name=name, uploaded_by=by
    )
    if sheet.status == Sheet.Status.PENDING:
        sheet = sheet_run(sheet_id=sheet.pk, today=today)
    return sheet, created
