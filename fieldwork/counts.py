"""Counting a stage's tasks by area, and the closures that froze those counts."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from fieldwork import findings
from fieldwork.models import Closure, Result, Stage, Task
from fieldwork.rules import TO_VISIT
from staff.access import q_within, region_prefixes

# Read once: an enum's .values builds its list anew on every call (once per kelurahan here).
RESULTS = tuple(Result.values)


def empty_counts() -> dict:
    """MS, TMS, PENDING, total; todo: still to visit (rules.TO_VISIT: no finding and not TMS,
    where by_finding[""] also holds the TMS without a visit, e.g. a double who chose another
    pair); by_finding."""
    return {
        **dict.fromkeys(RESULTS, 0),
        "total": 0,
        "todo": 0,
        # Every finding of the table (fieldwork.findings), read when asked, and "" (none).
        "by_finding": dict.fromkeys(("", *findings.codes()), 0),
    }


def add_counts(target: dict, source: dict) -> None:
    for key in (*RESULTS, "total", "todo"):
        target[key] += source.get(key, 0)
    for finding, n in source.get("by_finding", {}).items():
        target["by_finding"][finding] = target["by_finding"].get(finding, 0) + n


def kelurahan_counts(stage: Stage, area: str | None = None) -> dict[str, dict]:
    """Counts per kelurahan of the stage (inside `area`, if given): one GROUP BY. Each also
    says when its latest supporter not met (and not TMS yet) was: "not_met_last", what
    closing.close_refusal asks of a kelurahan beside its todo (not a count: not summed up)."""
    tasks = Task.objects.filter(stage=stage)
    if area:
        tasks = tasks.filter(q_within("kelurahan_code", area))
    per: dict[str, dict] = {}
    not_met = Q(finding__in=findings.not_met_codes()) & ~Q(result=Result.TMS)
    rows = tasks.values("kelurahan_code", "result", "finding").annotate(
        n=Count("pk"),
        todo=Count("pk", filter=TO_VISIT),
        not_met_last=Max("not_met_on", filter=not_met),
    )
    for row in rows.order_by():
        entry = per.setdefault(row["kelurahan_code"], {**empty_counts(), "not_met_last": None})
        entry[row["result"]] += row["n"]
        entry["total"] += row["n"]
        entry["by_finding"][row["finding"]] = entry["by_finding"].get(row["finding"], 0) + row["n"]
        entry["todo"] += row["todo"]
        if row["not_met_last"] is not None:
            entry["not_met_last"] = max(filter(None, (entry["not_met_last"], row["not_met_last"])))
    return per


def area_counts(stage: Stage, area: str) -> dict:
    total = empty_counts()
    for counts in kelurahan_counts(stage, area).values():
        add_counts(total, counts)
    return total


def active_closures(stage: Stage, area: str | None = None) -> dict[str, Closure]:
    closures = Closure.objects.filter(stage=stage, reopened_at__isnull=True)
    if area:
        closures = closures.filter(q_within("region_code", area))
    return {c.region_code: c for c in closures}


def kelurahan_closed(stage_id: int, code: str) -> bool:
    return Closure.objects.filter(
        stage_id=stage_id, region_code=code, reopened_at__isnull=True
    ).exists()


def closures_refresh(stage: Stage, kelurahan_code: str) -> None:
    """After a KPU correction inside closed areas, their frozen counts follow it, so that each
    level still adds up exactly to the level below."""
    codes = region_prefixes(kelurahan_code)
    for closure in Closure.objects.filter(
        Q(region_code__in=codes), stage=stage, reopened_at__isnull=True
    ):
        closure.counts = area_counts(stage, closure.region_code)
        closure.save(update_fields=["counts"])
