"""The figures a Berita Acara prints, for one stage and one level, as plain JSON (kept with the
minutes: documents.models.Minutes.figures).

Where they come from, so that the PDF says what `recap --json` says for the same scope:
- vermin round N: verification.recap.recap_compute(round=N) (the round's MS/BMS/TMS and
  reasons), held against the standing frozen when that round's verification ended
  ("vermin:N" in candidates.Standing: the MS carried from closed factual verifications plus
  the administrative MS since);
- verfak stage N: fieldwork.counts (the stage's tasks per kelurahan; the breakdown by what was
  found and why, MS rows adding up to MS and TMS rows to TMS) and the standing frozen when the
  stage closed ("verfak:N");
- decision: the Decision's own standing (the figures it was decided on, its MS per kelurahan).

A frozen point is issuable at any time after it was reached, whatever came after.

Counts are listed per area one level below the minutes' level (kab/kota for a province,
kecamatan for a kab/kota); supporters placed outside the election's region (OUTSIDE_REGION)
get a row of their own at the election's level, so the rows always add up to the total.
The threshold, spread and shortfall belong to the election's level only: minutes of a kab/kota
of a governor election print its counts, the threshold is held at the province's.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.kinds import election_kind
from candidates.models import Election, Pair, Round
from candidates.standing import standing_read
from decisions.models import Decision
from documents.submission import penelitian_figures, repair_minimum_figures
from electorate.areas import code_ancestor, code_depth
from electorate.models import Region
from fieldwork.counts import active_closures, kelurahan_counts
from fieldwork.models import Result, Stage, Task
from fieldwork.rules import NOTES
from staff.access import code_within, q_within
from verification.models import VerificationResult, VerificationRun
from verification.recap import recap_compute
from verification.rules import REASON_LABELS, Reason, reason_counts_sql, run_outcomes

OUTSIDE = "luar"  # the row of supporters placed outside the election's region
LEVEL_NAMES = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "kelurahan/desa"}


def levels_allowed(election: Election) -> list[str]:
    """Where minutes may be issued: the election's region and, for a governor election, each
    of its kab/kota (the KPU Kab/Kota's recap of its part): the kind's minutes levels."""
    depths = election_kind(election).minutes_depths()
    codes = [election.region_id]
    if len(depths) > 1:
        codes += list(
            Region.objects.filter(
                code__startswith=election.region_id + ".", level__in=list(depths)[1:]
            )
            .order_by("code")
            .values_list("code", flat=True)
        )
    return codes


def figures_compute(*, pair: Pair, stage: str, round: int, area: str) -> dict:
    """What the minutes of `stage` (vermin, verfak, decision) for `area` print. Raises
    ValidationError (in Indonesian) when the stage has nothing final to minute yet."""
    election = pair.election
    if area not in levels_allowed(election):
        raise ValidationError(
            _("Berita acara hanya untuk wilayah pemilihan atau kabupaten/kota di dalamnya.")
        )
    region = Region.objects.get(code=area)
    base = {
        "stage": stage,
        "round": round,
        "area": {"code": area, "name": region.name, "level": code_depth(area)},
        "unit_level": LEVEL_NAMES[code_depth(area) + 1],
        "top": area == election.region_id,
    }
    if stage == "penelitian":  # the count-and-spread check of the list as submitted
        return {**base, **penelitian_figures(pair=pair, top=base["top"])}
    if stage == "vermin":
        minimum = repair_minimum_figures(pair=pair, round=round) if base["top"] else {}
        return {**base, **_vermin(pair, round, area, top=base["top"]), **minimum}
    if stage == "verfak":
        return {**base, **_verfak(pair, round, area, top=base["top"])}
    if stage == "decision":
        if not base["top"]:
            raise ValidationError(_("Penetapan hanya diterbitkan pada tingkat wilayah pemilihan."))
        return {**base, **_decision(pair, area)}
    raise ValidationError(_("Tahap tidak dikenal: %(stage)s.") % {"stage": stage})


# --- per area ---------------------------------------------------------------------------------


def _unit_rows(per_kelurahan: dict[str, list[int]], area: str, *, top: bool, width: int):
    """Rows one level below `area`: every child region (zeros too), plus, at the election's
    level, the supporters placed outside it. Each row: {"code", "name", "counts": [...]}."""
    unit_depth = code_depth(area) + 1
    children = dict(
        Region.objects.filter(parent_id=area).order_by("code").values_list("code", "name")
    )
    sums: dict[str, list[int]] = {code: [0] * width for code in children}
    outside = [0] * width
    for code, counts in per_kelurahan.items():
        if code_within(code, area):
            unit = code_ancestor(code, unit_depth)
            target = sums.setdefault(unit, [0] * width)
        elif top:
            target = outside
        else:
            continue
        for i, n in enumerate(counts):
            target[i] += n
    rows = [
        {"code": code, "name": children.get(code, code), "counts": counts}
        for code, counts in sorted(sums.items())
    ]
    if top and any(outside):
        rows.append(
            {
                "code": OUTSIDE,
                "name": _("Tempat tinggal di luar wilayah pemilihan"),
                "counts": outside,
            }
        )
    total = [sum(row["counts"][i] for row in rows) for i in range(width)]
    return rows, total


def _kelurahan_leaves(tree: dict) -> dict[str, list[int]]:
    """recap_compute's by_region tree -> {kelurahan: [MS, BMS, TMS, total]}."""
    leaves = {}
    for kab in tree.values():
        for kec in kab["kecamatan"].values():
            for code, kel in kec["kelurahan"].items():
                leaves[code] = [kel["MS"], kel["BMS"], kel["TMS"], kel["total"]]
    return leaves


# --- the stages ---------------------------------------------------------------------------


def _vermin(pair: Pair, round: int, area: str, *, top: bool) -> dict:
    done = VerificationRun.objects.filter(
        pair=pair, round=round, status=VerificationRun.Status.DONE
    )
    if not done.exists():
        raise ValidationError(
            _("Verifikasi administrasi %(round)s belum selesai: belum ada hasil untuk dicatat.")
            % {"round": Round(round).label}
        )
    keys = ("MS", "BMS", "TMS", "total")
    # Frozen when the round's run ended (its counts and the standing it left); a run from
    # before points were kept: the results and the standing now.
    frozen = standing_read(pair=pair, point=f"vermin:{round}")
    if frozen is not None and "counts" in frozen:
        per = _frozen_rows(frozen, keys)
        reasons = _frozen_breakdown(frozen, area, top=top)
    else:
        recap = recap_compute(pair=pair, round=round)
        per = _kelurahan_leaves(recap["by_region"])
        reasons = recap["reasons"] if top else _area_reasons(pair, round, area)
        frozen = standing_read(pair=pair)
    rows, total = _unit_rows(per, area, top=top, width=4)
    # The status each reason leads to, as the round's last run applied it: the minutes print it
    # beside the reason's Indonesian name (not the code, NOT_IN_ROLL, which is no word of theirs).
    last = done.order_by("-pk").first()
    outcomes = run_outcomes(last.reason_outcomes if last else {}, pair.election)
    return {
        "round_label": str(Round(round).label),
        "columns": ["MS", "BMS", "TMS", _("Jumlah")],
        "totals": _totals(total, keys),
        "breakdown": [
            {
                "key": r.name,
                "label": str(REASON_LABELS[r]),
                "result": outcomes.get(r.name, ""),
                "n": reasons.get(r.name, 0),
            }
            for r in Reason
        ],
        "rows": rows,
        "row_total": total,
        "held": _held(frozen) if top and frozen else None,
    }


def _frozen_rows(frozen: dict, keys: tuple[str, ...]) -> dict[str, list[int]]:
    """A frozen point's counts per kecamatan as rows' input: {kecamatan: [n per key]}."""
    return {
        code: [counts.get(key, 0) for key in keys]
        for code, counts in frozen["counts"]["kecamatan"].items()
    }


def _frozen_breakdown(frozen: dict, area: str, *, top: bool) -> dict[str, int]:
    """A frozen point's breakdown summed over the area (at the election's level, those placed
    outside it too, as the rows count them)."""
    sums: dict[str, int] = {}
    for code, counts in frozen["counts"]["breakdown"].items():
        if top or code_within(code, area):
            for key, n in counts.items():
                sums[key] = sums.get(key, 0) + n
    return sums


def _area_reasons(pair: Pair, round: int, area: str) -> dict[str, int]:
    """Per-reason counts of the round inside one area (recap_compute counts them for the whole
    scope only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {reason_counts_sql()} FROM {VerificationResult._meta.db_table} "
            "WHERE pair_id = %s AND round = %s AND (kelurahan_code = %s OR kelurahan_code LIKE %s)",
            [pair.pk, round, area, area + ".%"],
        )
        sums = cursor.fetchone()
    return {r.name: int(n or 0) for r, n in zip(Reason, sums, strict=True)}


def _verfak(pair: Pair, number: int, area: str, *, top: bool) -> dict:
    stage = Stage.objects.filter(pair=pair, number=number).select_related("pair__election").first()
    if stage is None:
        raise ValidationError(_("Verifikasi faktual %(n)s belum dimulai.") % {"n": number})
    if stage.status != Stage.Status.CLOSED and area not in active_closures(stage, area):
        raise ValidationError(
            _(
                "Verifikasi faktual %(n)s di wilayah ini belum ditutup: berita acara "
                "diterbitkan setelah hasilnya ditutup."
            )
            % {"n": number}
        )
    keys = (Result.MS, Result.TMS, Result.PENDING, "total")
    # Frozen when the stage closed at the election's level (its counts and the standing it
    # left): what its plenary signed, whatever came after. An area closed in a stage still
    # open elsewhere: its counts now.
    frozen = standing_read(pair=pair, point=f"verfak:{number}")
    if stage.status == Stage.Status.CLOSED and frozen is not None and "counts" in frozen:
        per = _frozen_rows(frozen, keys)
        found = _frozen_breakdown(frozen, area, top=False)
    else:
        per = {
            code: [counts[k] for k in keys]
            for code, counts in kelurahan_counts(stage, area).items()
        }
        found = _live_breakdown(stage, area)
    rows, total = _unit_rows(per, area, top=False, width=4)
    held = None
    if top:
        if frozen is None:
            raise ValidationError(
                _("Verifikasi faktual %(n)s belum ditutup di tingkat wilayah pemilihan.")
                % {"n": number}
            )
        held = _held(frozen)
    return {
        "round_label": _("Verifikasi faktual %(n)s") % {"n": number},
        "administrative_round": stage.round,
        "window": [stage.opens.isoformat(), stage.closes.isoformat()],
        "columns": ["MS", "TMS", _("Belum selesai"), _("Jumlah")],
        "totals": _totals(total, ("MS", "TMS", "PENDING", "total")),
        "breakdown": _verfak_breakdown(found),
        "rows": rows,
        "row_total": total,
        "held": held,
    }


def _live_breakdown(stage: Stage, area: str) -> dict[str, int]:
    counts = (
        Task.objects.filter(stage=stage)
        .filter(q_within("kelurahan_code", area))
        .values("result", "note")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {f"{row['result']}:{row['note']}": row["n"] for row in counts}


def _verfak_breakdown(found: dict[str, int]) -> list[dict]:
    """Why each supporter ended MS, TMS or still pending (fieldwork.rules.NOTES): one row per
    (result, why), every result's rows adding up to its total; a double supporter who chose
    the other pair has a row of its own."""
    found = dict(found)
    rows = []
    for result in (Result.MS, Result.TMS, Result.PENDING):
        part = []
        for note, label in NOTES.items():
            key = f"{result}:{note}"
            n = found.pop(key, 0)
            if n or (result, note) in SHOWN_ALWAYS:
                part.append({"key": key, "result": result, "label": str(label), "n": n})
        for key in [k for k in found if k.split(":")[0] == result]:  # a note not in NOTES
            part.append({"key": key, "result": result, "label": key, "n": found.pop(key)})
        if part or result != Result.PENDING:
            rows += part
            rows.append(
                {
                    "key": result,
                    "result": result,
                    "label": str(SUBTOTAL_LABELS[result]),
                    "n": sum(row["n"] for row in part),
                    "subtotal": True,
                }
            )
    return rows


SUBTOTAL_LABELS = {
    Result.MS: gettext_lazy("Jumlah MS"),
    Result.TMS: gettext_lazy("Jumlah TMS"),
    Result.PENDING: gettext_lazy("Jumlah belum selesai"),
}
# Rows printed even at zero: what a plenary asks about every time.
SHOWN_ALWAYS = {
    (Result.MS, "CONFIRMED"),
    (Result.TMS, "DENIED_SIGNED"),
    (Result.TMS, "NOT_MET_EXPIRED"),
    (Result.TMS, "CHOSE_OTHER"),
}


def _decision(pair: Pair, area: str) -> dict:
    decision = Decision.objects.filter(pair=pair).first()
    if decision is None:
        raise ValidationError(_("Keputusan untuk pasangan ini belum ditetapkan."))
    final = decision.standing["final"]
    per = {code: [n] for code, n in final.get("by_kelurahan", {}).items()}
    rows, total = _unit_rows(per, area, top=False, width=1)
    return {
        "round_label": _("Penetapan"),
        "result": decision.result,
        "result_label": str(Decision.Result(decision.result).label),
        "decided_at": decision.decided_at.isoformat(),
        "columns": [_("MS akhir")],
        "totals": [
            {"key": "MS", "label": _("Dukungan memenuhi syarat (MS) akhir"), "n": final["MS"]}
        ],
        "breakdown": [],
        "rows": rows,
        "row_total": total,
        # The decision is the status now, not the repair a standing would still ask for.
        "held": {
            **_held(final),
            "status_label": str(Decision.Result(decision.result).label),
        },
    }


# --- shared pieces ----------------------------------------------------------------------------

TOTAL_LABELS = {
    "MS": gettext_lazy("Memenuhi syarat (MS)"),
    "BMS": gettext_lazy("Belum memenuhi syarat (BMS)"),
    "TMS": gettext_lazy("Tidak memenuhi syarat (TMS)"),
    "PENDING": gettext_lazy("Belum selesai diverifikasi"),
    "total": gettext_lazy("Jumlah"),
}


def _totals(total: list[int], keys: tuple[str, ...]) -> list[dict]:
    return [
        {"key": k, "label": str(TOTAL_LABELS[k]), "n": n} for k, n in zip(keys, total, strict=True)
    ]


def _held(source: dict) -> dict:
    """The threshold part of a standing (candidates.standing): the MS that counts held against
    the minimum support and the spread, the shortfall and the repair it calls for."""
    spread = source["spread"]
    return {
        "MS": source["MS"],
        "carried": source.get("carried", 0),
        "since": source.get("since", 0),
        "threshold": source["threshold"],
        "meets_threshold": source["meets_threshold"],
        "spread_required": spread["required"],
        "spread_achieved": spread["achieved"],
        "spread_units": spread["units"],
        "spread_level": "kabupaten/kota" if spread["unit_level"] == "kabkota" else "kecamatan",
        "spread_shortfall": spread["shortfall"],
        "shortfall": source["shortfall"],
        "repair_required": source["repair_required"],
        "status_label": source["status_label"],
    }
