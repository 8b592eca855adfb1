"""Where a pair stands against the threshold and the spread: one function, written down.

The rule (PKPU 8/2024 Art. 77(2); docs/domain.md): the supports that count are the MS carried
from the factual verifications that are closed, plus the administrative MS of the rounds
verified since (not yet met in the field). Supporter by supporter:
- one whose task lies in a closed factual verification counts if that task is MS;
- any other counts if its administrative result is MS (not superseded by a resubmission).
A factual verification still open counts as not begun: its supporters stand where the
administrative verification left them until the KPU closes it. The standing therefore moves
only at events (a run ends, a stage closes or reopens, a confirmed objection or a correction
touches a closed stage), and each of these calls `standing_refresh`, which stores the figures
in candidates.models.Standing; every surface reads them there (candidates.standing).

Each supporter counts in the kelurahan where the recap places them: the roll's for a voter
found on the DPT, the typed one otherwise (VerificationResult.kelurahan_code, copied onto the
task when the stage starts). One placement, one count, everywhere.

Points reached are frozen: "vermin:<round>" when a run of that round ends, "verfak:<n>" when
factual verification n closes at the election's level. Their minutes print those figures,
whatever happens later; "now" follows every change.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.elections import election_threshold
from candidates.kinds import election_kind
from candidates.models import Election, Pair, Round, Standing, Supporter
from candidates.spread import spread_regions
from electorate.areas import LEVEL_KEYS, code_ancestor
from fieldwork.models import Result, Stage, Task
from verification.models import VerificationResult, VerificationRun
from verification.placement import PLACE
from verification.rules import Reason

SUPPORTER = Supporter._meta.db_table
TASK = Task._meta.db_table
STAGE = Stage._meta.db_table
RESULT = VerificationResult._meta.db_table

STATUS_LABELS = {
    "belum_diverifikasi": _("Belum diverifikasi"),
    "memenuhi_syarat": _("Memenuhi syarat jumlah dan sebaran dukungan"),
    "perlu_perbaikan": _("Wajib menyerahkan perbaikan dukungan"),
    "tidak_memenuhi_syarat": _("Tidak memenuhi syarat jumlah atau sebaran dukungan"),
}


def spread_depth(election: Election) -> int:
    """The level the spread is counted at (the election kind's: kab/kota of a province for a
    governor, kecamatan of a kab/kota for a regent or a mayor)."""
    return election_kind(election).spread_depth


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Why a task of a stage still open stops its administrative MS from counting: not a PPS's
# finding (those count once the stage closes) but a fact settled for the election, recorded at
# an event that moves the standing: the person chose another pair (fieldwork.records stores
# the choice), or the KPU confirmed the NIK was misused (fieldwork.strike).
SETTLED_OFF = ("CHOSE_OTHER", "PUBLIC_OBJECTION")


def supporter_counts(
    *,
    outcome: str | None,
    superseded: bool,
    task_result: str | None,
    stage_status: str | None,
    task_note: str = "",
) -> bool | None:
    """Whether one supporter row counts now (None: not verified yet). The rule, once in
    Python (the citizen's check reads one row) and once in SQL (COUNTS_SQL, for a whole
    list); tests/decisions/test_standing_invariant.py holds the two equal."""
    if task_result and stage_status == Stage.Status.CLOSED:
        return task_result == Result.MS
    if outcome is None:
        return None
    return outcome == "MS" and not superseded and task_note not in SETTLED_OFF


# COUNTS_SQL over a supporter `sp` LEFT JOIN its result `r`, task `t` and the task's stage `s`.
_SETTLED = ", ".join(f"'{note}'" for note in SETTLED_OFF)
COUNTS_SQL = f"""(CASE WHEN s.status = '{Stage.Status.CLOSED}' THEN t.result = '{Result.MS}'
    ELSE r.outcome = 'MS' AND r.superseded = %(no)s
         AND COALESCE(t.note, '') NOT IN ({_SETTLED}) END)"""
COUNTS_FROM = f"""{SUPPORTER} sp
    LEFT JOIN {RESULT} r ON r.supporter_id = sp.id
    LEFT JOIN {TASK} t ON t.supporter_id = sp.id
    LEFT JOIN {STAGE} s ON s.id = t.stage_id"""


def ms_by_kelurahan(*, pair: Pair) -> tuple[dict[str, int], int, int, int]:
    """({kelurahan: MS that counts}, carried from closed stages, administrative MS since, of
    which handed to a factual verification still open): one GROUP BY over the pair's list,
    each supporter placed as verification.placement says."""
    place = PLACE.replace("s.kelurahan_id", "sp.kelurahan_id")
    rows = _fetch(
        f"""
        SELECT {place}, COALESCE(s.status, ''), COUNT(*) FROM {COUNTS_FROM}
        WHERE sp.pair_id = %(pair)s AND {COUNTS_SQL}
        GROUP BY {place}, COALESCE(s.status, '')
        """,
        {"pair": pair.pk, "no": False},
    )
    per: dict[str, int] = {}
    carried = since = in_open = 0
    for code, status, n in rows:
        per[code] = per.get(code, 0) + n
        if status == Stage.Status.CLOSED:
            carried += n
        else:
            since += n
            in_open += n if status else 0
    return per, carried, since, in_open


def _current_stage(pair: Pair) -> dict:
    """The latest step of the cycle the pair has reached."""
    run = (
        VerificationRun.objects.filter(pair=pair, status=VerificationRun.Status.DONE)
        .order_by("-round")
        .values_list("round", flat=True)
        .first()
    )
    latest = Stage.objects.filter(pair=pair).order_by("-number").first()
    if latest is not None and (run is None or latest.round >= run):
        return {
            "name": "verfak",
            "number": latest.number,
            "round": latest.round,
            "status": latest.status,
        }
    if run is not None:
        return {"name": "vermin", "round": run, "status": "done"}
    return {"name": "submission", "round": Round.INITIAL, "status": "open"}


def standing_compute(*, pair: Pair) -> dict:
    """The pair's standing now (the figures candidates.standing documents)."""
    election = pair.election
    threshold = election_threshold(election)
    per, carried, since, in_open_stage = ms_by_kelurahan(pair=pair)
    prefix = election.region_id + "."
    per = {code: n for code, n in per.items() if code.startswith(prefix) and n}
    depth = spread_depth(election)
    units: dict[str, int] = {}
    for code, n in per.items():
        unit = code_ancestor(code, depth)
        units[unit] = units.get(unit, 0) + n
    all_units = _spread_units(election)
    ms = sum(per.values())
    achieved = len(units)
    shortfall = max(0, threshold.threshold - ms)
    spread_shortfall = max(0, threshold.spread_required - achieved)
    meets = shortfall == 0 and spread_shortfall == 0
    stage = _current_stage(pair)
    status = _status(stage, meets)
    return {
        "point": Standing.NOW,
        "stage": stage,
        "MS": ms,
        "carried": carried,
        "since": since,
        # Of `since`: not yet handed to any factual verification / in one still open.
        "MS_due_in_field": since - in_open_stage,
        "MS_in_open_stage": in_open_stage,
        "threshold": threshold.threshold,
        "threshold_percent": threshold.percent,
        "meets_threshold": shortfall == 0,
        "spread": {
            "required": threshold.spread_required,
            "achieved": achieved,
            "units": threshold.spread_units,
            "unit_level": LEVEL_KEYS[depth],
            "meets": spread_shortfall == 0,
            "shortfall": spread_shortfall,
            "reached": sorted(units),
            "missing": [code for code in all_units if code not in units],
            "by_unit": dict(sorted(units.items())),
        },
        "shortfall": shortfall,
        "repair_required": election_kind(election).repair_required(shortfall, election.rule_set),
        "repair_owed": _repair_owed(stage, meets),
        "meets": meets,
        "status": status,
        "status_label": str(STATUS_LABELS[status]),
        "by_kelurahan": dict(sorted(per.items())),
        "computed_at": timezone.now().isoformat(),
    }


