"""Reads of verification results that the pages, the API and the exports share. Each one that
returns data about people takes the user: what it returns is all they may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Lookup, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.models import Pair, Round, Supporter
from candidates.selectors import (
    is_own_team,
    manages_pair,
    pairs_visible,
    sees_whole_list,
    supporters_search,
)
from electorate.models import Region
from staff.access import code_within, may, q_within, user_area
from staff.capabilities import Capability
from verification import derived
from verification.derived import list_counts, red_flags_stored
from verification.models import Export, VerificationResult, VerificationRun
from verification.placement import SUPERSEDED
from verification.recap import recap_compute
from verification.rules import Reason

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
            # One placement (derived.PLACE): the roll's kelurahan once found there.
            place=Coalesce("verification__kelurahan_code", "kelurahan_id"),
        )
        .order_by("round", "upload_id", "row_number")
    )


def results_rows(pair: Pair, ids: list[int]) -> QuerySet[Supporter]:
    """The rows of `ids` (a page of results_visible, already narrowed to the user's scope and
    filters) with what the results page shows, found by their ids alone."""
    return supporter_results(pair=pair).filter(pk__in=ids)


@dataclass(frozen=True)
class Scope:
    """The part of a pair's list whose figures a user reads: every figure of the recap, the
    results list and the export belongs to it, and the pages name it (`label`).

    whole: the whole list, every supporter wherever the row says they live (the pair's team,
    the KPU running the election, staff whose area covers the election); otherwise the
    supporters whose kelurahan lies in `area`."""

    whole: bool
    area: str
    label: str
    level: int = 0  # the area's Region.Level (0 for the whole list)


def scope_for(*, user, pair: Pair) -> Scope:
    """The user's scope on this pair (the caller has found the pair among those they see)."""
    election = pair.election
    if sees_whole_list(user=user, pair=pair):
        return Scope(
            whole=True,
            area="",
            label=_("Seluruh daftar dukungan %(pair)s (pemilihan di %(region)s)")
            % {"pair": pair.name, "region": election.region.name},
        )
    area = user_area(user) or ""
    region = Region.objects.filter(code=area).first() if area else None
    if region is None:  # no area: nothing (pairs_visible already gave such a user nothing)
        return Scope(whole=False, area="-", label=_("Tidak ada wilayah"))
    return Scope(
        whole=False,
        area=area,
        label=_("%(level)s %(name)s (%(code)s)")
        % {"level": region.get_level_display(), "name": region.name, "code": area},
        level=region.level,
    )


def results_visible(
    *,
    user,
    pair: Pair,
    round: int | None,
    status: str = "",
    search: str = "",
    reason: str = "",
) -> QuerySet:
    """Verification results of the pair's supporters in the user's scope (scope_for): the team
    and the KPU running the election all of them, others those living in their area. The
    caller checks may_see_names first. `search`: a name, or a whole 16-digit NIK (matched on
    its keyed hash); `reason`: a reason code (verification.rules.Reason name)."""
    rows = supporter_results(pair=pair, round=round)
    scope = scope_for(user=user, pair=pair)
    if not scope.whole:
        # Placed where the recap places them (verification/recap.py): a verified supporter in
        # the roll's kelurahan, the others in the one their row names. The recap, this list
        # and the field worklists then count the same people for an area. The candidates come
        # off two indexes, those whose row names the area and those the roll moved into it
        # (VerificationResult.moved); a filter on the place alone read the pair's every
        # supporter and result (956 ms for a small kelurahan's first page of DKI's 840k).
        named_here = Supporter.objects.filter(pair=pair).filter(
            q_within("kelurahan__code", scope.area)
        )
        moved_here = VerificationResult.objects.filter(pair=pair, moved=True).filter(
            q_within("kelurahan_code", scope.area)
        )
        candidates = named_here.values("pk").union(moved_here.values("supporter_id"))
        rows = rows.filter(_KeysIn(F("pk"), candidates)).filter(q_within("place", scope.area))
    if status in ("MS", "BMS", "TMS"):
        rows = rows.filter(verification__outcome=status, verification__superseded=False)
    elif status == SUPERSEDED:
        rows = rows.filter(verification__superseded=True)
    if reason in Reason.__members__:
        bit = int(Reason[reason])
        rows = rows.annotate(reason_bit=F("verification__reasons").bitand(bit)).filter(
            reason_bit=bit
        )
    return supporters_search(rows, search)


