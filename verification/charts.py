"""The recap's charts, drawn here as SVG: no JavaScript library, nothing fetched from a network,
nothing the Content-Security-Policy has to allow (an inline <svg> runs no script).

Each builder returns a Chart: the SVG, a caption that names the scope of its figures, and the
same figures as a table (`columns`, `rows`) that the page puts beside it for screen readers
(templates/verification/_chart.html). The SVG itself is hidden from them: the table says it all.

Made for a 390 px phone first: no viewBox, so the text keeps its size in pixels whatever the
width, while bars and tiles are laid out in percentages of the width and stretch with it.
Labels sit above their bar, never beside it, so a long name does not squeeze the bar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from electorate.areas import code_parent

COLOURS = {"MS": "#1e7b45", "BMS": "#d48a00", "TMS": "#b3261e"}
BMS_LIGHT = "#f3d9a4"
TRACK = "#e6e9ee"
INK = "#1c2430"
MUTED = "#5b6676"
FONT = 13  # px, the body text of a phone is 16: a chart's labels stay readable at 13
ROW = 40  # px per bar: a line of text, the bar, and air
BAR = 14
BAR_SPAN = 84.0  # percent of the width for the bars; the figure sits right of them
MAX_ROWS = 40
TILE = 64  # px, the height of a tile of the spread map


@dataclass
class Chart:
    """One chart: `title` says what is drawn, `scope` whose figures they are (the page's
    scope, named under every title); `columns` and `rows` are the same figures as a table."""

    title: str
    scope: str
    svg: SafeString
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    key: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def caption(self) -> str:
        """Title and scope in one line: the table's caption, for screen readers."""
        return f"{self.title}: {self.scope}"


def n(value: int | float) -> str:
    """618968 -> 618.968, as the pages write numbers (Indonesian grouping)."""
    return number_format(value, force_grouping=True)


def pct(part: float, whole: float) -> str:
    """A share as 12,3%; below 0,1% it says so rather than 0,0%."""
    if not whole:
        return "–"
    share = 100 * part / whole
    if 0 < share < 0.1:
        return "< 0,1%"
    return f"{number_format(round(share, 1), 1)}%"


def _svg(height: int, body: Iterable[str], label: str) -> SafeString:
    text = "".join(body)
    return mark_safe(  # noqa: S308 (every text in it went through escape())
        f'<svg class="chart-svg" width="100%" height="{height}" aria-hidden="true" '
        f'focusable="false" font-size="{FONT}" data-chart="{escape(label)}">{text}</svg>'
    )


def _text(
    x: str, y: float, content: str, *, anchor: str = "start", fill: str = INK, **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{x}" y="{y:g}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(content)}</text>"
    )


def _rect(x: float, y: float, width: float, height: float, fill: str, **attrs: str) -> str:
    """x and width in percent of the chart's width, y and height in pixels."""
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<rect x="{x:.3f}%" y="{y:g}" width="{max(width, 0):.3f}%" height="{height:g}" '
        f'fill="{fill}"{extra}/>'
    )


def _short(name: str, limit: int = 30) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


# --- progress towards the threshold -----------------------------------------------------------


def progress_chart(*, ms: int, bms: int, threshold: int, scope: str) -> Chart:
    """MS (cumulative) against the threshold: a bar to 100%, the BMS that a repair could still
    turn into MS drawn after it, lighter. Past the threshold the bar is full and says so."""
    top = 24
    share = min(1.0, ms / threshold) if threshold else 0.0
    width = 100 * share
    if ms and width < 0.6:
        width = 0.6  # a sliver that can be seen; the figure beside it is exact
    bms_width = min(100 - width, 100 * bms / threshold) if threshold else 0.0
    body = [
        _text("0", 16, _("MS %(ms)s dari %(t)s") % {"ms": n(ms), "t": n(threshold)}),
        _text("100%", 16, pct(ms, threshold), anchor="end", font_weight="700"),
        _rect(0, top, 100, 22, TRACK, rx="4"),
        _rect(width, top, bms_width, 22, BMS_LIGHT),
        _rect(0, top, width, 22, COLOURS["MS"]),
        _rect(99.6, top - 4, 0.4, 30, INK),
    ]
    for tick in (0, 25, 50, 75, 100):
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        body.append(_text(f"{tick}%", top + 42, f"{tick}%", anchor=anchor, fill=MUTED))
    rows = [
        [_("MS (kumulatif)"), n(ms)],
        [_("Syarat minimal"), n(threshold)],
        [_("MS terhadap syarat"), pct(ms, threshold)],
        [_("Kekurangan"), n(max(0, threshold - ms))],
        [_("BMS (dapat diperbaiki)"), n(bms)],
    ]
    return Chart(
        title=_("Kemajuan menuju syarat minimal dukungan"),
        scope=scope,
        svg=_svg(top + 48, body, "progress"),
        columns=[_("Angka"), _("Jumlah")],
        rows=rows,
        key="progress",
        legend=[(COLOURS["MS"], "MS"), (BMS_LIGHT, _("BMS (dapat diperbaiki)"))],
    )


