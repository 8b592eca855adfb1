"""What the objections' tests share: the `field` fixture's world (conftest.py), the NIKs it
planted, and the steps a citizen and a KPU officer take."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from candidates.models import Pair, Supporter
from fieldwork.models import Stage
from objections.lookup import supports_find, token_make
from objections.models import Objection
from objections.services import objection_clarify, objection_decide, objection_submit

BIRTH = dt.date(1990, 1, 12)  # make_nik's default birth date, which the case records
NAME = "BUDI SANTOSO"  # the case's default name, on the list and on the roll
# Planted in the `field` fixture: listed for pair A (and the first also for pair B).
NIKS = ["3171011201900501", "3171011201900502", "3171011201900503"]
NOT_LISTED = "3171011201909999"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Field:
    case: object
    pair: Pair
    stage: Stage
    supporters: list[Supporter]
    users: dict


def citizen_objects(nik: str = NIKS[0], *, contact: str = "0812-3456-7890", **extra) -> Objection:
    """A citizen checks and objects to their first support found."""
    support = supports_find(nik=nik, birth_date=BIRTH, name=NAME)[0]
    return objection_submit(
        token=token_make(support),
        client="",
        kind=extra.pop("kind", Objection.Kind.NEVER),
        contact=contact,
        **extra,
    )


def clarified(objection: Objection, by) -> Objection:
    return objection_clarify(
        objection=objection,
        by=by,
        method="telepon",
        happened_at=timezone.now() - dt.timedelta(hours=1),
        note="Warga menyatakan tidak pernah menyerahkan KTP-el kepada tim.",
    )


def confirmed(objection: Objection, by) -> Objection:
    return objection_decide(
        objection=clarified(objection, by), by=by, confirmed=True, reason="Terbukti dicatut."
    )