class _KeysIn(Lookup):
    """`key IN (subquery)`; on PostgreSQL `key = ANY(ARRAY(subquery))`, which the planner takes
    as a list of keys to look up in the primary key's index. With IN it joined the area's 18,932
    ids against the pair's every supporter by a hash join over a sequential scan (299 ms for
    the biggest DKI kelurahan's first page, 57 ms as a list of keys)."""

    lookup_name = "keys_in"

    def as_sql(self, compiler, connection, template: str = "{lhs} IN {rhs}"):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return template.format(lhs=lhs, rhs=rhs), (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        return self.as_sql(compiler, connection, template="{lhs} = ANY(ARRAY{rhs})")


def results_counts_stored(*, pair: Pair, round: int | None, scope: Scope) -> dict[str, int]:
    """What results_counts would count over results_visible(round=round) in this scope,
    added up from the counts stored when the pair's latest run ended (verification.derived):
    no GROUP BY over the pair's 840k supporters per request."""
    counts = {"MS": 0, "BMS": 0, "TMS": 0, "pending": 0, "superseded": 0, "total": 0}
    for kelurahan, rnd, outcome, n in list_counts(pair=pair):
        if round is not None and rnd != round:
            continue
        if not scope.whole and not code_within(kelurahan, scope.area):
            continue
        _count(counts, outcome, n)
    return counts


def _count(counts: dict[str, int], outcome: str | None, n: int) -> None:
    """A superseded record is listed (history) but counted apart: the person counts once,
    by the record that replaced it, as the recap counts them."""
    if outcome == SUPERSEDED:
        counts["superseded"] += n
        return
    counts[outcome or "pending"] += n
    counts["total"] += n


def results_counts(rows: QuerySet) -> dict[str, int]:
    """MS, BMS, TMS and not yet verified among `rows` (supporter_results), one GROUP BY."""
    counts = {"MS": 0, "BMS": 0, "TMS": 0, "pending": 0, "superseded": 0, "total": 0}
    grouped = (
        rows.order_by()
        .values("verification__outcome", "verification__superseded")
        .annotate(n=Count("pk"))
    )
    for row in grouped:
        superseded = row["verification__superseded"]
        _count(counts, SUPERSEDED if superseded else row["verification__outcome"], row["n"])
    return counts


def external_pending(*, pair: Pair) -> int:
    """Results of the pair's latest run whose DUPLICATE_EXTERNAL the KPU's next run would
    change (another pair's list changed since): stored, emptied by every upload of the
    election (verification.derived), not counted per request."""
    return derived.external_pending(pair=pair)


def may_export(*, user, pair: Pair) -> bool:
    """The result list as a file: the pair's own team (to prepare the repair) and the KPU
    running its election, whole; a KPU of an area inside the election (KPU Kab/Kota of a
    governor election) its area's part, as its results page shows it (scope_for: the export
    job writes results_visible's rows for the one who asked)."""
    if is_own_team(user=user, pair=pair) or manages_pair(user=user, pair=pair):
        return True
    area = user_area(user)
    return (
        may(user, Capability.RUN_ELECTIONS)
        and area is not None
        and code_within(area, pair.election.region_id)
    )


def exports_visible(*, user) -> QuerySet[Export]:
    """A user's own exports, of pairs they still see and may still export: an export is read
    by the one who asked for it and nobody else (a link passed on opens nothing)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Export.objects.none()
    return Export.objects.filter(requested_by=user, pair__in=pairs_visible(user=user))


def round_param(value) -> int | None:
    """The `round` query parameter of a page or API call: a known round, else None (all)."""
    value = str(value or "")
    return int(value) if value.isdigit() and int(value) in Round.values else None


def latest_run(*, pair: Pair, round: int | None = None) -> VerificationRun | None:
    runs = VerificationRun.objects.filter(pair=pair)
    if round is not None:
        runs = runs.filter(round=round)
    return runs.order_by("-started_at", "-pk").first()


def run_number(run: VerificationRun) -> int:
    """The run's number among its pair's runs (1, 2, 3, ...): what the pages show, rather than
    the id, which counts the runs of every pair of every election."""
    return VerificationRun.objects.filter(pair_id=run.pair_id, pk__lte=run.pk).count()


def rounds_waiting(*, pair: Pair) -> list[dict]:
    """Per round with supporters: {"round", "label", "total", "waiting"} (not yet verified).
    Added up from the list counts stored when the latest run ended and emptied by every upload
    (verification.derived): no GROUP BY over the pair's list per request."""
    totals: dict[int, int] = {}
    waiting: dict[int, int] = {}
    for _place, rnd, outcome, n in list_counts(pair=pair):
        totals[rnd] = totals.get(rnd, 0) + n
        if outcome is None:
            waiting[rnd] = waiting.get(rnd, 0) + n
    return [
        {
            "round": rnd,
            "label": Round(rnd).label,
            "total": total,
            "waiting": waiting.get(rnd, 0),
        }
        for rnd, total in sorted(totals.items())
    ]


def round_next(waiting: list[dict]) -> int | None:
    """The round a run should take (rounds_waiting): the earliest with supporters not yet
    verified, as the engine does by default; else the latest (a rerun); None without any."""
    for row in waiting:
        if row["waiting"]:
            return row["round"]
    return waiting[-1]["round"] if waiting else None


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
    """The pair's recap over the supporters living in `area` (None or "": the whole list).
    Every count is the area's; the pair's standing against the threshold only for the whole."""
    if not area:
        return recap_compute(pair=pair, round=round)
    recap = recap_compute(pair=pair, round=round, area=area)
    return dict(recap, by_region=_regions_in_area(recap.get("by_region") or {}, area))


def recap_for(*, user, pair: Pair, round: int | None) -> dict:
    """The recap in the user's scope, the scope named in it ("scope": whole, area, label)."""
    scope = scope_for(user=user, pair=pair)
    recap = recap_for_area(pair=pair, round=round, area=None if scope.whole else scope.area)
    return dict(recap, scope={"whole": scope.whole, "area": scope.area, "label": str(scope.label)})


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
    """The pair's red flags that the user's area covers (the caller checks may_see_red_flags):
    stored when the pair's latest run ended (verification.derived), not computed per request."""
    return flags_in_area(
        red_flags_stored(pair=pair), user_area(user), election_region=pair.election.region_id
    )


def roll_import_use(imp) -> str | None:
    """Why a voter-roll import can no longer be undone (electorate.services.roll_import_undo):
    a verification run read the roll with this file in it, and its results point at those
    voters. None if no run did."""
    runs = VerificationRun.objects.filter(
        Q(roll_id=imp.roll_id) | Q(dp4_roll_id=imp.roll_id)  # the DPT, or the DP4 beside it
    ).select_related("pair")
    for run in runs.order_by("pk"):
        if imp.sha256 in (run.roll_sha256 or []):
            return _(
                "Impor ini tidak dapat dibatalkan: verifikasi administrasi %(pair)s (putaran "
                "#%(n)s, %(date)s) sudah mencocokkan pendukung dengan pemilih dari berkas ini, "
                "dan hasilnya merujuk pemilih tersebut. Bila berkas ini keliru, impor berkas "
                "perbaikannya lalu jalankan verifikasi lagi."
            ) % {
                "pair": run.pair.name,
                "n": run_number(run),
                "date": date_format(run.started_at, "SHORT_DATE_FORMAT"),
            }
    return None
