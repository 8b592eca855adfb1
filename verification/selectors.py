"""Reads of verification results that the pages, the API and the exports share. Each one that
returns data about people takes the user: what it returns is all they may see."""

from __future__ import annotations

from django.db.models import F, QuerySet

from candidates.models import Pair, Round, Supporter
from candidates.selectors import is_own_team
from electorate.access import code_within, q_within, user_area
from verification.models import VerificationRun
from verification.recap import recap_compute
from verification.redflags import red_flags_compute

# Never select the NIK's hash or ciphertext for display: only its masked form.
SUPPORTER_FIELDS = (
    "id",
    "upload_id",
    "round",
    "row_number",
    "sheet_page",
    "nik_masked",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "address",
    "rt",
    "rw",
    "kelurahan_id",
    "occupation",
    "marital_status",
)
CHILD_LEVELS = ("kecamatan", "kelurahan")


def supporter_results(*, pair: Pair, round: int | None = None) -> QuerySet[Supporter]:
    """The pair's supporters with `outcome` and `reasons` (null until verified), in upload order.
    Filter by area with kelurahan_id, by result with outcome."""
    rows = Supporter.objects.filter(pair=pair)
    if round is not None:
        rows = rows.filter(round=round)
    return (
        rows.only(*SUPPORTER_FIELDS)
        .annotate(
            outcome=F("verification__outcome"),
            reasons=F("verification__reasons"),
            superseded=F("verification__superseded"),
        )
        .order_by("round", "upload_id", "row_number")
    )


def results_visible(*, user, pair: Pair, round: int | None, status: str = "") -> QuerySet:
    """Verification results of the pair's supporters that the user may see: the team all of
    its own, KPU/PPK/PPS those in their area. The caller checks may_see_names first."""
    rows = supporter_results(pair=pair, round=round)
    area = user_area(user)
    if not is_own_team(user=user, pair=pair) and area:
        rows = rows.filter(q_within("kelurahan__code", area))
    if status in ("MS", "BMS", "TMS"):
        rows = rows.filter(verification__outcome=status)
    return rows


def round_param(value) -> int | None:
    """The `round` query parameter of a page or API call: a known round, else None (all)."""
    value = str(value or "")
    return int(value) if value.isdigit() and int(value) in Round.values else None


def latest_run(*, pair: Pair, round: int | None = None) -> VerificationRun | None:
    runs = VerificationRun.objects.filter(pair=pair)
    if round is not None:
        runs = runs.filter(round=round)
    return runs.order_by("-started_at", "-pk").first()


def _regions_in_area(regions: dict, area: str) -> dict:
    """Keep the branches of a recap's by_region tree that lie in the area or lead down to it."""
    kept = {}
    for code, entry in regions.items():
        if code_within(code, area):
            kept[code] = entry
        elif code_within(area, code):
            entry = dict(entry)
            for child in CHILD_LEVELS:
                if isinstance(entry.get(child), dict):
                    entry[child] = _regions_in_area(entry[child], area)
            kept[code] = entry
    return kept


def recap_for_area(*, pair: Pair, round: int | None, area: str | None) -> dict:
    """The pair's recap; the table by region cut to the user's area (totals stay the pair's)."""
    recap = recap_compute(pair=pair, round=round)
    if area:
        recap = dict(recap, by_region=_regions_in_area(recap.get("by_region") or {}, area))
    return recap


def flags_in_area(flags: list[dict], area: str | None, *, election_region: str) -> list[dict]:
    """Flags about places outside the user's area are not theirs to see. A flag tied to no place
    (a run of NIK serials spans the list) is for those whose area covers the whole election."""
    if not area or code_within(election_region, area):
        return flags
    return [
        f
        for f in flags
        if "region" in f and (code_within(f["region"], area) or code_within(area, f["region"]))
    ]


def red_flags_for(*, user, pair: Pair) -> list[dict]:
    """The pair's red flags that the user's area covers (the caller checks may_see_red_flags)."""
    return flags_in_area(
        red_flags_compute(pair=pair), user_area(user), election_region=pair.election.region_id
    )
