"""Support lists (form B.1-KWK) drawn from a generated roll, with planted defects, to disk.

Two passes, and neither holds a row in memory. The plan decides every row as one packed integer
(kelurahan bundle, re-entered copy, kab/kota, index, planted kind) and sorts them, so the file
comes out in kelurahan bundles like the paper forms; the writer turns each integer back into
cells (defects.row_cells) and numbers the sheets (HALAMAN). The Manifest says what the list
holds and what verification must find in it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from seeds.defects import (
    KIND_REASONS,
    ONLY_SUPPORT_KINDS,
    REASONS,
    ROLL_KINDS,
    K,
    expected,
    outside_kelurahan,
    row_cells,
    row_hash,
    support_only_person,
)
from seeds.dki import OUTSIDE_PREFERRED, spread
from seeds.formatting import Styler, SupportWriter
from seeds.nik import seed_int
from seeds.population import Area, RollSpec

ROWS_PER_SHEET = 10


@dataclass
class Manifest:
    """What a generated support list holds and what verification must find in it."""

    path: str
    fmt: str
    rows: int  # data rows in the file
    rejected: int  # rows intake must refuse (Excel-mangled NIKs)
    accepted: int
    kinds: dict[str, int]  # rows per planted kind
    kind_reasons: dict[str, list[str]]  # the full set of reasons each kind must get
    reasons: dict[str, int]  # expected supporters per reason code
    outcomes: dict[str, int]  # expected MS / BMS / TMS under the 2024 defaults
    rows_by_kabkota: dict[str, int]  # rows whose KODE_WILAYAH lies in each kab/kota
    other_pair: dict | None = None  # the second pair's list, when one was written

    @property
    def ms(self) -> int:
        return self.outcomes["MS"]

    def to_dict(self) -> dict:
        return asdict(self)


def _outside_codes(election_region: str) -> list[str]:
    from electorate.models import Region

    kels = Region.objects.filter(level=Region.Level.KELURAHAN).exclude(
        code__startswith=election_region + "."
    )
    preferred = [c for c in kels.values_list("code", flat=True) if c.startswith(OUTSIDE_PREFERRED)]
    codes = preferred or list(kels.values_list("code", flat=True)[:500])
    return sorted(codes)


def _style_salt(seed: int) -> int:
    # Shifted clear of the index bits so that it changes the styling hash, not the row identity.
    return seed_int(seed, "style") << 40


# --- the plan: every row as one sortable integer ---------------------------------------------


def _pack(kel: int, late: int, ci: int, idx: int, kind: int) -> int:
    """Sorts by kelurahan bundle, then re-entered copies last, then kab/kota and index."""
    return (kel << 45) | (late << 44) | (ci << 38) | (idx << 4) | kind


def _unpack(key: int) -> tuple[int, int, int, int]:
    """(kelurahan index, kab/kota index, index, kind) of a packed row."""
    return key >> 45, (key >> 38) & 0x3F, (key >> 4) & ((1 << 34) - 1), key & 0xF


@dataclass
class _Plan:
    keys: list[int] = field(default_factory=list)  # this list's rows
    other_keys: list[int] = field(default_factory=list)  # the other pair's rows
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # kab/kota -> kind -> rows
    all_kels: list[str] = field(default_factory=list)  # kelurahan index -> code


@dataclass
class _Keyer:
    """Packs one kab/kota's rows, knowing the kelurahan each will be written with."""

    ci: int
    area: Area
    kel_index: dict[str, int]
    outside: list[str]
    salt: int

    def voter_rows(self, picked: list[int], want: dict[str, int]) -> tuple[list[int], list[int]]:
        """(this list's rows from the roll, the other pair's rows), dealt from sampled voters."""
        area, ci, kel_index = self.area, self.ci, self.kel_index
        keys: list[int] = []
        other: list[int] = []
        kel_of_voter: dict[int, int] = {}
        pos = 0
        for kind in ROLL_KINDS:
            chosen = picked[pos : pos + want[kind]]
            pos += want[kind]
            for i in chosen:
                kel = kel_of_voter[i] = kel_index[area.voter(i).kelurahan]
                keys.append(_pack(kel, 0, ci, i, K[kind]))
            if kind == "CLEAN":  # some clean rows typed in twice, the copy later in the bundle
                again = chosen[: want["DUPLICATE_INTERNAL"]]
                keys += [_pack(kel_of_voter[i], 1, ci, i, K["DUPLICATE_INTERNAL"]) for i in again]
            elif kind == "DUPLICATE_EXTERNAL":  # the same voters on the other pair's list
                other += [_pack(kel_of_voter[i], 0, ci, i, K["CLEAN"]) for i in chosen]
        for i in picked[pos:]:
            other.append(_pack(kel_index[area.voter(i).kelurahan], 0, ci, i, K["CLEAN"]))
        return keys, other

    def outsider_rows(self, want: dict[str, int]) -> list[int]:
        """This list's rows of people in no roll."""
        keys = []
        for kind in ONLY_SUPPORT_KINDS:
            for j in range(want[kind]):
                h = row_hash(self.area, self.salt, j, K[kind])
                p = support_only_person(self.area, kind, j, h)
                # Bundled under the kelurahan the row will be typed with (row_cells).
                kel = (
                    outside_kelurahan(self.outside, h) if kind == "OUTSIDE_REGION" else p.kelurahan
                )
                keys.append(_pack(self.kel_index[kel], 0, self.ci, j, K[kind]))
        return keys


