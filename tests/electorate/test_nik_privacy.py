"""No NIK can be rebuilt from what is stored or shown in the clear (ENGINEERING.md: at least
10,000 candidate NIKs for every row), tried as an attacker with a copy of the database and no
key would: for each row, count the 16-digit NIKs consistent with its clear columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics

import pytest

from candidates.intake import support_upload_create, support_upload_run
from candidates.models import Supporter
from electorate import privacy
from electorate.models import Region, Voter
from electorate.roll_import import roll_import_create, roll_import_run
from keys.nik import (
    NikCheck,
    nik_decode,
    nik_decrypt,
    nik_prefixes_known,
    supporter_context,
)
from seeds.dki import DKI_DPT_2024
from seeds.population import roll_generate
from seeds.support import support_generate
from tests.factories import PairFactory
from verification.engine import run_create, verification_run
from verification.exports import COLUMNS as EXPORT_COLUMNS
from verification.models import RegistryAnswer, VerificationResult
from verification.registry import registry_export, registry_import
from verification.rules import Reason, eligible_birth_cutoff

VOTING_DAY = dt.date(2024, 11, 27)
UPLOADED = dt.date(2024, 5, 12)  # the 2024 submission window: a supporter born by then
MIN_CANDIDATES = 10_000
SERIALS = 9_999  # 0001-9999


def _date_digits(birth: dt.date, sex: str) -> str:
    return f"{birth.day + (40 if sex == 'P' else 0):02d}{birth.month:02d}{birth.year % 100:02d}"


def candidates(*, shown: str, birth: dt.date, sex: str, checks: int, prefixes: frozenset[str]):
    """How many NIKs agree with a row's clear columns: the digits the mask shows, the date
    digits its birth date and sex give (unless its check bits say they differ), a prefix known
    or unknown as its check bits say, any serial the mask hides. Yields the count and a
    predicate, so that a test can also check the true NIK is among them."""
    known_digits = {i: ch for i, ch in enumerate(shown) if ch.isdigit()}
    date_known = not checks & (NikCheck.BIRTH_DATE_DIFFERS | NikCheck.DATE_IMPOSSIBLE)
    prefix_known = not checks & NikCheck.PREFIX_UNKNOWN
    if checks & NikCheck.SEX_DIFFERS:  # the day's +40 says the other sex
        sex = "L" if sex == "P" else "P"

    def fits(nik: str) -> bool:
        if any(nik[i] != ch for i, ch in known_digits.items()):
            return False
        if date_known and nik[6:12] != _date_digits(birth, sex):
            return False
        return (nik[:6] in prefixes) == prefix_known

    region_digits = {i: ch for i, ch in known_digits.items() if i < 6}
    all_regions = [f"{n:06d}" for n in range(1_000_000)] if not prefix_known else sorted(prefixes)
    regions = [
        p
        for p in all_regions
        if all(p[i] == ch for i, ch in region_digits.items()) and (p in prefixes) == prefix_known
    ]
    serial_shown = [i for i in known_digits if i >= 12]
    serials = 10 ** (4 - len(serial_shown)) if serial_shown else SERIALS
    dates = 1 if date_known else 31 * 12 * 100 * 2
    return len(regions) * serials * dates, fits


@pytest.fixture
def stored(jakarta, tmp_path):
    """A generated roll and a support list of DKI through the real importers, verified once
    with the civil registry asked about the NIKs not on the roll and its answer read: every
    kind of row that keeps a person's data (supporters, their results, voters, answers)."""
    from electorate.regions import regions_load

    regions_load(province="36")  # Kota Tangerang: where the out-of-region rows live
    roll_path = tmp_path / "dpt.csv"
    spec = roll_generate(
        path=roll_path,
        per_kabkota={"31.01": 300, "31.71": 1500, "31.75": 1200},
        voting_day=VOTING_DAY,
        seed=11,
    )
    pair = PairFactory(election__registry_confirmation=True)
    with roll_path.open("rb") as fh:
        job, _ = roll_import_create(roll=pair.election.roll, file=fh, original_name="dpt.csv")
    roll_import_run(import_id=job.pk)
    support_path = tmp_path / "dukungan.csv"
    support_generate(
        path=support_path, roll=spec, per_kabkota={"31.01": 40, "31.71": 260, "31.75": 120},
        defects={"NIK_INVALID": 8, "NOT_IN_ROLL": 30, "DATA_MISMATCH": 60, "UNDERAGE": 5,
                 "DUPLICATE_INTERNAL": 10, "OUTSIDE_REGION": 5, "DUPLICATE_EXTERNAL": 0,
                 "RESTRICTED_OCCUPATION": 12},
        election_region="31", voting_day=VOTING_DAY, seed=5,
    )  # fmt: skip
    upload, _ = support_upload_create(
        pair=pair, file=io.BytesIO(support_path.read_bytes()), original_name="dukungan.csv"
    )
    support_upload_run(upload_id=upload.pk)
    verification_run(run_id=run_create(pair=pair).pk)
    request = io.StringIO()
    registry_export(election=pair.election, out=request)
    answer = io.StringIO()
    writer = csv.writer(answer, lineterminator="\r\n")
    writer.writerow(["NIK", "DITEMUKAN", "HIDUP", "KODE_WILAYAH", "TANGGAL_LAHIR"])
    for i, row in enumerate(csv.DictReader(io.StringIO(request.getvalue()))):
        found = i % 3 != 2  # two in three found alive where the form says, the rest not found
        writer.writerow([row["NIK"], "Y" if found else "N", "Y" if found else "",
                         row["KODE_WILAYAH"] if found else "",
                         row["TANGGAL_LAHIR"] if found else ""])  # fmt: skip
    registry_import(
        election=pair.election,
        file=io.BytesIO(answer.getvalue().encode()),
        original_name="jawaban.csv",
    )
    return pair