# --- MS/BMS/TMS per area ----------------------------------------------------------------------


def stacked_chart(*, areas: Sequence[dict], level_label: str, scope: str) -> Chart:
    """One bar per area ({"name", "code", "MS", "BMS", "TMS"}), its length the area's total
    against the largest, split MS / BMS / TMS. At most MAX_ROWS bars, the largest ones."""
    shown = sorted(areas, key=lambda a: -(a["MS"] + a["BMS"] + a["TMS"]))[:MAX_ROWS]
    shown.sort(key=lambda a: (a.get("outside", False), a["code"]))
    largest = max((a["MS"] + a["BMS"] + a["TMS"] for a in shown), default=0) or 1
    body = []
    rows = []
    for i, area in enumerate(shown):
        y = i * ROW
        total = area["MS"] + area["BMS"] + area["TMS"]
        body.append(_text("0", y + 14, _short(area["name"], 44)))
        body.append(_text("100%", y + 32, n(total), anchor="end", font_weight="700"))
        body.append(_rect(0, y + 20, BAR_SPAN, BAR, TRACK))
        x = 0.0
        for outcome in ("MS", "BMS", "TMS"):
            width = BAR_SPAN * area[outcome] / largest
            body.append(_rect(x, y + 20, width, BAR, COLOURS[outcome]))
            x += width
        rows.append([area["name"], n(area["MS"]), n(area["BMS"]), n(area["TMS"]), n(total)])
    note = ""
    if len(areas) > len(shown):
        note = _("%(shown)s dari %(all)s wilayah dengan pendukung terbanyak.") % {
            "shown": n(len(shown)),
            "all": n(len(areas)),
        }
    return Chart(
        title=_("MS, BMS dan TMS per %(level)s") % {"level": level_label},
        scope=scope,
        svg=_svg(max(1, len(shown)) * ROW, body, "stacked"),
        columns=[level_label, "MS", "BMS", "TMS", _("Jumlah")],
        rows=rows,
        note=note,
        key="stacked",
        legend=[(COLOURS[o], o) for o in ("MS", "BMS", "TMS")],
    )


# --- the spread: which units are reached -------------------------------------------------------

# A schematic of DKI Jakarta's six kab/kota (column, row) on a 3-column grid: roughly where
# they lie (the Thousand Islands out at sea in the north-west), not their borders. No real
# geometry is shipped; any other region is drawn as a plain grid in code order.
TILE_LAYOUTS: dict[str, dict[str, tuple[int, int]]] = {
    "31": {
        "31.01": (0, 0),
        "31.72": (1, 1),
        "31.73": (0, 2),
        "31.71": (1, 2),
        "31.75": (2, 2),
        "31.74": (1, 3),
    },
}
NAME_PREFIXES = ("KOTA ADM. ", "KAB. ADM. ", "KOTA ADMINISTRASI ", "KABUPATEN ", "KAB. ", "KOTA ")


def tile_name(name: str) -> str:
    """KOTA ADM. JAKARTA PUSAT -> JAKARTA PUSAT: the tile is narrow, the table keeps it whole."""
    upper = name.upper()
    for prefix in NAME_PREFIXES:
        if upper.startswith(prefix):
            return name[len(prefix) :]
    return name


