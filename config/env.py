"""Typed settings from the environment: one reader instead of `int(env("X", "600") or 600)`.

An empty variable means the default, as an unset one does: deploy/pilkada.env.example lists
every variable, several of them empty (`CACHE_URL=`), so that an operator sees what exists.
(django-environ was the candidate; it parses an empty `X=` as the value "" and int("") fails.)
A value that does not read as its type stops the start with ImproperlyConfigured naming the
variable and what it takes, instead of a ValueError without a name, or a silent default.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import overload

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name: str) -> str | None:
    """The value as set (a key's bytes are never trimmed), None when unset or blank."""
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value


def _refuse(name: str, value: str, expected: str) -> ImproperlyConfigured:
    shown = value if len(value) <= 40 else value[:37] + "..."
    return ImproperlyConfigured(f"{name}={shown!r}: {name} takes {expected}")


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    """The text of `name` as it is set; the default when unset or empty."""
    value = _raw(name)
    return default if value is None else value


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """A whole number (`600`, `-1`; `1_000` too), at least `minimum` when one is given."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise _refuse(name, value, "a whole number") from None
    if minimum is not None and number < minimum:
        raise _refuse(name, value, f"a whole number of at least {minimum}")
    return number


def env_float(name: str, default: float) -> float:
    """A decimal number written with a point (`0.0002`)."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise _refuse(name, value, "a decimal number with a point, e.g. 0.25") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _refuse(name, value, "a finite decimal number")
    return number


def env_bool(name: str, default: bool) -> bool:
    """1/true/yes/on or 0/false/no/off, in any case; anything else is refused (a typo such as
    `ture` must not silently mean off)."""
    value = _raw(name)
    if value is None:
        return default
    if value.strip().lower() in TRUE:
        return True
    if value.strip().lower() in FALSE:
        return False
    raise _refuse(name, value, "1, true, yes, on or 0, false, no, off")


def env_list(name: str, default: Iterable[str], *, separator: str = ",") -> list[str]:
    """Items separated by commas, each stripped; empty items are dropped (`a, b,` is a, b)."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(separator) if item.strip()]


def env_int_map(name: str, default: dict[str, int]) -> dict[str, int]:
    """`key=number,key=number` overriding some of `default`'s keys (the others keep theirs); a
    key outside them, or a number that is not whole, is refused."""
    table = dict(default)
    for item in env_list(name, ()):
        key, sep, number = (part.strip() for part in item.partition("="))
        if not sep or key not in table:
            raise _refuse(name, item, f"key=number items, the keys among {', '.join(table)}")
        try:
            table[key] = int(number)
        except ValueError:
            raise _refuse(name, item, f"a whole number after {key}=") from None
    return table