def test_the_old_mask_with_the_serial_would_fail_this_check(stored):
    """The same count on the mask kept before (3171********0001): a handful of candidates,
    so the check above can fail and is not true by construction."""
    prefixes = nik_prefixes_known()
    row = Supporter.objects.filter(pair=stored, nik_checks=0).first()
    nik = nik_decrypt(row.nik_cipher, context=supporter_context(row.upload_id, row.row_number))
    count, fits = candidates(
        shown=nik[:4] + "*" * 8 + nik[12:],
        birth=nik_decode(nik).birth_date,  # the row's own (its checks say they agree)
        sex=row.sex,
        checks=0,
        prefixes=prefixes,
    )
    assert fits(nik) and count < 100


def test_the_shifted_serial_does_not_give_the_serial_away(stored):
    rows = [
        (
            nik_decrypt(r.nik_cipher, context=supporter_context(r.upload_id, r.row_number)),
            r.nik_serial,
        )
        for r in Supporter.objects.all()
    ]
    same = sum(1 for nik, shifted in rows if int(nik[12:]) == shifted)
    assert same <= len(rows) // 100  # about 1 in 10,000 by chance


# --- every stored row, counted with the real correlations (electorate/privacy.py) ----------


def _fields(model) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


def _birth(row, fields: set[str], *, minor: bool | None) -> dict:
    """What a row keeps of the birth date, whichever way the schema keeps it: a clear date,
    or only whether the person is under 17 on voting day (the flag, or an UNDERAGE result)."""
    if "birth_date" in fields:
        return {"birth_date": row.birth_date}
    cutoff = eligible_birth_cutoff(VOTING_DAY)
    if minor is None:
        return {}
    return {"born_after": cutoff} if minor else {"born_until": cutoff}


def _counted(stored) -> dict[str, list[tuple[int, bool]]]:
    """Per kind of stored row, the candidate NIKs each row leaves, and whether the row is the
    one exception (see the test below)."""
    kecamatan = {}
    for code in DKI_DPT_2024:
        kecamatan[code] = Region.objects.filter(parent_id=code).count()
    serials = privacy.serials_per_day(people=DKI_DPT_2024, kecamatan=kecamatan)
    kecamatan_of = {code.replace(".", ""): n for code, n in kecamatan.items()}

    def count(known: privacy.Known, *, underage: bool = False) -> tuple[int, bool]:
        found = privacy.candidates(
            known, serials=serials, kecamatan_of=kecamatan_of, today=UPLOADED
        )
        return found, underage and serials.get(known.region[:4], 1) == 1

    underage = {
        pk: bool(bits & Reason.UNDERAGE)
        for pk, bits in VerificationResult.objects.values_list("supporter_id", "reasons")
    }
    counts: dict[str, list[tuple[int, bool]]] = {
        "supporter": [], "export": [], "voter": [], "registry": []
    }  # fmt: skip
    fields = _fields(Supporter)
    for row in Supporter.objects.filter(pair=stored):
        told = underage.get(row.pk, False)
        minor = told or getattr(row, "minor", None)
        region = privacy.region_digits(mask=row.nik_masked, kelurahan=row.kelurahan_id)
        birth = _birth(row, fields, minor=minor)
        counts["supporter"].append(
            count(privacy.Known(region=region, sex=row.sex, **birth), underage=told)
        )
        # The export's row: mask, name (the sex, near enough), kelurahan, reasons.
        export = _birth(row, set(EXPORT_COLUMNS), minor=minor)
        counts["export"].append(
            count(privacy.Known(region=region, sex=row.sex, **export), underage=told)
        )
    fields = _fields(Voter)
    for row in Voter.objects.filter(roll=stored.election.roll):
        region = privacy.region_digits(kelurahan=row.kelurahan_code)
        minor = getattr(row, "minor", None)
        birth = _birth(row, fields, minor=minor)
        # A voter under 17 on the roll is married: the same window as an UNDERAGE supporter.
        counts["voter"].append(
            count(privacy.Known(region=region, sex=row.sex, **birth), underage=bool(minor))
        )
    fields = _fields(RegistryAnswer)
    for row in RegistryAnswer.objects.filter(election=stored.election):
        region = privacy.region_digits(kelurahan=row.kelurahan_code)
        birth = _birth(row, fields, minor=getattr(row, "minor", None)) if row.found else {}
        if birth.get("birth_date", 0) is None:
            birth = {}
        counts["registry"].append(count(privacy.Known(region=region, **birth)))
    return counts