def _weights(
    roll: RollSpec, per_kabkota: dict[str, int], defects: dict[str, int]
) -> dict[str, int]:
    """Rows per kab/kota of the roll, in the roll's order (0 where the list has none)."""
    unknown = set(defects) - set(REASONS)
    if unknown:
        raise ValueError(f"alasan tidak dikenal: {sorted(unknown)}")
    codes = list(roll.per_kabkota)
    missing = set(per_kabkota) - set(codes)
    if missing:
        raise ValueError(f"kab/kota di luar DPT: {sorted(missing)}")
    return {c: per_kabkota.get(c, 0) for c in codes}


def _allocate(
    weights: dict[str, int], defects: dict[str, int], mangled: int, other_count: int
) -> dict[str, dict[str, int]]:
    """Rows per kind (and of the other pair's own voters, OTHER) per kab/kota, by weight."""
    alloc = {kind: spread(defects.get(kind, 0), weights) for kind in REASONS}
    alloc["REJECTED"] = spread(mangled, weights)
    alloc["OTHER"] = spread(other_count - defects.get("DUPLICATE_EXTERNAL", 0), weights)
    return alloc


def _area_counts(area: Area, rows: int, alloc: dict[str, dict[str, int]]) -> dict[str, int]:
    """Rows per planted kind in one kab/kota, the clean rows being what the defects leave."""
    want = {kind: alloc[kind][area.code] for kind in (*REASONS, "REJECTED")}
    clean = rows - sum(want.values())
    if clean < want["DUPLICATE_INTERNAL"] or clean < 0:
        raise ValueError(f"{area.code}: terlalu banyak cacat untuk {rows} baris")
    want["CLEAN"] = clean
    return want


def _sample(area: Area, want: dict[str, int], others: int, seed: int) -> list[int]:
    """The voters this list and the other pair's list draw from the roll, in dealing order."""
    need = sum(want[kind] for kind in ROLL_KINDS) + others
    if need > area.count:
        raise ValueError(f"{area.code}: {need} pendukung dari DPT, padahal DPT hanya {area.count}")
    rng = random.Random(seed_int(seed, "sample", area.code))
    return rng.sample(range(area.count), need)


def _check_support_capacity(area: Area, want: dict[str, int]) -> None:
    if (
        want["NOT_IN_ROLL"] + want["OUTSIDE_REGION"] > area.outsider.capacity()
        or want["UNDERAGE"] > area.minor.capacity()
        or want["NIK_INVALID"] > 2 * min(area.bad_month.capacity(), area.bad_day.capacity())
    ):
        raise ValueError(f"{area.code}: terlalu banyak baris di luar DPT untuk ruang NIK sintetis")


def _plan(
    roll: RollSpec,
    per_kabkota: dict[str, int],
    defects: dict[str, int],
    mangled: int,
    other_count: int,
    seed: int,
    outside: list[str],
) -> _Plan:
    """Packed sort keys of this list's rows and of the other pair's rows, plus counts."""
    salt = _style_salt(seed)
    weights = _weights(roll, per_kabkota, defects)
    alloc = _allocate(weights, defects, mangled, other_count)
    all_kels = sorted({k for c in weights for k in roll.area(c).kels} | set(outside))
    kel_index = {code: n for n, code in enumerate(all_kels)}
    plan = _Plan(all_kels=all_kels)
    for ci, code in enumerate(weights):
        area = roll.area(code)
        want = _area_counts(area, weights[code], alloc)
        picked = _sample(area, want, alloc["OTHER"][code], seed)
        keyer = _Keyer(ci=ci, area=area, kel_index=kel_index, outside=outside, salt=salt)
        keys, other_keys = keyer.voter_rows(picked, want)
        plan.keys += keys
        plan.other_keys += other_keys
        plan.keys += keyer.outsider_rows(want)
        _check_support_capacity(area, want)
        plan.counts[code] = want
    plan.keys.sort()
    plan.other_keys.sort()
    return plan


# --- writing ---------------------------------------------------------------------------------


