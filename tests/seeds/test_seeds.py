from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter

import pytest

from electorate.models import Region
from seeds import names as N
from seeds.defects import REASONS, TMS_REASONS
from seeds.dki import DKI_DPT_2024, DKI_UPLOAD_2024, defects_for, scale
from seeds.nik import eligible_cutoff
from seeds.population import roll_generate
from seeds.support import support_generate

VOTING_DAY = dt.date(2024, 11, 27)
ROLL = {"31.01": 400, "31.71": 3000, "31.75": 2600}
UPLOAD = {"31.01": 60, "31.71": 900, "31.75": 240}
DEFECTS = {
    "NIK_INVALID": 12,
    "NOT_IN_ROLL": 150,
    "OUTSIDE_REGION": 20,
    "UNDERAGE": 15,
    "DUPLICATE_INTERNAL": 40,
    "DUPLICATE_EXTERNAL": 25,
    "DATA_MISMATCH": 300,
    "RESTRICTED_OCCUPATION": 90,
}


@pytest.fixture
def regions(jakarta):
    """DKI plus Banten (Kota Tangerang: where OUTSIDE_REGION supporters live)."""
    from electorate.regions import regions_load

    regions_load(province="36")
    return jakarta


@pytest.fixture
def roll(regions, tmp_path):
    path = tmp_path / "dpt.csv"
    spec = roll_generate(path=path, per_kabkota=ROLL, voting_day=VOTING_DAY, seed=7)
    return spec, path


@pytest.fixture
def support(roll, tmp_path):
    spec, roll_path = roll
    manifest = support_generate(
        path=tmp_path / "dukungan.csv",
        roll=spec,
        per_kabkota=UPLOAD,
        defects=DEFECTS,
        election_region="31",
        voting_day=VOTING_DAY,
        seed=3,
        other_pair_path=tmp_path / "lain.csv",
        other_pair_count=100,
        mangled=9,
    )
    return manifest, roll_path


def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def decode(nik: str):
    """What a NIK encodes; None for an impossible date. Births here are 1944-2014."""
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    year = 2000 + yy if yy <= 24 else 1900 + yy
    try:
        return dt.date(year, month, day - 40 if day > 40 else day), sex
    except ValueError:
        return None, sex


