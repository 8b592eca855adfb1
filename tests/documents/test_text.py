"""The minutes say what `recap --json` says: each kind of Berita Acara is issued through the
`minutes` command, read back with pdftotext, and every count of the recap for the same scope
is found on its line: MS, BMS, TMS, each reason, the threshold, the spread, the shortfall and
each area's row."""

from __future__ import annotations

import pytest

from fieldwork.counts import kelurahan_counts
from tests.documents.conftest import command, line_with, numbers, pdf_text, value
from verification.rules import REASON_LABELS, Reason

pytestmark = pytest.mark.django_db

OUTCOME_LABELS = {
    "MS": "Memenuhi syarat (MS)",
    "BMS": "Belum memenuhi syarat (BMS)",
    "TMS": "Tidak memenuhi syarat (TMS)",
}


def _issue(pair, stage: str, tmp_path, *extra: str) -> tuple[dict, str]:
    out = tmp_path / f"{stage}.pdf"
    result = command(
        "minutes", "--pair", str(pair.pk), "--stage", stage, "--out", str(out),
        "--date", "2024-06-20", "--place", "Kantor KPU Provinsi DKI Jakarta", *extra,
    )  # fmt: skip
    return result, pdf_text(out)


def _held(text: str, held: dict) -> None:
    assert value(text, "Syarat minimal dukungan") == held["threshold"]
    assert value(text, "Kekurangan dukungan") == held["shortfall"]
    assert numbers(line_with(text, "Sebaran wajib"))[-2:] == [
        held["spread"]["required"],
        held["spread"]["units"],
    ]
    assert value(text, "Sebaran tercapai") == held["spread"]["achieved"]
    assert value(text, "Kekurangan sebaran") == held["spread"]["shortfall"]


def test_vermin_minutes_carry_the_counts_of_recap_json(vermin, tmp_path):
    recap = command("recap", "--pair", str(vermin.pair.pk), "--round", "0")
    issued, text = _issue(vermin.pair, "vermin", tmp_path, "--round", "0")
    assert issued["code"] in text
    assert "NOMOR:" in text and "BA.VERMIN.DUKUNGAN.KWK" in text
    for key, label in OUTCOME_LABELS.items():
        assert value(text, label) == recap[key], key
    assert value(text, "Jumlah") == recap["total"]
    for reason in Reason:  # by its Indonesian name (two words tell them apart), not its code
        label = str(REASON_LABELS[reason]).split()[:2]
        assert value(text, *label) == recap["reasons"][reason.name], reason.name
        assert reason.name not in text
    _held(text, recap)
    assert value(text, "sampai dengan tahap ini") == recap["cumulative"]["MS"]
    assert value(text, "Dukungan perbaikan yang wajib diserahkan") == recap["repair_required"]
    # The attachment: one row per kab/kota (all six, zeros too), as the recap counts them;
    # supporters placed outside DKI on a row of their own.
    outside = [0, 0, 0, 0]
    for code, entry in recap["by_region"].items():
        counts = [entry["MS"], entry["BMS"], entry["TMS"], entry["total"]]
        if not code.startswith("31."):
            outside = [a + b for a, b in zip(outside, counts, strict=True)]
            continue
        assert numbers(line_with(text, code, entry["name"].split()[-1]))[-4:] == counts
    assert numbers(line_with(text, "Tempat tinggal di luar wilayah pemilihan"))[-4:] == outside
    assert outside == [0, 0, 1, 1]
    assert numbers(line_with(text, "JUMLAH"))[-4:] == [
        recap["MS"], recap["BMS"], recap["TMS"], recap["total"],
    ]  # fmt: skip
    assert numbers(line_with(text, "31.01"))[-4:] == [0, 0, 0, 0]  # Kepulauan Seribu: none
    # The figures sum up: 12 MS, 1 BMS (PNS), 3 TMS (two not on the roll, one outside DKI).
    assert (recap["MS"], recap["BMS"], recap["TMS"]) == (12, 1, 3)


