"""{{ n|angka }}: 618968 -> 618.968, as Indonesian minutes write numbers (whatever the locale)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def angka(value) -> str:
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return str(value)
