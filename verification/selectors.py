"""Reads of verification results that the pages, the API and the exports share."""

from __future__ import annotations

from django.db.models import F, QuerySet

from candidates.models import Pair, Round, Supporter
from verification.models import AdminRun

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


def supporter_results(*, pair: Pair, round: int | None = None) -> QuerySet:
    """The pair's supporters with `outcome` and `reasons` (null until verified), in upload order.
    Filter by area with kelurahan_id, by result with outcome."""
    rows = Supporter.objects.filter(pair=pair)
    if round is not None:
        rows = rows.filter(round=round)
    return (
        rows.only(*SUPPORTER_FIELDS)
        .annotate(
            outcome=F("admin_result__outcome"),
            reasons=F("admin_result__reasons"),
            superseded=F("admin_result__superseded"),
        )
        .order_by("round", "upload_id", "row_number")
    )


def round_param(value) -> int | None:
    """The `round` query parameter of a page or API call: a known round, else None (all)."""
    value = str(value or "")
    return int(value) if value.isdigit() and int(value) in Round.values else None


def latest_run(*, pair: Pair, round: int | None = None) -> AdminRun | None:
    runs = AdminRun.objects.filter(pair=pair)
    if round is not None:
        runs = runs.filter(round=round)
    return runs.order_by("-started_at", "-pk").first()
