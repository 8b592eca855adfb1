"""The whole 2024 cycle in miniature (docs/domain.md step 6), as one story told through the commands
and services a commission uses: the regent election of Kepulauan Seribu, whose spread is over
its two kecamatan.

    vermin of the initial list -> repair 1 -> vermin of repair 1 -> verfak 1 -> repair 2
    -> vermin of repair 2 -> verfak 2 -> supervisor advice answered -> decision

Every figure asserted is counted by hand from the people planted below, and written as a
literal with the count in a comment; none is recomputed by the code under test.

The election: DPT 100, regent, DPT <= 250,000: 10% -> threshold 10 supports; spread over the
2 kecamatan, more than half -> both. Kepulauan Seribu Utara (31.01.01): Pulau Panggang 1001,
Pulau Kelapa 1002, Pulau Harapan 1003. Kepulauan Seribu Selatan (31.01.02): Pulau Untung
Jawa 1001, Pulau Tidung 1002, Pulau Pari 1003.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from candidates.models import Election, Pair
from electorate.models import Role
from fieldwork.models import Finding, Method, Task
from fieldwork.records import attest_denial
from fieldwork.standing import standing_refresh
from fieldwork.supervision import advice_answer, advice_create
from keys.nik import nik_hash
from objections.models import Objection, Step
from objections.services import objection_clarify, objection_decide, objection_file
from tests.documents.conftest import pdf_text, value
from tests.factories import ROLL_HEADER, SUPPORT_HEADER, csv_bytes, make_nik
from tests.fieldwork.field import SHEET_HEADER, enter, sheet_row, staff

pytestmark = pytest.mark.django_db

PANGGANG, KELAPA, HARAPAN = "31.01.01.1001", "31.01.01.1002", "31.01.01.1003"
UNTUNG_JAWA, TIDUNG, PARI = "31.01.02.1001", "31.01.02.1002", "31.01.02.1003"

# key: (name, birth date, sex, kelurahan on the roll). Everyone is on the roll but t1.
PEOPLE = {
    # the initial list of pair A
    "u1": ("AHMAD FAUZI", dt.date(1980, 2, 11), "L", PANGGANG),
    "u2": ("SITI RAHMAWATI", dt.date(1985, 7, 3), "P", PANGGANG),
    "u3": ("JOKO SUSILO", dt.date(1979, 12, 25), "L", PANGGANG),
    "u4": ("DEWI LESTARI", dt.date(1990, 4, 14), "P", KELAPA),
    "u5": ("BAMBANG HERMAWAN", dt.date(1968, 9, 30), "L", KELAPA),
    "b1": ("HENDRA GUNAWAN", dt.date(1975, 1, 19), "L", KELAPA),  # PNS: BMS, repaired in 1
    "t1": ("RUDI HARTONO", dt.date(1983, 5, 5), "L", None),  # not on the roll: TMS
    "t2": ("PUTRI AYU", dt.date(2010, 3, 5), "P", KELAPA),  # 14, unmarried: TMS
    "s1": ("IWAN SETIAWAN", dt.date(1972, 6, 21), "L", UNTUNG_JAWA),
    "m1": ("YULIANI", dt.date(1950, 8, 17), "P", HARAPAN),  # the form says Tidung
    "d1": ("AGUS SALIM", dt.date(1988, 10, 2), "L", TIDUNG),  # listed by pair B too
    "b2": ("RUSDI HAMZAH", dt.date(1966, 11, 9), "L", UNTUNG_JAWA),  # name wrong: BMS
    # repair 1
    "n1": ("WAHYU PRATAMA", dt.date(1995, 3, 12), "L", PARI),
    "n2": ("RINA MARLIANA", dt.date(1993, 5, 27), "P", PARI),
    "n3": ("SLAMET RIYADI", dt.date(1960, 1, 1), "L", PANGGANG),
    # repair 2
    "r1": ("TAUFIK HIDAYAT", dt.date(1987, 2, 2), "L", UNTUNG_JAWA),
    "r2": ("NURHAYATI", dt.date(1970, 12, 12), "P", TIDUNG),
    "r3": ("ANDI WIJAYA", dt.date(1991, 6, 6), "L", PARI),
    "r4": ("SRI WAHYUNI", dt.date(1982, 8, 8), "P", HARAPAN),
    "r5": ("DEDI KURNIAWAN", dt.date(1977, 4, 4), "L", PANGGANG),
    "r6": ("FITRI HANDAYANI", dt.date(1999, 9, 9), "P", KELAPA),
    # pair B's own supporter
    "bx": ("MUHAMMAD RIZKI", dt.date(1994, 1, 20), "L", PARI),
}
NIK = {
    key: make_nik(birth=birth, sex=sex, region=(kel or PANGGANG)[:8].replace(".", ""), serial=i)
    for i, (key, (_name, birth, sex, kel)) in enumerate(PEOPLE.items(), start=101)
}


def _person(key: str, **overrides) -> dict:
    name, birth, sex, kelurahan = PEOPLE[key]
    row = {
        "NIK": NIK[key],
        "NAMA": name,
        "TEMPAT_LAHIR": "Kepulauan Seribu",
        "TANGGAL_LAHIR": birth.strftime("%d-%m-%Y"),
        "JENIS_KELAMIN": sex,
        "STATUS_PERKAWINAN": "BELUM KAWIN" if birth.year > 2005 else "KAWIN",
        "ALAMAT": "Jl. Dermaga No. 7",
        "RT": "1",
        "RW": "2",
        "KODE_WILAYAH": (kelurahan or PANGGANG).replace(".", ""),
        "PEKERJAAN": "Nelayan",
        "HALAMAN": "1",
    }
    row.update(overrides)
    return row


class Commission:
    """The commands the KPU runs, their JSON parsed; files written under `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder

    def run(self, name: str, *args: str) -> dict:
        out = io.StringIO()
        call_command(name, *args, "--json", stdout=out)
        return json.loads(out.getvalue())

    def file(self, name: str, data: bytes) -> str:
        path = self.folder / name
        path.write_bytes(data)
        return str(path)

    def support(self, pair: Pair, round: int, name: str, rows: list[dict]) -> dict:
        path = self.file(name, csv_bytes(rows, header=SUPPORT_HEADER))
        return self.run("import_support", "--pair", str(pair.pk), "--round", str(round), path)

    def vermin(self, pair: Pair, round: int) -> dict:
        return self.run("verify_admin", "--pair", str(pair.pk), "--round", str(round))

    def minutes(self, pair: Pair, stage: str, round: int) -> str:
        """Issue the Berita Acara of the stage (the election's level) and read its text."""
        out = self.folder / f"ba-{pair.pk}-{stage}-{round}.pdf"
        self.run(
            "minutes", "--pair", str(pair.pk), "--stage", stage, "--round", str(round),
            "--out", str(out), "--date", "2024-08-01", "--place", "Kantor KPU Kepulauan Seribu",
        )  # fmt: skip
        return pdf_text(out)

    def recap(self, pair: Pair) -> dict:
        return self.run("recap", "--pair", str(pair.pk))

    def sheet(self, pair: Pair, name: str, rows: list[dict], user: str) -> dict:
        path = self.file(name, csv_bytes(rows, header=SHEET_HEADER))
        return self.run("verfak_record", "--pair", str(pair.pk), path, "--user", user)


def _admin(recap: dict) -> tuple[int, int, int, int]:
    admin = recap["administrative"]
    return admin["MS"], admin["BMS"], admin["TMS"], admin["total"]


def _verfak(recap: dict) -> tuple[int, int, int]:
    return recap["verfak"]["MS"], recap["verfak"]["TMS"], recap["verfak"]["pending"]


def _final(recap: dict) -> tuple[int, int, int, int]:
    final = recap["final"]
    return final["MS"], final["MS_due_in_field"], final["shortfall"], final["spread"]["achieved"]


def _task(pair: Pair, key: str) -> Task:
    return Task.objects.select_related("stage__pair__election").get(
        pair=pair, nik_hash=nik_hash(NIK[key])
    )


def test_the_2024_cycle_in_miniature(jakarta, tmp_path):  # noqa: PLR0915 (one story, in order)
    kpu = Commission(tmp_path)

    # --- set-up: the election, two pairs, the roll, the staff ---------------------------------
    election = kpu.run(
        "create_election",
        *("--slug", "pilbup-kepulauan-seribu-2024", "--region", "31.01", "--level", "regent"),
        *("--dpt", "100", "--voting-day", "2024-11-27"),
    )
    assert (election["threshold"], election["spread_units"], election["spread_required"]) == (
        10,  # 10% of 100
        2,  # Kepulauan Seribu Utara and Selatan
        2,  # more than half of 2
    )
    slug = election["slug"]
    a = Pair.objects.get(pk=kpu.run("create_pair", "--election", slug, "--name", "A - B")["id"])
    b = Pair.objects.get(pk=kpu.run("create_pair", "--election", slug, "--name", "C - D")["id"])
    roll = [_person(key) for key, person in PEOPLE.items() if person[3] is not None]
    roll_file = kpu.file("dpt.csv", csv_bytes(roll, header=ROLL_HEADER))
    assert kpu.run("import_voter_roll", "--election", slug, roll_file)["accepted"] == 21  # 22 - t1
    kpu_seribu = staff("kpu_seribu", Role.KPU_KABKOTA, "31.01")
    pps_kelapa = staff("pps_kelapa", Role.PPS, KELAPA)
    pkd_panggang = staff("pkd_panggang", Role.BAWASLU, PANGGANG)
    panwaslu = staff("bawaslu_seribu", Role.BAWASLU, "31.01")

    # --- the initial lists and their administrative verification -------------------------------
    initial = [
        *(_person(k) for k in ("u1", "u2", "u3", "u4", "u5")),
        _person("b1", PEKERJAAN="PNS"),
        _person("t1"),
        _person("t2"),
        _person("u1"),  # listed twice: DUPLICATE_INTERNAL
        _person("s1"),
        _person("m1", KODE_WILAYAH=TIDUNG.replace(".", "")),  # the roll says Pulau Harapan
        _person("d1"),
        _person("b2", NAMA="SITI AMINAH"),  # the roll says RUSDI HAMZAH
    ]
    assert kpu.support(a, 0, "dukungan-a.csv", initial)["accepted"] == 13
    assert kpu.support(b, 0, "dukungan-b.csv", [_person("d1"), _person("bx")])["accepted"] == 2
    vermin = kpu.vermin(a, 0)
    # MS u1 u2 u3 u4 u5 s1 m1 = 7; BMS b1 d1 b2 = 3; TMS t1 t2 u1-again = 3
    assert (vermin["MS"], vermin["BMS"], vermin["TMS"], vermin["total"]) == (7, 3, 3, 13)
    assert {k: v for k, v in vermin["reasons"].items() if v} == {
        "NOT_IN_ROLL": 1,  # t1
        "UNDERAGE": 1,  # t2
        "DUPLICATE_INTERNAL": 1,  # u1 again
        "DUPLICATE_EXTERNAL": 1,  # d1
        "DATA_MISMATCH": 1,  # b2
        "RESTRICTED_OCCUPATION": 1,  # b1
    }
    assert (kpu.vermin(b, 0)["MS"], kpu.vermin(b, 0)["BMS"]) == (1, 1)  # bx; d1
    recap = kpu.recap(a)
    assert recap["stage"] == {"name": "vermin", "round": 0, "status": "done"}
    assert _admin(recap) == (7, 3, 3, 13)
    # Final MS 7, all 7 still due in the field; short by 10 - 7 = 3; Utara (u1-u5, m1 placed
    # in Pulau Harapan) and Selatan (s1): both kecamatan.
    assert _final(recap) == (7, 7, 3, 2)
    assert (recap["shortfall"], recap["repair_required"]) == (3, 3)
    utara = recap["administrative"]["by_region"]["31.01"]["kecamatan"]["31.01.01"]
    m1 = utara["kelurahan"][HARAPAN]
    assert m1["MS"] == 1  # the roll's kelurahan, not the form's

    # --- repair 1: new supporters and the corrected BMS record ---------------------------------
    repair_1 = [
        _person("b1", PEKERJAAN="Nelayan"),  # corrected: MS, the PNS record superseded
        _person("n1"),
        _person("n2"),
        _person("n3"),
        _person("u2"),  # MS already in the initial list: DUPLICATE_INTERNAL
    ]
    assert kpu.support(a, 1, "perbaikan-1-a.csv", repair_1)["accepted"] == 5
    vermin = kpu.vermin(a, 1)
    assert (vermin["MS"], vermin["BMS"], vermin["TMS"]) == (4, 0, 1)  # b1 n1 n2 n3; u2
    recap = kpu.recap(a)
    # Counted once: MS 7 + 4 = 11; BMS d1 b2 = 2 (b1 superseded); TMS t1 t2 u1 u2 = 4
    assert _admin(recap) == (11, 2, 4, 17)
    assert _final(recap) == (11, 11, 0, 2)

    # --- verfak 1: 11 MS and the double supporter d1 -------------------------------------------
    started = kpu.run("verfak_start", "--pair", str(a.pk), "--opens", "2024-06-01")
    assert {k: started[k] for k in ("supporters", "kelurahan", "opens", "closes")} == {
        "supporters": 12,  # u1-u5 s1 m1 b1 n1 n2 n3 + d1
        "kelurahan": 6,  # every kelurahan of the kab: m1 in Pulau Harapan
        "opens": "2024-06-01",
        "closes": "2024-06-14",
    }
    assert _task(a, "m1").kelurahan_code == HARAPAN and _task(a, "d1").double
    sheet = kpu.sheet(
        a,
        "verfak-1.csv",
        [
            sheet_row(NIK["u1"], "SESUAI", "02-06-2024"),
            sheet_row(NIK["u2"], "SESUAI", "02-06-2024", method="VIDEO_CALL"),
            sheet_row(NIK["u3"], "TOLAK_TTD", "03-06-2024"),
            sheet_row(NIK["n3"], "TOLAK", "03-06-2024"),
            sheet_row(NIK["u4"], "TOLAK", "08-06-2024"),
            sheet_row(NIK["u5"], "TIDAK_DITEMUI", "04-06-2024"),
            sheet_row(NIK["b1"], "TIDAK_DITEMUI", "10-06-2024"),
            sheet_row(NIK["m1"], "MENINGGAL", "05-06-2024", deceased="20-05-2024"),
            sheet_row(NIK["s1"], "PINDAH", "05-06-2024"),
            sheet_row(NIK["d1"], "SESUAI", "06-06-2024", chosen=str(b.pk)),
            sheet_row(NIK["n1"], "SESUAI", "07-06-2024", method="KUMPUL"),
            sheet_row(NIK["t1"], "SESUAI", "07-06-2024"),  # TMS, never handed to the field
        ],
        user="kpu_seribu",
    )
    assert (sheet["accepted"], sheet["rejected"]) == (11, 1)
    assert [(e["row"], e["column"]) for e in sheet["errors"]] == [(13, "NIK")]
    # u5 is brought to the PPS office two days after the visit; the PKD attests n3's denial.
    enter(_task(a, "u5"), Finding.SESUAI, dt.date(2024, 6, 6), method=Method.DIHADIRKAN)
    assert (_task(a, "u5").result, _task(a, "u5").records.count()) == ("MS", 2)
    statement = "Saya hadir: pendukung menolak dan tidak mau menandatangani."
    assert attest_denial(task=_task(a, "n3"), by=pkd_panggang, statement=statement).changed
    assert _task(a, "d1").note == "CHOSE_OTHER"
    recap = kpu.recap(a)
    assert recap["stage"] == {"name": "verfak", "number": 1, "round": 1, "status": "open"}
    # MS u1 u2 u4(denied unsigned) u5(brought in) n1 = 5; TMS u3 n3(attested) m1 s1 d1 = 5;
    # pending b1 (not met, bring-in until 13 June) and n2 (never visited) = 2
    assert _verfak(recap) == (5, 5, 2)
    with pytest.raises(CommandError, match="berakhir 14-06-2024"):
        kpu.run("verfak_close", "--pair", str(a.pk), "--as-of", "2024-06-14")
    # n2 never visited, b1 not brought in by 13 June: the KPU confirms that 2 become TMS.
    with pytest.raises(CommandError, match="menjadikan 2 pendukung TMS tanpa didatangi"):
        kpu.run("verfak_close", "--pair", str(a.pk), "--as-of", "2024-06-15")
    closed = kpu.run("verfak_close", "--pair", str(a.pk), "--as-of", "2024-06-15", "--confirm", "2")
    assert (closed["MS"], closed["TMS"], closed["pending"], closed["total"]) == (5, 7, 0, 12)
    assert closed["by_outcome"] == {
        "BELUM": 1,  # n2
        "SESUAI": 5,  # u1 u2 u5 d1 n1
        "TOLAK_TTD": 1,  # u3
        "TOLAK": 2,  # n3 u4
        "TIDAK_DITEMUI": 1,  # b1
        "MENINGGAL": 1,  # m1
        "PINDAH": 1,  # s1
    }
    recap = kpu.recap(a)
    assert _verfak(recap) == (5, 7, 0)
    # Final MS 5: u1 u2 (Panggang), u4 u5 (Kelapa): Utara; n1 (Pari): Selatan. Short by 5.
    assert _final(recap) == (5, 0, 5, 2)
    assert recap["final"]["repair_required"] == 5  # 2024: the shortfall
    assert recap["final"]["status_label"] == "Wajib menyerahkan perbaikan dukungan"
    # Short after verfak 1, the pair is still owed repair 2: no decision before it (nor a
    # window of repair 2 that has passed unused, nor the pair's written renunciation).
    with pytest.raises(CommandError, match="masih berhak atas Perbaikan 2"):
        kpu.run("decide", "--pair", str(a.pk))
    Election.objects.filter(slug=slug).update(rule_set="2015")
    standing_refresh(pair=a)  # what a change of the election's rules does (the standing moves)
    assert kpu.recap(a)["final"]["repair_required"] == 10  # 2015-2020: twice the shortfall
    Election.objects.filter(slug=slug).update(rule_set="2024")
    standing_refresh(pair=a)

    # Pair B starts later: d1 chose B in A's field, so B's task follows that finding.
    assert kpu.run("verfak_start", "--pair", str(b.pk), "--opens", "2024-06-20")["supporters"] == 2
    assert (_task(b, "d1").finding, _task(b, "d1").result) == ("SESUAI", "MS")

    # --- repair 2: at least the shortfall of 5 -------------------------------------------------
    repair_2 = [
        *(_person(k) for k in ("r1", "r2", "r3", "r4", "r5", "r6")),
        _person("b2"),  # the name corrected to the roll's: MS, the earlier record superseded
        _person("u3"),  # denied in the field; MS in the initial list: DUPLICATE_INTERNAL
    ]
    assert kpu.support(a, 2, "perbaikan-2-a.csv", repair_2)["accepted"] == 8
    vermin = kpu.vermin(a, 2)
    assert (vermin["MS"], vermin["BMS"], vermin["TMS"]) == (7, 0, 1)  # r1-r6 b2; u3
    recap = kpu.recap(a)
    # Counted once: MS 11 + 7 = 18; BMS d1 = 1; TMS t1 t2 u1 u2 u3 = 5
    assert _admin(recap) == (18, 1, 5, 24)
    # Final: 5 met in verfak 1 + 7 still due in the field = 12
    assert _final(recap) == (12, 7, 0, 2)
    # The minutes of repair 2's administrative verification hold the pair against the same
    # standing (5 carried + 7 since), not against the administrative MS of 18.
    text = kpu.minutes(a, "vermin", 2)
    assert value(text, "sampai dengan tahap ini") == 12
    assert value(text, "dari hasil verifikasi faktual yang telah ditutup") == 5
    assert value(text, "Kekurangan dukungan") == 0

    # --- a public response: u1, met and confirmed in verfak 1, never gave support ------------
    objection = objection_file(
        pair=a,
        nik=NIK["u1"],
        name="AHMAD FAUZI",
        kind=Objection.Kind.NEVER,
        by=panwaslu,
        source=Objection.Source.BAWASLU,
        note="Warga melapor ke Panwaslu: tidak pernah memberikan KTP-el.",
    )
    objection_clarify(
        objection=objection,
        by=kpu_seribu,
        method=Step.Method.VISIT,
        happened_at=timezone.now(),
        note="Didatangi: membenarkan tidak pernah memberikan dukungan.",
    )
    objection_decide(objection=objection, by=kpu_seribu, confirmed=True, reason="")
    # Struck in the closed verfak 1: the standing falls to 4 carried + 7 since = 11.
    assert _final(kpu.recap(a)) == (11, 7, 0, 2)
    # Verfak 1's minutes, issued now that a later round has been verified, print the stage as
    # its plenary closed it (MS 5): the strike belongs to the public responses, not to it.
    text = kpu.minutes(a, "verfak", 1)
    assert value(text, "Memenuhi syarat (MS)") == 5
    assert value(text, "Dukungan memenuhi syarat (MS)") == 5
    # Its findings' rows add up to its totals, the double who chose pair B on a row of its own.
    assert value(text, "Pendukung ganda memilih bakal pasangan calon lain") == 1
    assert value(text, "Jumlah", "TMS") == 7
    with pytest.raises(CommandError, match="7 pendukung MS belum diverifikasi faktual"):
        kpu.run("decide", "--pair", str(a.pk))

    # --- verfak 2 ------------------------------------------------------------------------------
    started = kpu.run("verfak_start", "--pair", str(a.pk), "--opens", "2024-07-15")
    assert (started["stage"], started["supporters"], started["kelurahan"]) == (2, 7, 6)
    assert started["closes"] == "2024-07-28"
    first_sheet = [
        sheet_row(NIK["r1"], "SESUAI", "16-07-2024"),
        sheet_row(NIK["r2"], "SESUAI", "16-07-2024", method="VIDEO"),
        sheet_row(NIK["r3"], "TOLAK_TTD", "17-07-2024"),
        sheet_row(NIK["r4"], "SESUAI", "17-07-2024"),
        sheet_row(NIK["r5"], "TIDAK_DITEMUI", "16-07-2024"),
        sheet_row(NIK["r6"], "PINDAH", "18-07-2024"),
        sheet_row(NIK["b2"], "SESUAI", "18-07-2024"),
    ]
    assert kpu.sheet(a, "verfak-2.csv", first_sheet, user="kpu_seribu")["accepted"] == 7
    # The later sheet repeats the earlier rows and carries r5's bring-in on the third day.
    brought_in = sheet_row(NIK["r5"], "SESUAI", "19-07-2024", method="DIHADIRKAN")
    later = kpu.sheet(a, "verfak-2b.csv", [*first_sheet, brought_in], user="kpu_seribu")
    assert (later["accepted"], later["rejected"]) == (8, 0)
    assert _task(a, "r5").result == "MS"
    advice = advice_create(
        stage=_task(a, "r3").stage,
        target="supporter",
        task=_task(a, "r3"),
        text="Pastikan surat penolakan ditandatangani tanpa tekanan.",
        by=panwaslu,
    )
    with pytest.raises(CommandError) as refused:
        kpu.run("decide", "--pair", str(a.pk))
    assert "Verifikasi faktual 2 masih berlangsung" in str(refused.value)
    assert "1 saran perbaikan pengawas belum dijawab KPU" in str(refused.value)
    with pytest.raises(CommandError, match="saran perbaikan"):
        kpu.run("verfak_close", "--pair", str(a.pk), "--as-of", "2024-07-29")
    advice_answer(
        advice=advice,
        accept=False,
        answer="Surat pernyataan ditandatangani di hadapan PKD; tidak ada tekanan.",
        by=pps_kelapa,
    )
    closed = kpu.run("verfak_close", "--pair", str(a.pk), "--as-of", "2024-07-29")
    # MS r1 r2 r4 r5 b2 = 5; TMS r3 r6 = 2
    assert (closed["MS"], closed["TMS"], closed["pending"], closed["total"]) == (5, 2, 0, 7)

    # --- the decision --------------------------------------------------------------------------
    recap = kpu.recap(a)
    assert recap["stage"] == {"name": "verfak", "number": 2, "round": 2, "status": "closed"}
    # Final MS 4 + 5 = 9, one short of 10 (u1 struck). Utara: u2 u4 u5 r4 r5; Selatan: n1 r1
    # r2 b2. No repair round is left after verfak 2: the pair is decided as it stands.
    assert _final(recap) == (9, 0, 1, 2)
    assert [s["MS"] for s in recap["verfak_stages"]] == [4, 5]  # verfak 1 after the strike
    assert [s["standing_MS"] for s in recap["verfak_stages"]] == [5, 9]  # as each closed
    decision = kpu.run("decide", "--pair", str(a.pk))
    assert decision["decision"] == "tidak_memenuhi_syarat"
    assert (decision["MS"], decision["threshold"], decision["meets_threshold"]) == (9, 10, False)
    spread = decision["spread"]
    assert (spread["achieved"], spread["required"], spread["reached"]) == (
        2,
        2,
        ["31.01.01", "31.01.02"],
    )
    # Decided: the pair submits nothing more, and no run or stage starts for it; the recap
    # says when and how it was decided.
    late = [_person("bx", NAMA="MUHAMMAD RIZKI")]
    with pytest.raises(CommandError, match="sudah ditetapkan"):
        kpu.support(a, 2, "perbaikan-terlambat.csv", late)
    with pytest.raises(CommandError, match="sudah ditetapkan"):
        kpu.vermin(a, 2)
    with pytest.raises(CommandError, match="sudah ditetapkan"):
        kpu.run("verfak_start", "--pair", str(a.pk))
    assert kpu.recap(a)["decision"]["result"] == "tidak_memenuhi_syarat"


# --- the steps of the law around the cycle (helper H4) --------------------------------------


def _rows(*keys: str, **overrides) -> list[dict]:
    return [_person(key, **overrides) for key in keys]


def test_the_count_and_spread_check_before_any_verification(jakarta, tmp_path):  # noqa: PLR0915
    """Submission, 8-12 May 2024 (DOMAIN.md step 2): each pair hands in its list with its own
    summary per kecamatan (B.2-KWK); the KPU holds the list, as submitted, against the
    threshold (10) and the spread (both kecamatan) before any verification. Pair C is short,
    returned, completes its list within the window and is verified; pair D is still short
    when the window closes and does not go on to verification."""
    from tests.documents.conftest import pdf_text

    kpu = Commission(tmp_path)
    election = kpu.run(
        "create_election",
        *("--slug", "pilbup-seribu-penelitian", "--region", "31.01", "--level", "regent"),
        *("--dpt", "100", "--voting-day", "2024-11-27"),
        *("--submission-start", "2024-05-08", "--submission-end", "2024-05-12"),
    )
    assert (election["threshold"], election["spread_required"]) == (10, 2)
    assert election["submission_check"] is True  # the law's step, on for a new election
    slug = election["slug"]
    c = Pair.objects.get(pk=kpu.run("create_pair", "--election", slug, "--name", "C - D")["id"])
    d = Pair.objects.get(pk=kpu.run("create_pair", "--election", slug, "--name", "E - F")["id"])
    roll = [_person(key) for key, person in PEOPLE.items() if person[3] is not None]
    roll_file = kpu.file("dpt.csv", csv_bytes(roll, header=ROLL_HEADER))
    kpu.run("import_voter_roll", "--election", slug, roll_file)

    # Pair C: six supporters, all in Kepulauan Seribu Utara; its B.2-KWK says 6 + 4.
    initial = _rows("u1", "u2", "u3", "u4", "u5", "n3")
    assert kpu.support(c, 0, "dukungan-c.csv", initial)["accepted"] == 6
    b2 = kpu.file("b2-c.csv", b"KODE_WILAYAH,JUMLAH\r\n310101,6\r\n310102,4\r\n")
    check = kpu.run(
        "submission_check", "--pair", str(c.pk), "--summary", b2, "--as-of", "2024-05-10"
    )
    assert check["status"] == "dikembalikan"
    assert (check["counted"], check["threshold"], check["shortfall"]) == (6, 10, 4)
    assert (check["spread"]["achieved"], check["spread"]["missing"]) == (1, ["31.01.02"])
    assert check["deadline"] == "2024-05-12"  # the window's last day
    units = {u["code"]: (u["declared"], u["listed"], u["difference"]) for u in check["units"]}
    assert units == {"31.01.01": (6, 6, 0), "31.01.02": (4, 0, -4)}  # Selatan: declared, absent
    assert "Kurang 4 dukungan" in check["message"]
    with pytest.raises(CommandError, match="paling lambat 12-05-2024"):
        kpu.vermin(c, 0)  # returned: not verified

    # C completes its list within the window: four supporters of Selatan.
    assert kpu.support(c, 0, "dukungan-c-2.csv", _rows("s1", "b2", "r1", "r2"))["accepted"] == 4
    check = kpu.run("submission_check", "--pair", str(c.pk), "--as-of", "2024-05-12")
    assert (check["status"], check["counted"], check["spread"]["achieved"]) == ("memenuhi", 10, 2)
    assert check["units"][1]["declared"] == 4 and check["units"][1]["difference"] == 0
    vermin = kpu.vermin(c, 0)
    assert (vermin["MS"], vermin["total"]) == (10, 10)  # every one of them on the roll

    # Pair D: three supporters (two kecamatan, 3 of 10) and no B.2-KWK.
    assert kpu.support(d, 0, "dukungan-d.csv", _rows("bx", "r3", "r4"))["accepted"] == 3
    check = kpu.run("submission_check", "--pair", str(d.pk), "--as-of", "2024-05-11")
    assert (check["status"], check["counted"], check["shortfall"]) == ("dikembalikan", 3, 7)
    assert check["summary"] is None and "B.2-KWK belum diserahkan" in check["message"]
    # The window closes with D still short: D does not go on to verification.
    check = kpu.run("submission_check", "--pair", str(d.pk), "--as-of", "2024-05-13")
    assert check["status"] == "tidak_lanjut"
    assert "tidak dapat melanjutkan ke tahap verifikasi" in check["message"]
    d.refresh_from_db()
    assert d.decided_at is not None and d.decision_result == "tidak_memenuhi_syarat"
    with pytest.raises(CommandError, match="tidak dapat melanjutkan"):
        kpu.vermin(d, 0)
    assert not d.verification_runs.exists()

    # The minutes of each check: what the team was told, per kecamatan.
    out = tmp_path / "ba-penelitian-d.pdf"
    kpu.run(
        "minutes", "--pair", str(d.pk), "--stage", "penelitian", "--out", str(out),
        "--date", "2024-05-13", "--place", "Kantor KPU Kepulauan Seribu",
    )  # fmt: skip
    text = pdf_text(out)
    assert "PENELITIAN JUMLAH MINIMAL DUKUNGAN DAN PERSEBARAN" in text
    assert "tidak dapat melanjutkan ke tahap verifikasi" in text
    assert "Formulir B.2-KWK tidak diserahkan" in text


def test_a_civil_registry_round_settles_the_niks_not_on_the_roll(jakarta, tmp_path):
    """NOT_IN_ROLL is BMS pending Dukcapil (DOMAIN.md step 3): after the first run the KPU
    exports the NIKs, Dukcapil answers (found with domicile and birth date, alive or not), and
    the next run settles them: k1 found alive in Pulau Panggang (MS), k2 not found, k3
    deceased, k4 found alive but living in Gambir, Jakarta Pusat (outside the regency)."""
    import csv as csvlib

    kpu = Commission(tmp_path)
    slug = kpu.run(
        "create_election",
        *("--slug", "pilbup-seribu-dukcapil", "--region", "31.01", "--level", "regent"),
        *("--dpt", "100", "--voting-day", "2024-11-27", "--registry-confirmation"),
    )["slug"]
    pair = Pair.objects.get(pk=kpu.run("create_pair", "--election", slug, "--name", "G - H")["id"])
    roll = [_person(key) for key in ("u1", "u2", "u3", "u4", "u5")]
    roll_file = kpu.file("dpt.csv", csv_bytes(roll, header=ROLL_HEADER))
    kpu.run("import_voter_roll", "--election", slug, roll_file)
    off_roll = {  # the kelurahan the team typed: all inside the regency
        "k1": ("SUPRIYADI", dt.date(1971, 7, 7), "L", KELAPA),
        "k2": ("MARYAM", dt.date(1984, 4, 24), "P", TIDUNG),
        "k3": ("HASAN BASRI", dt.date(1949, 9, 19), "L", PARI),
        "k4": ("LINDA WATI", dt.date(1992, 2, 29), "P", UNTUNG_JAWA),
    }
    niks = {}
    rows = _rows("u1", "u2", "u3", "u4", "u5")
    for i, (key, (name, birth, sex, kelurahan)) in enumerate(off_roll.items(), start=301):
        niks[key] = make_nik(birth=birth, sex=sex, region=kelurahan[:8].replace(".", ""), serial=i)
        rows.append(
            _person("u1", NIK=niks[key], NAMA=name, TANGGAL_LAHIR=birth.strftime("%d-%m-%Y"),
                    JENIS_KELAMIN=sex, KODE_WILAYAH=kelurahan.replace(".", ""))
        )  # fmt: skip
    assert kpu.support(pair, 0, "dukungan.csv", rows)["accepted"] == 9
    vermin = kpu.vermin(pair, 0)
    # MS u1-u5 = 5; BMS k1-k4 = 4, NOT_IN_ROLL pending Dukcapil
    assert (vermin["MS"], vermin["BMS"], vermin["TMS"]) == (5, 4, 0)
    assert vermin["reasons"]["NOT_IN_ROLL"] == 4

    request = tmp_path / "permintaan-dukcapil.csv"
    exported = kpu.run("registry_export", "--election", slug, "--out", str(request))
    assert exported["rows"] == 4
    with request.open(encoding="utf-8") as fh:
        asked = list(csvlib.DictReader(fh))
    assert [r["NIK"] for r in asked] == [niks[k] for k in ("k1", "k2", "k3", "k4")]
    assert asked[1]["NAMA"] == "MARYAM" and asked[1]["TANGGAL_LAHIR"] == "24-04-1984"

    answer = kpu.file(
        "jawaban-dukcapil.csv",
        (
            "NIK,DITEMUKAN,HIDUP,KODE_WILAYAH,TANGGAL_LAHIR\r\n"
            f"{niks['k1']},Y,Y,{PANGGANG.replace('.', '')},07-07-1971\r\n"
            f"{niks['k2']},N,,,\r\n"
            f"{niks['k3']},Y,N,,19-09-1949\r\n"
            f"{niks['k4']},Y,Y,3171011001,29-02-1992\r\n"
        ).encode(),
    )
    imported = kpu.run("registry_import", "--election", slug, answer)
    assert (imported["accepted"], imported["rejected"]) == (4, 0)
    assert (imported["found"], imported["not_found"], imported["deceased"]) == (2, 1, 1)
    assert imported["outside"] == 1  # k4 lives in Gambir

    vermin = kpu.vermin(pair, 0)  # the next run settles them
    # MS u1-u5 and k1 = 6; TMS k2 (not found), k3 (deceased), k4 (outside) = 3
    assert (vermin["MS"], vermin["BMS"], vermin["TMS"]) == (6, 0, 3)
    assert {k: v for k, v in vermin["reasons"].items() if v} == {
        "NOT_IN_ROLL": 2,  # k2, k3
        "REGISTRY_NOT_FOUND": 1,  # k2
        "REGISTRY_DECEASED": 1,  # k3
        "OUTSIDE_REGION": 1,  # k4
    }
    recap = kpu.recap(pair)
    assert recap["MS"] == 6
    assert kpu.run("registry_export", "--election", slug, "--out", str(request))["rows"] == 0


def test_a_governor_elections_minutes_at_the_province_and_a_kabkota_after_later_stages(
    jakarta, tmp_path
):
    """The Berita Acara of a closed factual verification is issued at every level (the
    province, a kab/kota of a governor election), at its close or later, with the figures
    frozen at its close: a repair verified since does not stop it or change it."""
    kpu = Commission(tmp_path)
    election = kpu.run(
        "create_election",
        *("--slug", "pilgub-dki-mini", "--region", "31", "--level", "governor"),
        *("--dpt", "60", "--voting-day", "2024-11-27", "--no-submission-check"),
    )
    assert (election["threshold"], election["spread_required"]) == (6, 4)  # 10% of 60; 4 of 6
    slug = election["slug"]
    pair = Pair.objects.get(pk=kpu.run("create_pair", "--election", slug, "--name", "G - H")["id"])
    places = {  # key: kelurahan (Gambir, Cideng; Penjaringan; Jakarta Barat; Jakarta Selatan)
        "g1": "31.71.01.1001",
        "g2": "31.71.01.1001",
        "g3": "31.71.01.1002",
        "j1": "31.72.01.1001",
        "j2": "31.72.01.1001",
        "b1": "31.73.01.1001",
        "s1": "31.74.01.1001",
        "x1": "31.74.01.1001",  # the repair's
    }
    niks = {
        key: make_nik(birth=dt.date(1980, 1, i), region=code[:8].replace(".", ""), serial=i)
        for i, (key, code) in enumerate(places.items(), start=1)
    }

    def row(key: str) -> dict:
        return {
            "NIK": niks[key],
            "NAMA": f"WARGA {key.upper()}",
            "TEMPAT_LAHIR": "Jakarta",
            "TANGGAL_LAHIR": dt.date(1980, 1, list(places).index(key) + 1).strftime("%d-%m-%Y"),
            "JENIS_KELAMIN": "L",
            "STATUS_PERKAWINAN": "KAWIN",
            "ALAMAT": "Jl. Merdeka 1",
            "RT": "1",
            "RW": "1",
            "KODE_WILAYAH": places[key].replace(".", ""),
            "PEKERJAAN": "Pedagang",
            "HALAMAN": "1",
        }

    roll = kpu.file("dpt.csv", csv_bytes([row(k) for k in places], header=ROLL_HEADER))
    assert kpu.run("import_voter_roll", "--election", slug, roll)["accepted"] == 8
    staff("kpu_dki", Role.KPU_PROVINSI, "31")
    first = [row(k) for k in places if k != "x1"]
    assert kpu.support(pair, 0, "dukungan.csv", first)["accepted"] == 7
    assert kpu.vermin(pair, 0)["MS"] == 7
    kpu.run("verfak_start", "--pair", str(pair.pk), "--opens", "2024-06-01")
    met = [sheet_row(niks[k], "SESUAI", "03-06-2024") for k in ("g1", "g3", "j1", "b1", "s1")]
    assert kpu.sheet(pair, "verfak.csv", met, user="kpu_dki")["accepted"] == 5
    # g2 and j2 never visited: TMS at the close, confirmed by their number.
    closed = kpu.run(
        "verfak_close", "--pair", str(pair.pk), "--as-of", "2024-06-15", "--confirm", "2"
    )
    assert (closed["MS"], closed["TMS"]) == (5, 2)

    def minutes(area: str) -> str:
        out = tmp_path / f"ba-verfak-{area}.pdf"
        kpu.run(
            "minutes", "--pair", str(pair.pk), "--stage", "verfak", "--round", "1",
            "--area", area, "--out", str(out), "--date", "2024-06-20", "--place", "KPU",
        )  # fmt: skip
        return pdf_text(out)

    province = minutes("31")
    assert (value(province, "Memenuhi syarat (MS)"), value(province, "Jumlah", "TMS")) == (5, 2)
    assert value(province, "Dukungan memenuhi syarat (MS)") == 5  # short of 6: repair 1 owed
    assert value(province, "Kekurangan dukungan") == 1
    # Repair 1 verified: a later stage of the pair, and its standing moves to 6.
    assert kpu.support(pair, 1, "perbaikan.csv", [row("x1")])["accepted"] == 1
    assert kpu.vermin(pair, 1)["MS"] == 1
    assert kpu.recap(pair)["MS"] == 6
    # Verfak 1's minutes stay issuable at the province and at a kab/kota, as closed.
    again = minutes("31")
    assert value(again, "Dukungan memenuhi syarat (MS)") == 5
    assert value(again, "Kekurangan dukungan") == 1
    utara = minutes("31.72")  # Jakarta Utara: j1 met, j2 never visited
    assert (value(utara, "Memenuhi syarat (MS)"), value(utara, "Jumlah", "TMS")) == (1, 1)
    assert "Syarat minimal dukungan dan sebaran dinilai pada rekapitulasi" in " ".join(
        utara.split()
    )
