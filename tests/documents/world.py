"""Minutes on top of the shared two-sided `world` (tests/conftest.py, with the field work of
tests/fieldwork/world.py): per side, the vermin minutes of the side's pair, issued by its KPU.
Used by tests/test_access_matrix.py and tests/test_access_lists.py."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from documents.services import Meeting, minutes_issue
from tests.fieldwork.world import fieldwork_objects_add


def documents_objects_add(world: SimpleNamespace) -> SimpleNamespace:
    """world.objects[side]["minutes"] and ["minutes_code"] (the same minutes, by its code)."""
    fieldwork_objects_add(world)  # verifies both sides' pairs
    if "minutes" in world.objects["a"]:
        return world
    for side in ("a", "b"):
        minutes = minutes_issue(
            pair=world.objects[side]["pair"],
            stage="vermin",
            meeting=Meeting(date=dt.date(2024, 6, 20), place=f"Kantor KPU {side.upper()}"),
            by=world.users[f"kpu_{side}"],
        )
        world.objects[side]["minutes"] = minutes
        world.objects[side]["minutes_code"] = minutes
    return world
