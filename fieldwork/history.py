"""A task's history as the task page shows it (a selector: plain data, no writes): its records,
oldest first, each change as a label with the value before and after."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from fieldwork import findings
from fieldwork.models import Method, Result, Task

FIELD_LABELS = {
    "finding": _lazy("Hasil"),
    "method": _lazy("Metode"),
    "visited_on": _lazy("Tanggal"),
    "deceased_on": _lazy("Tanggal meninggal"),
    "chosen_pair_id": _lazy("Pasangan pilihan"),
    "attested": _lazy("Penolakan disaksikan"),
    "struck": _lazy("Dicoret karena tanggapan masyarakat"),
    "result": _lazy("Status"),
}


def _shown(name: str, value, pair_names: dict[int, str]) -> str:
    if value in (None, ""):
        return "–"
    if name == "finding":
        return findings.label(value)
    if name == "method":
        return str(Method(value).label) if value in Method.values else str(value)
    if name == "result":
        return str(Result(value).label) if value in Result.values else str(value)
    if name in ("visited_on", "deceased_on"):
        return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if name == "chosen_pair_id":
        return pair_names.get(value, str(value))
    if name in ("attested", "struck"):
        return _("ya") if value else _("tidak")
    return str(value)


def task_history(*, task: Task, pairs) -> list[dict]:
    pair_names = {p.pk: p.name for p in pairs}
    return [
        {
            "record": record,
            "changes": [
                {
                    "label": FIELD_LABELS.get(name, name),
                    "before": _shown(name, record.before.get(name), pair_names),
                    "after": _shown(name, value, pair_names),
                }
                for name, value in record.values.items()
            ],
        }
        for record in task.records.select_related("by", "sheet", "advice").order_by("at", "pk")
    ]
