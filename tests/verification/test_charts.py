"""The recap's charts (verification/charts.py): SVG that a CSP without inline script allows,
readable at a phone's width, each with a caption naming its scope and a table of the same
figures for screen readers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from verification.charts import (
    TILE_LAYOUTS,
    outside_rows,
    progress_chart,
    reasons_chart,
    recap_charts,
    spread_map,
    stacked_chart,
    tile_lines,
    tile_name,
    tree_children,
)

SCOPE = "Seluruh daftar dukungan A (pemilihan di DKI JAKARTA)"
DKI = [
    {"code": "31.01", "name": "KAB. ADM. KEP. SERIBU", "MS": 16},
    {"code": "31.71", "name": "KOTA ADM. JAKARTA PUSAT", "MS": 1238},
    {"code": "31.72", "name": "KOTA ADM. JAKARTA UTARA", "MS": 160},
    {"code": "31.73", "name": "KOTA ADM. JAKARTA BARAT", "MS": 0},
    {"code": "31.74", "name": "KOTA ADM. JAKARTA SELATAN", "MS": 146},
    {"code": "31.75", "name": "KOTA ADM. JAKARTA TIMUR", "MS": 0},
]


def _svg(chart) -> ET.Element:
    """The SVG parses as XML (no stray markup), draws no script, and is hidden from screen
    readers (its table speaks for it)."""
    root = ET.fromstring(str(chart.svg))
    assert root.tag == "svg" and root.get("aria-hidden") == "true"
    assert root.get("width") == "100%" and root.get("viewBox") is None  # text stays in px
    assert not list(root.iter("script"))
    assert not re.search(r"\son[a-z]+\s*=", str(chart.svg))  # no onclick=, onload=, ...
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter("text")]


def test_progress_shows_ms_against_the_threshold_with_its_share_and_the_bms_to_repair():
    chart = progress_chart(ms=2015, bms=9414, threshold=618968, scope=SCOPE)
    root = _svg(chart)
    assert "MS 2.015 dari 618.968" in _texts(root)
    assert "0,3%" in _texts(root)
    assert chart.title == "Kemajuan menuju syarat minimal dukungan" and chart.scope == SCOPE
    assert ["MS (kumulatif)", "2.015"] in chart.rows
    assert ["Kekurangan", "616.953"] in chart.rows
    # A bar too thin to see is drawn at a visible minimum; the figure beside it is exact.
    widths = [r.get("width") for r in root.iter("rect")]
    assert "0.600%" in widths


def test_progress_past_the_threshold_is_a_full_bar():
    chart = progress_chart(ms=700_000, bms=0, threshold=618968, scope=SCOPE)
    root = _svg(chart)
    assert "113,1%" in _texts(root)
    assert max(float(r.get("width").rstrip("%")) for r in root.iter("rect")) == 100


def test_stacked_bars_split_each_area_and_compare_them_with_the_largest():
    areas = [
        {"code": "31.71", "name": "KOTA ADM. JAKARTA PUSAT", "MS": 10, "BMS": 20, "TMS": 10},
        {"code": "31.72", "name": "KOTA ADM. JAKARTA UTARA", "MS": 5, "BMS": 5, "TMS": 10},
    ]
    chart = stacked_chart(areas=areas, level_label="kab/kota", scope=SCOPE)
    root = _svg(chart)
    segments = [
        (r.get("fill"), float(r.get("width").rstrip("%")))
        for r in root.iter("rect")
        if r.get("fill") != "#e6e9ee"
    ]
    # Pusat (40) fills the bars' span (84% of the width, its total right of it): 21% MS,
    # 42% BMS, 21% TMS; Utara (20) half of it.
    assert segments == [
        ("#1e7b45", 21.0), ("#d48a00", 42.0), ("#b3261e", 21.0),
        ("#1e7b45", 10.5), ("#d48a00", 10.5), ("#b3261e", 21.0),
    ]  # fmt: skip
    assert chart.rows == [
        ["KOTA ADM. JAKARTA PUSAT", "10", "20", "10", "40"],
        ["KOTA ADM. JAKARTA UTARA", "5", "5", "10", "20"],
    ]
    assert chart.caption == f"MS, BMS dan TMS per kab/kota: {SCOPE}"


def test_stacked_keeps_the_largest_areas_when_there_are_too_many_and_says_so():
    areas = [
        {"code": f"31.71.{i:02d}", "name": f"Kecamatan {i}", "MS": i, "BMS": 0, "TMS": 0}
        for i in range(1, 61)
    ]
    chart = stacked_chart(areas=areas, level_label="kecamatan", scope=SCOPE)
    assert len(chart.rows) == 40
    assert chart.rows[0][0] == "Kecamatan 21"  # the 40 largest, in code order
    assert chart.note == "40 dari 60 wilayah dengan pendukung terbanyak."


def test_the_spread_map_places_dki_like_a_map_and_fills_the_units_reached():
    chart = spread_map(units=DKI, unit_label="kab/kota", required=4, parent="31", scope=SCOPE)
    root = _svg(chart)
    assert chart.caption == f"Sebaran: 4 dari 6 kab/kota memiliki dukungan MS (wajib 4): {SCOPE}"
    assert chart.scope == SCOPE
    assert "Peta skematis" in chart.note
    tiles = [r for r in root.iter("rect")]
    filled = [r.get("fill") for r in tiles]
    assert filled.count("#1e7b45") == 4 and filled.count("#e6e9ee") == 2
    # Kepulauan Seribu out at sea (top left), Jakarta Selatan at the bottom: four rows.
    assert (tiles[0].get("x"), tiles[0].get("y")) == ("0.000%", "0")
    assert root.get("height") == str(4 * 64)
    texts = _texts(root)
    assert texts[texts.index("MS 1.238") - 2 :][:2] == ["JAKARTA", "PUSAT"]  # on two lines
    assert chart.rows[3] == ["KOTA ADM. JAKARTA BARAT", "0", "belum"]
    assert set(TILE_LAYOUTS["31"]) == {u["code"] for u in DKI}


def test_a_region_without_a_layout_is_a_grid_of_three():
    units = [{"code": f"32.01.{i:02d}", "name": f"Kecamatan {i}", "MS": i % 2} for i in range(7)]
    chart = spread_map(units=units, unit_label="kecamatan", required=None, parent="32.01",
                       scope="Kecamatan di wilayah ini")  # fmt: skip
    root = _svg(chart)
    assert root.get("height") == str(3 * 64)
    assert chart.note == ""
    assert chart.title == "Kecamatan dengan dukungan MS: 3 dari 7"


def test_reasons_longest_first_with_a_note_that_they_overlap():
    chart = reasons_chart(
        reasons=[("NIK tidak valid", 84), ("Tidak terdaftar di DPT", 4371), ("Ganda", 0)],
        scope=SCOPE,
    )
    root = _svg(chart)
    assert [row[0] for row in chart.rows] == ["Tidak terdaftar di DPT", "NIK tidak valid", "Ganda"]
    assert "4.371" in _texts(root)
    assert "lebih dari satu alasan" in chart.note


def test_names_are_escaped_never_markup():
    areas = [{"code": "31.71", "name": '<script>alert(1)</script> & "x"', "MS": 1, "BMS": 0,
              "TMS": 0}]  # fmt: skip
    chart = stacked_chart(areas=areas, level_label="kab/kota", scope="<b>x</b>")
    root = _svg(chart)
    assert "<script>" not in str(chart.svg)
    assert _texts(root)[0].startswith("<script>")  # as text, escaped in the markup


def test_tile_names_drop_the_administrative_prefix_and_fold_onto_two_lines():
    assert tile_lines("JAKARTA SELATAN") == ["JAKARTA", "SELATAN"]
    assert tile_lines("KEP. SERIBU") == ["KEP. SERIBU"]
    assert tile_lines("Kebayoran Baru Selatan") == ["Kebayoran", "Baru Selatan"]
    assert tile_name("KOTA ADM. JAKARTA PUSAT") == "JAKARTA PUSAT"
    assert tile_name("KAB. ADM. KEP. SERIBU") == "KEP. SERIBU"
    assert tile_name("Gambir") == "Gambir"


BY_REGION = {
    "31.71": {
        "name": "KOTA ADM. JAKARTA PUSAT", "MS": 3, "BMS": 1, "TMS": 1, "total": 5,
        "kecamatan": {
            "31.71.01": {
                "name": "Gambir", "MS": 3, "BMS": 1, "TMS": 1, "total": 5,
                "kelurahan": {
                    "31.71.01.1001": {"name": "Gambir", "MS": 3, "BMS": 1, "TMS": 1, "total": 5}
                },
            }
        },
    },
    "32.01": {"name": "KAB. BOGOR", "MS": 0, "BMS": 0, "TMS": 2, "total": 2, "kecamatan": {}},
}  # fmt: skip


def test_tree_children_reads_one_level_below_a_region():
    assert [c["code"] for c in tree_children(BY_REGION, "31")] == ["31.71"]
    assert [c["code"] for c in tree_children(BY_REGION, "31.71")] == ["31.71.01"]
    assert [c["code"] for c in tree_children(BY_REGION, "31.71.01")] == ["31.71.01.1001"]
    assert outside_rows(BY_REGION, "31")["TMS"] == 2


def test_recap_charts_for_the_whole_list_and_for_an_area():
    recap = {
        "by_region": BY_REGION,
        "cumulative": {"MS": 3, "BMS": 1},
        "threshold": 4,
        "reasons": {"NOT_IN_ROLL": 1},
        "spread": {"by_unit": DKI, "unit_level": "kabkota", "required": 4},
    }
    labels = [("NOT_IN_ROLL", "Tidak terdaftar di DPT")]
    whole = recap_charts(recap=recap, scope_label=SCOPE, whole=True, parent="31",
                         parent_level=1, reason_labels=labels)  # fmt: skip
    assert [c.key for c in whole] == ["progress", "spread", "stacked", "reasons"]
    stacked = whole[2]
    assert stacked.rows[-1][0] == "Di luar wilayah pemilihan"
    area = recap_charts(recap=recap, scope_label="Kecamatan Gambir", whole=False,
                        parent="31.71.01", parent_level=3, reason_labels=labels,
                        area_units=[{"code": "31.71.01.1001", "name": "Gambir"},
                                    {"code": "31.71.01.1002", "name": "Cideng"}])  # fmt: skip
    assert [c.key for c in area] == ["spread", "stacked", "reasons"]
    assert area[0].rows == [["Gambir", "3", "ya"], ["Cideng", "0", "belum"]]
    assert all(c.scope == "Kecamatan Gambir" for c in area)