def _write_rows(
    path,
    fmt: str,
    keys: Iterable[int],
    roll: RollSpec,
    outside: list[str],
    all_kels: list[str],
    salt: int,
) -> dict[str, int]:
    """Write packed rows in order; HALAMAN = sheet of 10 rows, a new sheet per kelurahan."""
    codes = list(roll.per_kabkota)
    style = Styler(fmt)
    writer = SupportWriter(path, fmt)
    by_kabkota: dict[str, int] = {}
    sheet, on_sheet, last_kel = 0, ROWS_PER_SHEET, -1
    try:
        for key in keys:
            kel, ci, idx, kind = _unpack(key)
            if kel != last_kel or on_sheet == ROWS_PER_SHEET:
                sheet, on_sheet, last_kel = sheet + 1, 0, kel
            on_sheet += 1
            cells, _p = row_cells(
                roll.area(codes[ci]),
                kind,
                idx,
                outside=outside,
                style=style,
                fmt=fmt,
                salt=salt,
            )
            written = all_kels[kel]
            if cells[8] != written:
                raise AssertionError(f"kelurahan mismatch {cells[8]} != {written}")
            kabkota = written.rsplit(".", 2)[0]
            by_kabkota[kabkota] = by_kabkota.get(kabkota, 0) + 1
            cells.append(sheet if fmt == "xlsx" else str(sheet))
            writer.write(cells)
    finally:
        writer.close()
    return by_kabkota


def support_generate(
    *,
    path: str | Path,
    roll: RollSpec,
    per_kabkota: dict[str, int],
    defects: dict[str, int],
    election_region: str,
    voting_day: dt.date | None = None,
    seed: int = 2,
    fmt: str = "csv",
    other_pair_path: str | Path | None = None,
    other_pair_count: int = 0,
    mangled: int = 0,
) -> Manifest:
    """A support list drawn from the roll, `per_kabkota` rows per kab/kota (row counts include
    the planted defects and the `mangled` rows), bundled per kelurahan like the paper forms.

    `defects`: rows per reason code, exactly one planted defect a row. DUPLICATE_EXTERNAL rows
    are also written, with other voters up to `other_pair_count` rows, to `other_pair_path`
    (a second pair's CSV list). `mangled`: rows whose NIK Excel ruined, which intake rejects.

    People outside the roll (NOT_IN_ROLL, UNDERAGE, NIK_INVALID rows) are derived from the roll's
    seed, not this list's: two lists generated from one roll share them, so plant them in one.
    """
    voting_day = voting_day or roll.voting_day
    if voting_day != roll.voting_day:
        raise ValueError("voting_day berbeda dengan DPT yang dibangkitkan")
    shared = defects.get("DUPLICATE_EXTERNAL", 0)
    if shared and (other_pair_path is None or other_pair_count < shared):
        raise ValueError(
            "DUPLICATE_EXTERNAL butuh other_pair_path dan other_pair_count >= jumlahnya"
        )
    outside = _outside_codes(election_region)
    if defects.get("OUTSIDE_REGION") and not outside:
        raise ValueError("Tidak ada kelurahan di luar wilayah pemilihan: muat provinsi lain dulu.")
    plan = _plan(
        roll,
        per_kabkota,
        defects,
        mangled,
        other_pair_count if other_pair_path else 0,
        seed,
        outside,
    )
    salt = _style_salt(seed)
    by_kabkota = _write_rows(path, fmt, plan.keys, roll, outside, plan.all_kels, salt)
    kinds = {
        kind: sum(c[kind] for c in plan.counts.values()) for kind in (*KIND_REASONS, "REJECTED")
    }
    reasons, outcomes = expected(kinds)
    other = None
    if other_pair_path is not None and other_pair_count:
        _write_rows(other_pair_path, "csv", plan.other_keys, roll, outside, plan.all_kels, salt)
        other = _other_pair_summary(other_pair_path, len(plan.other_keys), shared)
    rows = len(plan.keys)
    return Manifest(
        path=str(path),
        fmt=fmt,
        rows=rows,
        rejected=kinds["REJECTED"],
        accepted=rows - kinds["REJECTED"],
        kinds=kinds,
        kind_reasons={k: list(v) for k, v in KIND_REASONS.items()},
        reasons=reasons,
        outcomes=outcomes,
        rows_by_kabkota=dict(sorted(by_kabkota.items())),
        other_pair=other,
    )


def _other_pair_summary(path: str | Path, rows: int, shared: int) -> dict:
    """The other pair's list: all clean, but for the NIKs it shares with this one."""
    reasons = dict.fromkeys(REASONS, 0)
    reasons["DUPLICATE_EXTERNAL"] = shared
    return {
        "path": str(path),
        "rows": rows,
        "reasons": reasons,
        "outcomes": {"MS": rows - shared, "BMS": shared, "TMS": 0},
    }