def test_kabkota_minutes_list_its_kecamatan_as_the_recap_does(vermin, tmp_path):
    recap = command("recap", "--pair", str(vermin.pair.pk), "--round", "0")
    _issued, text = _issue(vermin.pair, "vermin", tmp_path, "--round", "0", "--area", "31.71")
    jakpus = recap["by_region"]["31.71"]
    assert "KOTA ADM. JAKARTA PUSAT" in text
    for key, label in OUTCOME_LABELS.items():
        assert value(text, label) == jakpus[key], key
    for code, entry in jakpus["kecamatan"].items():
        assert numbers(line_with(text, code))[-4:] == [
            entry["MS"], entry["BMS"], entry["TMS"], entry["total"],
        ]  # fmt: skip
    # Not the province's business here: no threshold, no other kab/kota.
    assert "dinilai pada rekapitulasi tingkat wilayah pemilihan" in " ".join(text.split())
    assert "31.72" not in text


def test_verfak_minutes_carry_the_stage_and_the_standing_of_recap_json(verfak, tmp_path):
    recap = command("recap", "--pair", str(verfak.pair.pk))
    stage = recap["verfak_stages"][0]
    _issued, text = _issue(verfak.pair, "verfak", tmp_path, "--round", "1")
    assert value(text, "Memenuhi syarat (MS)") == stage["MS"]
    assert value(text, "Tidak memenuhi syarat (TMS)") == stage["TMS"]
    assert value(text, "Belum selesai diverifikasi") == stage["pending"]
    # Why each ended where it did: MS rows add up to MS, TMS rows to TMS.
    why = {
        "Ditemui dan membenarkan dukungan": 7,
        "Meninggal dunia": 1,
        "Pindah ke luar wilayah pemilihan": 1,
        "Tidak diverifikasi sampai masa verifikasi berakhir": 2,
        "Pendukung ganda memilih bakal pasangan calon lain": 0,
    }
    for label, n in why.items():
        assert value(text, label) == n, label
    assert value(text, "Jumlah", "MS") == stage["MS"] == 7
    # The signed denial's label wraps onto two lines: 1 of the 5 TMS.
    assert value(text, "Jumlah", "TMS") == stage["TMS"] == 1 + sum(list(why.values())[1:])
    _held(text, recap["final"])
    assert value(text, "Dukungan memenuhi syarat (MS)") == recap["final"]["MS"]
    # Rows per kab/kota, as the stage's tasks count them.
    per: dict[str, list[int]] = {}
    for code, counts in kelurahan_counts(verfak.stage).items():
        row = per.setdefault(code[:5], [0, 0, 0, 0])
        for i, key in enumerate(("MS", "TMS", "PENDING", "total")):
            row[i] += counts[key]
    for code, counts in per.items():
        assert numbers(line_with(text, code))[-4:] == counts, code
    assert numbers(line_with(text, "JUMLAH"))[-4:] == [
        stage["MS"], stage["TMS"], stage["pending"], stage["total"],
    ]  # fmt: skip
    # 7 confirmed; signed denial, deceased, moved, and two never visited: 5 TMS.
    assert (stage["MS"], stage["TMS"], stage["pending"]) == (7, 5, 0)


def test_decision_minutes_carry_the_final_standing_of_recap_json(decided, tmp_path):
    recap = command("recap", "--pair", str(decided.pair.pk))
    final = recap["final"]
    _issued, text = _issue(decided.pair, "decision", tmp_path)
    assert "TIDAK MEMENUHI SYARAT DUKUNGAN" in text
    assert value(text, "Dukungan memenuhi syarat (MS) akhir") == final["MS"]
    _held(text, final)
    rows = {code: numbers(line_with(text, code))[-1] for code in final["spread"]["reached"]}
    assert all(n > 0 for n in rows.values())
    assert sum(rows.values()) == final["MS"] == value(text, "JUMLAH")
