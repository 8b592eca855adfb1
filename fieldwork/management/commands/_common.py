"""What the fieldwork commands share: finding the pair, the user, and printing JSON."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import CommandError

from candidates.models import Pair


def pair_get(pk: int) -> Pair:
    pair = Pair.objects.select_related("election").filter(pk=pk).first()
    if pair is None:
        raise CommandError(f"Bakal pasangan calon dengan id {pk} tidak ditemukan.")
    return pair


def date_arg(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Tanggal {value!r} tidak dikenal: gunakan YYYY-MM-DD.") from exc


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
