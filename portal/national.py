"""The national page (issue 22): every election with an independent pair, for KPU RI and Bawaslu RI.

One row per pair: its election and province, the stage it is in, the next deadline, MS against
the threshold, the spread, open advice and objections, red flags, and whether something is late.
Every figure is read from what is derived and stored, never counted here:
- MS, threshold, spread, stage and status: the pair's stored standing (candidates.Standing, the
  row the recap reads through candidates.standing.standing_read), its small keys only;
- red flags: those stored when the pair's latest run ended (verification.derived), the recap's;
- deadlines, open advice and open objections: one grouped query each.
So the page costs the same handful of queries for 50 elections as for 545 (bench/national.py
measures it), and it reads on the replica (the view is under replica_reads).

Late: a factual verification still open after its closing day, or a submission window closed
while the pair's list was never verified (the stage still "submission").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from candidates import selectors as candidates
from candidates.kinds import election_kind
from candidates.models import Round, SubmissionWindow
from candidates.standing import standings_read
from electorate.models import Region
from fieldwork.models import Advice, Stage
from objections.models import Objection
from replica.scope import replica_reads
from staff.access import is_national, may_see_recap
from verification.derived import red_flags_stored_many

PAGE_SIZE = 50
STAGES = {
    "submission": gettext_lazy("Penyerahan dukungan"),
    "vermin": gettext_lazy("Verifikasi administrasi"),
    "verfak": gettext_lazy("Verifikasi faktual"),
    "decided": gettext_lazy("Sudah diputuskan"),
}
SORTS = {
    "provinsi": gettext_lazy("Provinsi"),
    "tenggat": gettext_lazy("Tenggat terdekat"),
    "ms": gettext_lazy("Kekurangan MS terbesar"),
    "bendera": gettext_lazy("Tanda bahaya terbanyak"),
    "terlambat": gettext_lazy("Yang terlambat dulu"),
}


@dataclass
class Row:
    pair_id: int
    pair: str
    election_id: int
    election: str
    kind: str
    province: str
    province_name: str
    region: str
    stage: str
    stage_label: str
    status_label: str = ""
    ms: int | None = None
    threshold: int | None = None
    meets_threshold: bool | None = None
    shortfall: int | None = None
    spread_achieved: int | None = None
    spread_required: int | None = None
    spread_meets: bool | None = None
    deadline: dt.date | None = None
    deadline_what: str = ""
    late: list[str] = field(default_factory=list)
    advice_open: int = 0
    objections_open: int = 0
    flags: int | None = None  # None: not derived yet (no run has ended)
    scale_note: str = ""  # the election's own (Election.scale_note): lists scaled down
    flag_kinds: list[str] = field(default_factory=list)


def _stage_label(stage: dict | None, decided: bool, labels: dict[str, str]) -> tuple[str, str]:
    if decided:
        return "decided", labels["decided"]
    stage = stage or {"name": "submission", "round": Round.INITIAL}
    name = stage.get("name") or "submission"
    label = labels.get(name, name)
    if name == "verfak":
        label = f"{label} {stage.get('number', '')}".strip()
    elif stage.get("round") is not None:
        label = f"{label} · {Round(stage['round']).label}"
    return name, label


def national_rows(*, user, province: str = "", today: dt.date | None = None) -> list[Row]:
    """Every pair the user sees (all of them for KPU RI and Bawaslu RI), as page rows."""
    today = today or timezone.localdate()
    visible = candidates.pairs_visible(user=user)
    if province:
        visible = visible.filter(election__region__code__startswith=province)
    pairs = list(
        visible.values(
            "pk", "name", "decided_at", "election_id", "election__name", "election__level",
            "election__region_id", "election__region__name", "election__scale_note",
        )
    )  # fmt: skip
    # The pairs as a subquery, not a list of ids: 700 parameters a query cost more than the
    # queries themselves.
    ids = visible.values("pk")
    provinces = dict(Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", "name"))
    standings = standings_read(pair_ids=ids)
    flags = red_flags_stored_many(pair_ids=ids)
    windows: dict[int, list[tuple[dt.date, int]]] = {}
    for election_id, round_, closes in (
        SubmissionWindow.objects.filter(election__pairs__in=ids)
        .distinct()
        .values_list("election_id", "round", "closes")
    ):
        windows.setdefault(election_id, []).append((closes, round_))
    stages: dict[int, list[tuple[dt.date, int]]] = {}
    for pair_id, number, closes in Stage.objects.filter(
        pair_id__in=ids, status=Stage.Status.OPEN
    ).values_list("pair_id", "number", "closes"):
        stages.setdefault(pair_id, []).append((closes, number))
    advice = dict(
        Advice.objects.filter(stage__pair_id__in=ids, status=Advice.Status.OPEN)
        .values("stage__pair_id")
        .annotate(n=Count("pk"))
        .values_list("stage__pair_id", "n")
    )
    objections = dict(
        Objection.objects.filter(pair_id__in=ids, status__in=Objection.OPEN_STATUSES)
        .values("pair_id")
        .annotate(n=Count("pk"))
        .values_list("pair_id", "n")
    )
    kinds = {level: str(kind.label) for level, kind in ((k, election_kind(k)) for k in
             {p["election__level"] for p in pairs})}  # fmt: skip
    labels = {name: str(label) for name, label in STAGES.items()}
    rows = []
    for p in pairs:
        standing = standings.get(p["pk"]) or {}
        stage, stage_label = _stage_label(
            standing.get("stage"), p["decided_at"] is not None, labels
        )
        code = p["election__region_id"]
        province_code = code.split(".", 1)[0]
        row = Row(
            pair_id=p["pk"],
            pair=p["name"],
            election_id=p["election_id"],
            election=p["election__name"],
            kind=kinds[p["election__level"]],
            province=province_code,
            province_name=provinces.get(province_code, province_code),
            region=p["election__region__name"],
            stage=stage,
            stage_label=stage_label,
            status_label=standing.get("status_label") or "",
            ms=standing.get("MS"),
            threshold=standing.get("threshold"),
            meets_threshold=standing.get("meets_threshold"),
            shortfall=standing.get("shortfall"),
            spread_achieved=standing.get("spread_achieved"),
            spread_required=standing.get("spread_required"),
            spread_meets=standing.get("spread_meets"),
            advice_open=advice.get(p["pk"], 0),
            objections_open=objections.get(p["pk"], 0),
            scale_note=p["election__scale_note"],
        )
        if p["pk"] in flags:
            row.flags = len(flags[p["pk"]])
            row.flag_kinds = sorted({str(f.get("kind", "")) for f in flags[p["pk"]]})
        _deadlines(row, windows.get(p["election_id"], []), stages.get(p["pk"], []), today)
        rows.append(row)
    return rows


def _deadlines(row: Row, windows, stages, today: dt.date) -> None:
    """The next closing day ahead of the pair, and what is already late."""
    ahead = []
    if row.stage != "decided":
        for closes, round_ in windows:
            if closes >= today:
                ahead.append(
                    (closes, _("Masa penyerahan %(round)s") % {"round": Round(round_).label})
                )
            elif row.stage == "submission" and round_ == Round.INITIAL:
                row.late.append(_("Daftar awal belum diverifikasi"))
    for closes, number in stages:
        if closes >= today:
            ahead.append((closes, _("Verifikasi faktual %(n)s ditutup") % {"n": number}))
        else:
            row.late.append(_("Verifikasi faktual %(n)s lewat tenggat") % {"n": number})
    if ahead:
        row.deadline, row.deadline_what = min(ahead)


def rows_filter(rows: list[Row], *, stage: str = "", late: bool = False) -> list[Row]:
    if stage:
        rows = [row for row in rows if row.stage == stage]
    if late:
        rows = [row for row in rows if row.late]
    return rows


def rows_sort(rows: list[Row], sort: str) -> list[Row]:
    far = dt.date.max
    keys = {
        "tenggat": lambda r: (r.deadline or far, r.province, r.election),
        "ms": lambda r: (-(r.shortfall or 0), r.province, r.election),
        "bendera": lambda r: (-(r.flags or 0), r.province, r.election),
        "terlambat": lambda r: (not r.late, r.deadline or far, r.province),
    }
    return sorted(rows, key=keys.get(sort, lambda r: (r.province, r.election, r.pair)))


@dataclass
class Summary:
    elections: int
    pairs: int
    late: int
    meets: int
    flagged: int
    scale_notes: list[str]


def summary(rows: list[Row]) -> Summary:
    return Summary(
        elections=len({row.election_id for row in rows}),
        pairs=len(rows),
        late=sum(1 for row in rows if row.late),
        meets=sum(1 for row in rows if row.meets_threshold and row.spread_meets),
        flagged=sum(1 for row in rows if row.flags),
        scale_notes=sorted({row.scale_note for row in rows if row.scale_note}),
    )


@login_required  # the user read on the primary, before the replica scope
@require_GET
@replica_reads
def national_page(request):
    """KPU RI, Bawaslu RI and superusers; everyone else 403. Each row leads to the pair's and
    the election's own pages, where the usual rules apply (Bawaslu RI reads no names there)."""
    if not is_national(request.user):
        raise PermissionDenied
    province = request.GET.get("provinsi", "").strip()
    province = province if province.isdigit() and len(province) == 2 else ""
    stage = request.GET.get("tahap", "")
    stage = stage if stage in STAGES else ""
    late = request.GET.get("terlambat") == "1"
    sort = request.GET.get("urut", "")
    sort = sort if sort in SORTS else "provinsi"
    everything = national_rows(user=request.user)
    rows = [row for row in everything if not province or row.province == province]
    rows = rows_sort(rows_filter(rows, stage=stage, late=late), sort)
    # Sorted and filtered over every row; drawn a page at a time (the table is the page's cost:
    # docs/benchmarks.md, "The whole country").
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    provinces = sorted({(row.province, row.province_name) for row in everything})
    return render(
        request,
        "portal/national.html",
        {
            "rows": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "total": summary(everything),
            "shown": summary(rows),
            "provinces": provinces,
            "stages": list(STAGES.items()),
            "sorts": list(SORTS.items()),
            "province": province,
            "stage": stage,
            "late": late,
            "sort": sort,
            "may_recap": may_see_recap(request.user),
        },
    )