def parse_dmy(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d-%m-%Y").date()


# --- the roll ---------------------------------------------------------------------------------


def test_roll_niks_are_unique(roll):
    rows = read(roll[1])
    assert len({r["NIK"] for r in rows}) == len(rows) == sum(ROLL.values())


def test_roll_nik_encodes_the_voters_birth_date_and_sex(roll):
    for r in read(roll[1]):
        birth, sex = decode(r["NIK"])
        assert (birth, sex) == (parse_dmy(r["TANGGAL_LAHIR"]), r["JENIS_KELAMIN"]), r


def test_roll_nik_prefix_is_a_real_kecamatan_mostly_of_the_voters_own_kabkota(roll):
    kecamatan = {
        c.replace(".", "")
        for c in Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", flat=True)
    }
    rows = read(roll[1])
    born_here = 0
    for r in rows:
        assert r["NIK"][:6] in kecamatan
        born_here += r["NIK"][:4] == r["KODE_WILAYAH"][:5].replace(".", "")
    assert 0.9 < born_here / len(rows) < 0.99


def test_roll_has_only_voters_of_seventeen_or_married(roll):
    cutoff = eligible_cutoff(VOTING_DAY)
    rows = read(roll[1])
    young = [r for r in rows if parse_dmy(r["TANGGAL_LAHIR"]) > cutoff]
    assert young, "a few married 15-16 year olds are in the roll"
    assert all(r["STATUS_PERKAWINAN"] == "S" for r in young)
    assert len(young) < len(rows) / 100


def test_roll_counts_per_kabkota_are_exact_and_kelurahan_codes_exist(roll):
    kelurahan = set(
        Region.objects.filter(level=Region.Level.KELURAHAN).values_list("code", flat=True)
    )
    rows = read(roll[1])
    assert Counter(r["KODE_WILAYAH"][:5] for r in rows) == ROLL
    assert {r["KODE_WILAYAH"] for r in rows} <= kelurahan


def test_roll_voter_is_rederived_from_the_spec_without_reading_the_file(roll):
    spec, path = roll
    rows = read(path)
    # Rows are written kab/kota by kab/kota in index order.
    offset = 0
    for code, count in ROLL.items():
        for i in (0, 1, count // 2, count - 1):
            v = spec.voter(code, i)
            r = rows[offset + i]
            assert (r["NIK"], r["NAMA"], r["KODE_WILAYAH"], r["TANGGAL_LAHIR"]) == (
                v.nik,
                v.name,
                v.kelurahan,
                v.birth_date.strftime("%d-%m-%Y"),
            )
        offset += count


def test_roll_same_seed_same_bytes_other_seed_other_bytes(regions, tmp_path):
    paths = [tmp_path / f"{n}.csv" for n in range(3)]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        roll_generate(path=path, per_kabkota={"31.71": 500}, voting_day=VOTING_DAY, seed=seed)
    assert paths[0].read_bytes() == paths[1].read_bytes() != paths[2].read_bytes()


# --- the support list: an independent check of every row against the roll ---------------------

_TITLES = {"H", "HJ", "DR", "DRS", "DRA", "IR", "PROF"}


def normalise(name: str) -> str:
    text = name.upper().split(",", 1)[0]
    words = [w for w in re.sub(r"[^A-Z' ]", " ", text).split() if w.rstrip(".") not in _TITLES]
    text = " ".join(words)
    return text.replace("OE", "U").replace("DJ", "J").replace("TJ", "C")


def data_mismatch(row, voter, *, birth, sex, encoded, encoded_sex) -> bool:
    """Name, birth date or sex differ from the roll, or from what the NIK encodes."""
    mismatch = sex != encoded_sex or (encoded is not None and birth != encoded)
    if voter is not None:
        mismatch |= normalise(row["NAMA"]) != normalise(voter["NAMA"])
        mismatch |= birth != parse_dmy(voter["TANGGAL_LAHIR"]) or sex != voter["JENIS_KELAMIN"]
    return mismatch


def expected_reasons(row, roll_by_nik, seen, other_niks, cutoff):
    """The reasons a row deserves, from the rules of docs/domain.md step 3; None if intake
    rejects."""
    from files.parsing import FieldError, parse_date, parse_marital, parse_nik, parse_sex

    try:
        nik = parse_nik(row["NIK"])
    except FieldError:
        return None
    birth = parse_date(row["TANGGAL_LAHIR"])
    sex = parse_sex(row["JENIS_KELAMIN"])
    reasons = set()
    encoded, encoded_sex = decode(nik)
    if encoded is None:
        reasons.add("NIK_INVALID")
    voter = roll_by_nik.get(nik)
    if voter is None:
        reasons.add("NOT_IN_ROLL")
    # Judged where the roll places a voter of the roll, by the typed kelurahan otherwise.
    place = row["KODE_WILAYAH"] if voter is None else voter["KODE_WILAYAH"]
    if not place.startswith("31"):  # DKI's province code, dotted or not
        reasons.add("OUTSIDE_REGION")
    if birth > cutoff and parse_marital(row["STATUS_PERKAWINAN"]) == "B":
        reasons.add("UNDERAGE")
    if nik in seen:
        reasons.add("DUPLICATE_INTERNAL")
    seen.add(nik)
    if nik in other_niks:
        reasons.add("DUPLICATE_EXTERNAL")
    if data_mismatch(row, voter, birth=birth, sex=sex, encoded=encoded, encoded_sex=encoded_sex):
        reasons.add("DATA_MISMATCH")
    if row["PEKERJAAN"] in N.RESTRICTED_OCCUPATIONS:
        reasons.add("RESTRICTED_OCCUPATION")
    return reasons


def check_list(path, roll_path, other_niks):
    roll_by_nik = {r["NIK"]: r for r in read(roll_path)}
    cutoff = eligible_cutoff(VOTING_DAY)
    seen: set[str] = set()
    reasons, outcomes, rejected = Counter(), Counter(), 0
    for row in read(path):
        found = expected_reasons(row, roll_by_nik, seen, other_niks, cutoff)
        if found is None:
            rejected += 1
            continue
        reasons.update(found)
        outcomes["TMS" if found & TMS_REASONS else "BMS" if found else "MS"] += 1
    return reasons, outcomes, rejected


def test_support_manifest_equals_an_independent_check_of_every_row(support, tmp_path):
    manifest, roll_path = support
    other_niks = {r["NIK"] for r in read(tmp_path / "lain.csv")}
    reasons, outcomes, rejected = check_list(manifest.path, roll_path, other_niks)
    assert rejected == manifest.rejected == 9
    assert {r: reasons[r] for r in REASONS} == manifest.reasons
    assert dict(outcomes) == {k: v for k, v in manifest.outcomes.items() if v}
    assert manifest.reasons["UNDERAGE"] == DEFECTS["UNDERAGE"]
    assert manifest.reasons["NOT_IN_ROLL"] == (
        DEFECTS["NOT_IN_ROLL"]
        + DEFECTS["UNDERAGE"]
        + DEFECTS["NIK_INVALID"]
        + DEFECTS["OUTSIDE_REGION"]  # not on the roll: only such a supporter is outside
    )


def test_other_pair_list_shares_exactly_the_planted_external_duplicates(support, tmp_path):
    manifest, roll_path = support
    ours = {r["NIK"] for r in read(manifest.path)}
    theirs = read(tmp_path / "lain.csv")
    assert len(theirs) == manifest.other_pair["rows"] == 100
    assert len(ours & {r["NIK"] for r in theirs}) == DEFECTS["DUPLICATE_EXTERNAL"]
    reasons, outcomes, rejected = check_list(tmp_path / "lain.csv", roll_path, ours)
    assert rejected == 0
    assert dict(outcomes) == {k: v for k, v in manifest.other_pair["outcomes"].items() if v}


def test_support_rows_per_kabkota_match_the_manifest_and_the_upload(support):
    manifest, _ = support
    rows = read(manifest.path)
    assert len(rows) == manifest.rows == sum(UPLOAD.values())
    assert Counter(r["KODE_WILAYAH"][:5] for r in rows) == manifest.rows_by_kabkota
    outside = sum(v for k, v in manifest.rows_by_kabkota.items() if not k.startswith("31."))
    assert outside == DEFECTS["OUTSIDE_REGION"]


def test_support_list_carries_clean_variations_and_sheet_numbers(support):
    manifest, _ = support
    rows = read(manifest.path)
    names = [r["NAMA"] for r in rows]
    assert any(n != n.upper() for n in names)  # title or lower case
    assert any(n.startswith(("H. ", "HJ. ", "DR. ")) for n in names)
    assert any(", S." in n for n in names)
    assert any("  " in n for n in names)
    assert any(re.search(r"\b(DJ|SOE|TJ)", n.upper()) for n in names)
    assert any(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", r["TANGGAL_LAHIR"]) for r in rows)
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", r["TANGGAL_LAHIR"]) for r in rows)
    pages = Counter(r["HALAMAN"] for r in rows)
    assert max(pages.values()) <= 10
    assert all(page.isdigit() for page in pages)


def test_support_same_seed_same_bytes(roll, tmp_path):
    spec, _ = roll
    outputs = []
    for n, seed in enumerate((4, 4, 5)):
        manifest = support_generate(
            path=tmp_path / f"{n}.csv",
            roll=spec,
            per_kabkota={"31.71": 300},
            defects={"NOT_IN_ROLL": 30, "DATA_MISMATCH": 30, "DUPLICATE_INTERNAL": 10},
            election_region="31",
            seed=seed,
        )
        outputs.append((tmp_path / f"{n}.csv").read_bytes())
        assert manifest.rows == 300
    assert outputs[0] == outputs[1] != outputs[2]


def test_support_xlsx_keeps_niks_as_text_and_mangles_some_as_excel_does(roll, tmp_path):
    from python_calamine import CalamineWorkbook

    spec, _ = roll
    path = tmp_path / "dukungan.xlsx"
    manifest = support_generate(
        path=path,
        roll=spec,
        per_kabkota={"31.71": 400, "31.75": 100},
        defects={"NOT_IN_ROLL": 50, "RESTRICTED_OCCUPATION": 20},
        election_region="31",
        fmt="xlsx",
        mangled=30,
    )
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header, body = rows[0], rows[1:]
    assert tuple(header) == (
        "NIK", "NAMA", "TEMPAT_LAHIR", "TANGGAL_LAHIR", "JENIS_KELAMIN", "ALAMAT", "RT", "RW",
        "KODE_WILAYAH", "PEKERJAAN", "STATUS_PERKAWINAN", "HALAMAN",
    )  # fmt: skip
    assert len(body) == manifest.rows == 500
    good = [r for r in body if isinstance(r[0], str) and re.fullmatch(r"\d{16}", r[0])]
    assert len(body) - len(good) == manifest.rejected == 30
    assert any(isinstance(r[0], float) for r in body)  # a number cell
    assert any(isinstance(r[3], dt.date) for r in body)  # a date cell
    assert any(isinstance(r[3], float) for r in body)  # an Excel serial number
    assert manifest.reasons["RESTRICTED_OCCUPATION"] == 20


def test_support_refuses_more_defects_than_rows(roll, tmp_path):
    spec, _ = roll
    with pytest.raises(ValueError):
        support_generate(
            path=tmp_path / "x.csv",
            roll=spec,
            per_kabkota={"31.71": 10},
            defects={"NOT_IN_ROLL": 11},
            election_region="31",
        )


def test_external_duplicates_need_the_other_pairs_list(roll, tmp_path):
    spec, _ = roll
    with pytest.raises(ValueError):
        support_generate(
            path=tmp_path / "x.csv",
            roll=spec,
            per_kabkota={"31.71": 100},
            defects={"DUPLICATE_EXTERNAL": 5},
            election_region="31",
        )


# --- the 2024 figures -------------------------------------------------------------------------


def test_dki_2024_figures_add_up():
    assert sum(DKI_DPT_2024.values()) == 8_252_897
    assert sum(DKI_UPLOAD_2024.values()) == 840_640


def test_scale_keeps_the_total_proportional_and_exact():
    small = scale(DKI_UPLOAD_2024, 0.01)
    assert sum(small.values()) == 8_406
    assert small["31.71"] == 5_168


def test_defects_for_follows_the_shares():
    defects = defects_for(10_000)
    assert set(defects) == set(REASONS)
    assert defects["NOT_IN_ROLL"] == 2_500