def _spread_units(election: Election) -> list[str]:
    return list(spread_regions(election).order_by("code").values_list("code", flat=True))


def _repair_owed(stage: dict, meets: bool) -> int | None:
    """The repair round the law still gives a pair that falls short: repair 1 after the
    initial round, repair 2 after factual verification 1; none after the last."""
    if meets or stage["name"] == "submission":
        return None
    following = stage["round"] + 1
    return following if following <= Round.REPAIR_2 else None


def _status(stage: dict, meets: bool) -> str:
    if stage["name"] == "submission":
        return "belum_diverifikasi"
    if meets:
        return "memenuhi_syarat"
    if _repair_owed(stage, meets) is not None:
        return "perlu_perbaikan"
    return "tidak_memenuhi_syarat"


def standing_refresh(*, pair: Pair, freeze: str | None = None) -> dict:
    """Compute the standing now and store it as "now" (and as the point `freeze`, e.g.
    "vermin:1" or "verfak:1", when that point has just been reached, with the counts per
    kecamatan of that stage as they stand: what its minutes print, later changes aside)."""
    pair = Pair.objects.select_related("election").get(pk=pair.pk)
    figures = standing_compute(pair=pair)
    rows = [Standing(pair=pair, point=Standing.NOW, figures=figures)]
    if freeze:
        frozen = {**figures, "point": freeze, "counts": _point_counts(pair, freeze)}
        rows.append(Standing(pair=pair, point=freeze, figures=frozen))
    # One upsert (INSERT .. ON CONFLICT DO UPDATE): the same statement whether the point is
    # new or moved, and no race between two workers storing the same pair's standing.
    Standing.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["pair", "point"],
        update_fields=["figures", "computed_at"],
    )
    return figures