def test_every_stored_row_leaves_at_least_ten_thousand_candidate_niks(stored):
    """Supporters (with their verification results), the export's rows, voters and the civil
    registry's answers: for each row, the NIKs consistent with what it keeps in the clear,
    the kelurahan taken as the kecamatan of issue and the serials as few as the people of
    one kecamatan born on one day (electorate/privacy.py). A clear birth date left a handful.

    One exception, which no storing of the sex removes: a supporter found under 17 and never
    married (UNDERAGE, TMS: the reason the team and the KPU must read), or a married voter
    under 17, is known to be born in the 17 years before the cutoff, about 6,000 day codes of
    its sex; where one kecamatan has fewer than two people of one sex born a day (Kepulauan
    Seribu), that is about 6,000 candidates. Its sex is known from its name even without a
    sex column (the test below), so dropping the column would not double it."""
    counts = _counted(stored)
    assert all(counts.values()), {kind: len(rows) for kind, rows in counts.items()}
    summary = {
        kind: (
            min(n for n, exception in rows if not exception),
            int(statistics.median(n for n, _exception in rows)),
            len(rows),
        )
        for kind, rows in counts.items()
    }
    exceptions = [n for rows in counts.values() for n, exception in rows if exception]
    print("candidates per row (min, median, rows):", summary)
    print("UNDERAGE rows of one-serial kab/kota:", sorted(exceptions))
    assert all(low >= MIN_CANDIDATES for low, _median, _n in summary.values()), summary
    assert all(n >= 6_000 for n in exceptions), exceptions


def test_no_stored_row_keeps_a_clear_birth_date():
    """The columns themselves: nothing named like a birth date but its keyed hash, its
    ciphertext and the age flag."""
    for model in (Supporter, Voter, RegistryAnswer):
        assert "birth_date" not in _fields(model), model
    assert not {c for c in EXPORT_COLUMNS if "birth" in c}


def test_the_kelurahan_gives_the_kecamatan_of_issue_for_most_supporters(stored):
    """The correlation the count takes as known: the kelurahan's kecamatan is the NIK's."""
    rows = list(Supporter.objects.filter(pair=stored))
    same = sum(
        1
        for r in rows
        if nik_decrypt(r.nik_cipher, context=supporter_context(r.upload_id, r.row_number))[:6]
        == "".join(r.kelurahan_id.split(".")[:3])
    )
    print(f"kelurahan = kecamatan of issue: {same}/{len(rows)}")
    assert same > len(rows) // 2


def _first_name(name: str) -> str:
    """The name's first word, titles and degrees (DRA., H., S.SOS) left out."""
    words = [w for w in re.split(r"[\s,]+", name.upper()) if w and "." not in w]
    return words[0] if words else ""


def test_the_name_tells_the_sex_as_the_sex_column_does(stored):
    """Why the count takes the sex as known from the name as well as from the sex column: the
    name, which the team and the KPU must read, gives it. An attacker with the dump learns
    from the roll's names which first names are whose and reads the sex of a supporter's NIK
    (the day code's +40) off its name. In the generated sample every given name is one sex's
    (seeds/population.py draws them from per-sex lists); in real rolls most are (Siti, Dewi,
    -wati, -ningsih, Putri; Muhammad, Ahmad, Budi, -to, -man, Putra). So keeping the sex out
    of the clear columns would not double the UNDERAGE rows' count: the exception above stays
    while the name is kept in the clear."""
    first: dict[str, set[str]] = {}
    for name, sex in Voter.objects.filter(roll=stored.election.roll).values_list("name", "sex"):
        first.setdefault(_first_name(name), set()).add(sex)
    told = wrong = 0
    rows = list(Supporter.objects.filter(pair=stored))
    for row in rows:
        nik = nik_decrypt(row.nik_cipher, context=supporter_context(row.upload_id, row.row_number))
        guess = first.get(_first_name(row.name), set())
        if len(guess) == 1:
            told += 1
            wrong += guess != {"P" if int(nik[6:8]) > 40 else "L"}
    print(f"the name tells the NIK's sex of {told}/{len(rows)} supporters, {wrong} of them wrongly")
    assert told >= len(rows) * 9 // 10 and wrong <= told // 20
