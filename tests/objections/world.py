"""Objections on top of the shared two-sided `world` (tests/conftest.py): per side, a
citizen's objection (with a statement) about the first supporter of the side's pair. Used by
tests/test_access_matrix.py."""

from __future__ import annotations

import io
from types import SimpleNamespace

from candidates.models import Supporter
from objections.lookup import token_make
from objections.services import objection_submit
from tests.objections.people import PDF


def objections_objects_add(world: SimpleNamespace) -> SimpleNamespace:
    """world.objects[side]["objection"]."""
    if "objection" in world.objects["a"]:
        return world
    for side in ("a", "b"):
        pair = world.objects[side]["pair"]
        supporter = Supporter.objects.filter(pair=pair).order_by("pk").first()
        support = SimpleNamespace(pair_id=pair.pk, supporter_ids=[supporter.pk])
        world.objects[side]["objection"] = objection_submit(
            token=token_make(support),
            client="",
            kind="tidak_pernah",
            contact=f"0812000000{side}",
            statement_file=io.BytesIO(PDF + side.encode()),
            statement_size=len(PDF) + 1,
        )
    return world