def _point_counts(pair: Pair, point: str) -> dict:
    """The stage's own counts at the point, per kecamatan (the minutes list rows one level
    below a kab/kota or a province): {"kecamatan": {code: {key: n}}, "breakdown":
    {code: {key: n}}}. vermin: MS/BMS/TMS/total of the round's results and its reasons;
    verfak: MS/TMS/PENDING/total of the stage's tasks and why each ended there."""
    kind, _sep, number = point.partition(":")
    per: dict[str, dict[str, int]] = {}
    breakdown: dict[str, dict[str, int]] = {}

    def add(target: dict, code: str, key: str, n: int) -> None:
        entry = target.setdefault(code_ancestor(code, 3), {})
        entry[key] = entry.get(key, 0) + n

    if kind == "vermin":
        rows = _fetch(
            f"SELECT kelurahan_code, outcome, reasons, COUNT(*) FROM {RESULT} "
            "WHERE pair_id = %(pair)s AND round = %(round)s "
            "GROUP BY kelurahan_code, outcome, reasons",
            {"pair": pair.pk, "round": int(number)},
        )
        for code, outcome, reasons, n in rows:
            add(per, code, outcome, n)
            add(per, code, "total", n)
            for reason in Reason:
                if reasons & reason:
                    add(breakdown, code, reason.name, n)
    else:
        stage = Stage.objects.get(pair=pair, number=int(number))
        rows = _fetch(
            f"SELECT kelurahan_code, result, note, COUNT(*) FROM {TASK} "
            "WHERE stage_id = %(stage)s GROUP BY kelurahan_code, result, note",
            {"stage": stage.pk},
        )
        for code, result, note, n in rows:
            add(per, code, result, n)
            add(per, code, "total", n)
            add(breakdown, code, f"{result}:{note}", n)
    return {"kecamatan": per, "breakdown": breakdown}


def standing_now(*, pair: Pair) -> dict:
    """The stored standing now, computed and stored first if the pair has none yet."""
    stored = Standing.objects.filter(pair=pair, point=Standing.NOW).first()
    if stored is not None:
        return stored.figures
    return standing_refresh(pair=pair)


def tasks_counted(tasks: list[Task]) -> dict[int, bool]:
    """{task id: whether its supporter counts now} (supporter_counts, one query)."""
    results = dict(
        VerificationResult.objects.filter(supporter_id__in=[t.supporter_id for t in tasks])
        .values_list("supporter_id", "outcome")
        .order_by()
    )
    superseded = set(
        VerificationResult.objects.filter(
            supporter_id__in=[t.supporter_id for t in tasks], superseded=True
        ).values_list("supporter_id", flat=True)
    )
    return {
        t.pk: bool(
            supporter_counts(
                outcome=results.get(t.supporter_id),
                superseded=t.supporter_id in superseded,
                task_result=t.result,
                stage_status=t.stage.status,
                task_note=t.note,
            )
        )
        for t in tasks
    }


def standing_follow(*, tasks: list[Task], before: dict[int, bool]) -> None:
    """After a choice reached these tasks: the pairs whose count it changed move (a choice
    settles a task of a stage still open off its administrative MS: SETTLED_OFF)."""
    after = tasks_counted(tasks)
    for pair_id in {t.pair_id for t in tasks if after.get(t.pk) != before.get(t.pk)}:
        standing_refresh(pair=Pair(pk=pair_id))


def on_run_finished(sender, *, run: VerificationRun, **kwargs) -> None:
    """verification.signals.run_finished: the administrative verification of a round ended."""
    standing_refresh(pair=run.pair, freeze=f"vermin:{run.round}")