def tile_lines(name: str, width: int = 11) -> list[str]:
    """A tile's name on one line, or two split at the space nearest the middle (JAKARTA /
    UTARA): a third of a phone's width holds about 11 capitals at 13 px."""
    if len(name) <= width or " " not in name:
        return [_short(name, width + 3)]
    spaces = [i for i, ch in enumerate(name) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return [_short(name[:cut], width + 3), _short(name[cut + 1 :], width + 3)]


def spread_map(
    *,
    units: Sequence[dict],
    unit_label: str,
    required: int | None,
    parent: str,
    scope: str,
) -> Chart:
    """A tile per unit ({"code", "name", "MS"}): filled when it has MS supporters. A known
    layout (TILE_LAYOUTS[parent]) places the tiles like a map; otherwise a grid of 3."""
    layout = TILE_LAYOUTS.get(parent)
    if layout is None or any(u["code"] not in layout for u in units):
        layout = {u["code"]: (i % 3, i // 3) for i, u in enumerate(units)}
    rows_used = max((row for _c, row in layout.values()), default=-1) + 1
    body = []
    table = []
    reached = 0
    for unit in units:
        col, row = layout[unit["code"]]
        hit = unit["MS"] > 0
        reached += hit
        x, y = col * 100 / 3, row * TILE
        fill, ink = (COLOURS["MS"], "#ffffff") if hit else (TRACK, INK)
        body.append(_rect(x, y, 100 / 3, TILE, fill, stroke="#ffffff", stroke_width="4", rx="6"))
        centre = f"{x + 50 / 3:.3f}%"
        lines = tile_lines(tile_name(unit["name"]))
        for k, line in enumerate(lines):
            top = y + (24 if len(lines) == 1 else 19) + 14 * k
            body.append(_text(centre, top, line, anchor="middle", fill=ink, font_weight="700"))
        body.append(_text(centre, y + 52, f"MS {n(unit['MS'])}", anchor="middle", fill=ink))
        table.append([unit["name"], n(unit["MS"]), _("ya") if hit else _("belum")])
    if required:
        title = _(
            "Sebaran: %(reached)s dari %(units)s %(level)s memiliki dukungan MS (wajib %(req)s)"
        ) % {
            "reached": n(reached),
            "units": n(len(units)),
            "level": unit_label,
            "req": n(required),
        }
    else:
        title = _("%(level)s dengan dukungan MS: %(reached)s dari %(units)s") % {
            "level": unit_label.capitalize(),
            "reached": n(reached),
            "units": n(len(units)),
        }
    note = ""
    if parent in TILE_LAYOUTS and layout is TILE_LAYOUTS[parent]:
        note = _("Peta skematis: letak petak mengikuti letak wilayah, bukan batasnya.")
    return Chart(
        title=title,
        scope=scope,
        svg=_svg(max(1, rows_used) * TILE, body, "spread"),
        columns=[unit_label, "MS", _("Tercapai")],
        rows=table,
        note=note,
        key="spread",
        legend=[(COLOURS["MS"], _("ada MS")), (TRACK, _("belum ada MS"))],
    )


# --- the reasons --------------------------------------------------------------------------------


def reasons_chart(*, reasons: Sequence[tuple[str, int]], scope: str) -> Chart:
    """A bar per reason, longest first; a supporter can have several reasons, so the bars do
    not add up to the number of BMS and TMS supporters."""
    shown = sorted(reasons, key=lambda r: -r[1])
    largest = max((count for _l, count in shown), default=0) or 1
    body = []
    for i, (label, count) in enumerate(shown):
        y = i * ROW
        body.append(_text("0", y + 14, _short(label, 48)))
        body.append(_text("100%", y + 32, n(count), anchor="end", font_weight="700"))
        body.append(_rect(0, y + 20, BAR_SPAN, BAR, TRACK))
        body.append(_rect(0, y + 20, BAR_SPAN * count / largest, BAR, COLOURS["TMS"]))
    return Chart(
        title=_("Alasan BMS/TMS"),
        scope=scope,
        svg=_svg(max(1, len(shown)) * ROW, body, "reasons"),
        columns=[_("Alasan"), _("Pendukung")],
        rows=[[label, n(count)] for label, count in shown],
        note=_("Satu pendukung dapat memiliki lebih dari satu alasan."),
        key="reasons",
    )


# --- the recap page's charts --------------------------------------------------------------------


def _node_counts(code: str, entry: dict) -> dict:
    return {
        "code": code,
        "name": entry.get("name") or code,
        "MS": entry.get("MS", 0),
        "BMS": entry.get("BMS", 0),
        "TMS": entry.get("TMS", 0),
    }


def tree_children(by_region: dict, parent: str) -> list[dict]:
    """The nodes of a recap's by_region tree whose parent is `parent` (a region code): the
    kab/kota of a province, the kecamatan of a kab/kota, the kelurahan of a kecamatan."""
    found = []
    for kab, kab_entry in by_region.items():
        if code_parent(kab) == parent:
            found.append(_node_counts(kab, kab_entry))
        for kec, kec_entry in (kab_entry.get("kecamatan") or {}).items():
            if kab == parent:
                found.append(_node_counts(kec, kec_entry))
            for kel, kel_entry in (kec_entry.get("kelurahan") or {}).items():
                if kec == parent or (kel == parent and not found):
                    found.append(_node_counts(kel, kel_entry))
    return found


def outside_rows(by_region: dict, region: str) -> dict | None:
    """The supporters whose kelurahan lies outside the election's region, summed (they are in
    the whole list's figures and are drawn as one bar of their own), or None."""
    total = {"code": "~", "name": _("Di luar wilayah pemilihan"), "MS": 0, "BMS": 0, "TMS": 0}
    found = False
    for code, entry in by_region.items():
        if code == region or code.startswith(region + ".") or region.startswith(code + "."):
            continue
        found = True
        for outcome in ("MS", "BMS", "TMS"):
            total[outcome] += entry.get(outcome, 0)
    return dict(total, outside=True) if found else None


# The level one below a region's: what the bars and tiles of its recap stand for.
LEVEL_BELOW = {
    1: gettext_lazy("kab/kota"),
    2: gettext_lazy("kecamatan"),
    3: gettext_lazy("kelurahan/desa"),
    4: gettext_lazy("kelurahan/desa"),
}


def recap_charts(
    *,
    recap: dict,
    scope_label: str,
    whole: bool,
    parent: str,
    parent_level: int,
    reason_labels: Sequence[tuple[str, str]],
    area_units: Sequence[dict] | None = None,
) -> list[Chart]:
    """The four charts of the recap page, in reading order, for one scope: progress towards the
    threshold (the whole list only: a part of a list meets no threshold), the spread, MS/BMS/TMS
    per area one level below `parent` (the election's region, or the user's area), the reasons.

    `area_units`: for a part of the list, the regions one level below the area ({"code",
    "name"}) for the spread map (whose MS comes from the recap); None for the whole list,
    whose map is the law's spread units (recap["spread"]["by_unit"])."""
    charts = []
    by_region = recap.get("by_region") or {}
    spread = recap.get("spread") or {}
    cumulative = recap.get("cumulative") or {}
    if whole:
        charts.append(
            progress_chart(
                ms=cumulative.get("MS", 0),
                bms=cumulative.get("BMS", 0),
                threshold=recap.get("threshold", 0),
                scope=scope_label,
            )
        )
        units = spread.get("by_unit") or []
        if units:
            unit_label = _("kab/kota") if spread.get("unit_level") == "kabkota" else _("kecamatan")
            charts.append(
                spread_map(
                    units=units,
                    unit_label=unit_label,
                    required=spread.get("required"),
                    parent=parent,
                    scope=scope_label,
                )
            )
    elif area_units:
        ms = {row["code"]: row["MS"] for row in tree_children(by_region, parent)}
        units = [dict(u, MS=ms.get(u["code"], 0)) for u in area_units]
        charts.append(
            spread_map(
                units=units,
                unit_label=str(LEVEL_BELOW[parent_level]),
                required=None,
                parent=parent,
                scope=scope_label,
            )
        )
    areas = tree_children(by_region, parent)
    if whole and (outside := outside_rows(by_region, parent)):
        areas.append(outside)
    if areas:
        charts.append(
            stacked_chart(
                areas=areas, level_label=str(LEVEL_BELOW[parent_level]), scope=scope_label
            )
        )
    reasons = recap.get("reasons") or {}
    charts.append(
        reasons_chart(
            reasons=[(label, reasons.get(code, 0)) for code, label in reason_labels],
            scope=scope_label,
        )
    )
    return charts
