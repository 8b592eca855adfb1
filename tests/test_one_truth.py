"""One truth: for every role and scope of the demo, every figure is read from every surface
that shows it (page HTML, the API, `recap --json`, the minutes' PDF text, the XLSX export)
and the readings must agree.

Figures compared (each in the scope the surface names for that user):
- the administrative MS / BMS / TMS of the scope: recap page, results page, API recap,
  `recap --json` ("administrative", whole list only), the XLSX export's status column;
- the standing (the MS that counts, the shortfall, the spread reached): recap page, pair
  summary, decision page, the team's home, API recap, `recap --json`, the minutes;
- the supporters placed in each kab/kota: the recap's rows, the share red flag, the misuse
  shares of the objections page, the results page and API of a user whose area it is;
- a factual verification's MS / TMS: the verfak page, `recap --json`, its minutes.

The pages carry each figure in a `data-figure`/`data-value` (or `data-area`) attribute beside
the number shown, so that the test reads what the page prints without parsing prose.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import defaultdict

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from candidates.models import Election, Supporter
from documents.models import Minutes
from files.uploads import upload_open
from keys.nik import nik_decrypt, supporter_context
from tests.documents.conftest import line_with, numbers, pdf_text, value
from tests.factories import ROLL_HEADER, SUPPORT_HEADER, birth_of, csv_bytes, good_row, make_nik
from verification.exports import supporter_results_xlsx
from verification.models import VerificationResult
from verification.selectors import may_export, results_visible, scope_for

pytestmark = pytest.mark.django_db(transaction=True)

USERS = (
    "kpu_dki",
    "kpu_jakpus",
    "ppk_gambir",
    "pps_cideng",
    "pkd_cideng",
    "bawaslu_dki",
    "bawaslu_jaktim",
    "tim_a",
    "tim_b",
)
FIGURE = re.compile(r'data-figure="([^"]+)" data-value="(-?\d+)"')
AREA_ROW = re.compile(r'data-area="([\d.]+)" data-total="(\d+)"')
SHARE_FLAG = re.compile(r'data-flag="share" data-area="([\d.]+)" data-supporters="(\d+)"')
MISUSE_ROW = re.compile(r'<tr data-area="([\d.]+)" data-supporters="(\d+)"')


class Readings:
    """figure -> {surface: value}; `disagreements` lists every figure read differently."""

    def __init__(self) -> None:
        self.seen: dict[str, dict[str, int]] = defaultdict(dict)

    def add(self, figure: str, surface: str, number: int | None) -> None:
        if number is not None:
            self.seen[figure][surface] = int(number)

    def disagreements(self) -> list[str]:
        return [
            f"{figure}: {surfaces}"
            for figure, surfaces in sorted(self.seen.items())
            if len(set(surfaces.values())) > 1
        ]


def _page(client, name: str, pk: int, query: str = "") -> str | None:
    response = client.get(reverse(name, args=[pk]) + query)
    return response.content.decode() if response.status_code == 200 else None


def _figures(html: str | None) -> dict[str, int]:
    return {k: int(v) for k, v in FIGURE.findall(html or "")}


def _command(name: str, *args: str) -> dict:
    out = io.StringIO()
    call_command(name, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _minutes_text(minutes: Minutes) -> str:
    with upload_open(minutes.pdf) as handle:
        return pdf_text(handle.read())


PENJARINGAN, GAMBIR = "3172011001", "3171011001"  # Jakarta Utara, Jakarta Pusat


@pytest.fixture
def demo(settings, tmp_path):
    """The demo at 0.2%, with what makes placement and counting differ between surfaces that
    disagree: the first pair's repair 1 lists three voters whom the roll places in Jakarta
    Utara while their rows say Jakarta Pusat, and resubmits a civil servant's record (BMS in
    the initial list, now superseded)."""
    settings.VAR_DIR = tmp_path
    call_command("demo_setup", scale=0.002, stdout=io.StringIO())
    election = Election.objects.get(slug="pilgub-dki-2024")
    first = election.pairs.order_by("pk").first()
    voters = [
        good_row(NIK=make_nik(birth=dt.date(1980, 3, i), region="317201"), NAMA=f"WARGA {name}")
        for i, name in ((3, "SATU"), (4, "DUA"), (5, "TIGA"))
    ]
    for row in voters:
        row["KODE_WILAYAH"] = PENJARINGAN
    roll = tmp_path / "dpt-tambahan.csv"
    roll.write_bytes(csv_bytes(voters, header=ROLL_HEADER))
    _command("import_voter_roll", "--election", election.slug, str(roll))
    bms = (
        Supporter.objects.filter(pair=first, round=0, verification__outcome="BMS")
        .select_related("verification")
        .order_by("pk")
        .first()
    )
    nik = nik_decrypt(
        bytes(bms.nik_cipher), context=supporter_context(bms.upload_id, bms.row_number)
    )
    again = good_row(
        NIK=nik,
        NAMA=bms.name,
        TANGGAL_LAHIR=birth_of(bms).strftime("%d-%m-%Y"),
        JENIS_KELAMIN=bms.sex,
        KODE_WILAYAH=bms.kelurahan_id.replace(".", ""),
        PEKERJAAN="Pedagang",
    )
    repair = [dict(row, KODE_WILAYAH=GAMBIR, PEKERJAAN="Pedagang") for row in voters]
    listed = tmp_path / "perbaikan-1.csv"
    listed.write_bytes(csv_bytes([*repair, again], header=SUPPORT_HEADER))
    _command("import_support", "--pair", str(first.pk), "--round", "1", str(listed))
    _command("verify_admin", "--pair", str(first.pk), "--round", "1")
    moved = VerificationResult.objects.filter(pair=first, round=1, moved=True).count()
    assert moved == 3 and VerificationResult.objects.filter(pair=first, superseded=True).exists()
    return election


def _read_admin(readings: Readings, client, user, pair, scope_key: str) -> None:
    """The administrative MS/BMS/TMS of the user's scope, from every surface."""
    recap = _figures(_page(client, "verification-recap", pair.pk))
    results = _figures(_page(client, "verification-results", pair.pk))
    api = client.get(reverse("api-recap", args=[pair.pk]))
    api_data = api.json() if api.status_code == 200 else {}
    for outcome in ("MS", "BMS", "TMS"):
        figure = f"{pair.name} / {scope_key} / administratif {outcome}"
        readings.add(figure, f"halaman rekap ({user.username})", recap.get(f"admin.{outcome}"))
        readings.add(figure, f"halaman hasil ({user.username})", results.get(f"admin.{outcome}"))
        readings.add(figure, f"API rekap ({user.username})", api_data.get(outcome))
    if may_export(user=user, pair=pair):
        out = io.BytesIO()
        rows = results_visible(user=user, pair=pair, round=None)
        supporter_results_xlsx(pair=pair, out=out, rows=rows)
        sheet = list(openpyxl.load_workbook(io.BytesIO(out.getvalue())).active.values)
        status = sheet[0].index("Status")
        for outcome in ("MS", "BMS", "TMS"):
            readings.add(
                f"{pair.name} / {scope_key} / administratif {outcome}",
                f"ekspor XLSX ({user.username})",
                sum(1 for row in sheet[1:] if row[status] == outcome),
            )


def _read_standing(readings: Readings, client, user, pair) -> None:
    """The pair-wide standing, from the pages that show it to this user and the API."""
    pages = {
        "rekap": _figures(_page(client, "verification-recap", pair.pk)),
        "ringkasan": _figures(_page(client, "pair-detail", pair.pk)),
        "keputusan": _figures(_page(client, "decision-pair", pair.pk)),
    }
    if user.username.startswith("tim_"):
        home = client.get(reverse("home")).content.decode()
        pages["beranda tim"] = _figures(home)
    api = client.get(reverse("api-recap", args=[pair.pk]))
    standing = (api.json().get("standing") or {}) if api.status_code == 200 else {}
    for key, label in (("MS", "MS"), ("shortfall", "shortfall"), ("spread", "spread")):
        figure = f"{pair.name} / kedudukan {label}"
        for page, figures in pages.items():
            readings.add(
                figure, f"halaman {page} ({user.username})", figures.get(f"standing.{key}")
            )
        api_value = (
            standing.get("spread", {}).get("achieved") if key == "spread" else standing.get(key)
        )
        readings.add(figure, f"API rekap ({user.username})", api_value)


def _read_places(readings: Readings, client, user, pair) -> None:
    """Supporters placed in each kab/kota: the recap's rows, the red flags, the misuse shares
    (whole-list readers); the results page and the API of a reader whose area it is."""
    scope = scope_for(user=user, pair=pair)
    label = f"({user.username})"
    if scope.whole:
        recap_html = _page(client, "verification-recap", pair.pk) or ""
        objections_html = _page(client, "objection-pair", pair.pk) or ""
        for surface, pattern, html in (
            ("rekap", AREA_ROW, recap_html),
            ("tanda bahaya", SHARE_FLAG, recap_html),
            ("tanggapan masyarakat", MISUSE_ROW, objections_html),
        ):
            for code, n in pattern.findall(html):
                if code.count(".") == 1:
                    readings.add(f"{pair.name} / pendukung di {code}", f"{surface} {label}", n)
    elif scope.area.count(".") == 1:  # a kab/kota reader: its own page totals
        figure = f"{pair.name} / pendukung di {scope.area}"
        results = _page(client, "verification-results", pair.pk)
        if results is not None:
            counts = _figures(results)
            total = sum(counts.get(f"admin.{o}", 0) for o in ("MS", "BMS", "TMS"))
            readings.add(figure, f"hasil {label}", total)
        api = client.get(reverse("api-recap", args=[pair.pk]))
        if api.status_code == 200:
            readings.add(figure, f"API rekap {label}", api.json()["total"])


def _read_commands(readings: Readings, pair) -> None:
    recap = _command("recap", "--pair", str(pair.pk))
    whole = f"{pair.name} / seluruh daftar"
    for outcome in ("MS", "BMS", "TMS"):
        readings.add(
            f"{whole} / administratif {outcome}", "recap --json", recap["administrative"][outcome]
        )
    readings.add(f"{pair.name} / kedudukan MS", "recap --json", recap["MS"])
    readings.add(f"{pair.name} / kedudukan shortfall", "recap --json", recap["shortfall"])
    readings.add(f"{pair.name} / kedudukan spread", "recap --json", recap["spread"]["achieved"])
    for code, entry in recap["administrative"]["by_region"].items():
        readings.add(f"{pair.name} / pendukung di {code}", "recap --json", entry["total"])
    for stage in recap["verfak_stages"]:
        for key in ("MS", "TMS"):
            figure = f"{pair.name} / verfak {stage['number']} {key}"
            readings.add(figure, "recap --json", stage[key])


OUTCOME_LINES = (
    ("MS", "Memenuhi syarat (MS)"),
    ("BMS", "Belum memenuhi syarat (BMS)"),
    ("TMS", "Tidak memenuhi syarat (TMS)"),
)


def _read_minutes(readings: Readings, pair) -> None:
    """The text of every Berita Acara issued for the election's region."""
    for minutes in Minutes.objects.filter(pair=pair, region_id=pair.election.region_id):
        text = _minutes_text(minutes)
        where = f"berita acara {minutes.stage} {minutes.round}"
        if minutes.stage == "vermin":
            point = _command("recap", "--pair", str(pair.pk), "--round", str(minutes.round))
            for outcome, label in OUTCOME_LINES:
                figure = f"{pair.name} / tahap {minutes.round} administratif {outcome}"
                readings.add(figure, where, value(text, label))
                readings.add(figure, f"recap --round {minutes.round}", point[outcome])
            figure = f"{pair.name} / kedudukan sesudah verifikasi administrasi {minutes.round}"
            readings.add(figure, where, value(text, "sampai dengan tahap ini"))
            readings.add(figure, f"recap --round {minutes.round}", point["standing"]["MS"])
        elif minutes.stage == "verfak":
            for key, label in OUTCOME_LINES[::2]:
                figure = f"{pair.name} / verfak {minutes.round} {key}"
                readings.add(figure, where, value(text, label))
        elif minutes.stage == "decision":
            figure = f"{pair.name} / kedudukan MS"
            readings.add(figure, where, value(text, "Dukungan memenuhi syarat (MS) akhir"))
            attached = numbers(line_with(text, "JUMLAH"))[-1]
            readings.add(figure, f"{where} (lampiran)", attached)


def test_every_surface_gives_the_same_figure_for_the_same_scope(demo, client):
    readings = Readings()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=USERS)}
    assert set(users) == set(USERS)
    for pair in demo.pairs.order_by("pk"):
        _read_commands(readings, pair)
        _read_minutes(readings, pair)
        for username in USERS:
            user = users[username]
            client.force_login(user)
            if client.get(reverse("pair-detail", args=[pair.pk])).status_code != 200:
                continue  # another pair's team: not theirs to see
            scope = scope_for(user=user, pair=pair)
            scope_key = "seluruh daftar" if scope.whole else scope.area
            _read_admin(readings, client, user, pair, scope_key)
            if scope.whole:
                _read_standing(readings, client, user, pair)
            _read_places(readings, client, user, pair)
            verfak = _figures(_page(client, "verfak-pair", pair.pk))
            if scope.whole:
                stage = pair.field_stages.order_by("-number").first()
                for key in ("MS", "TMS"):
                    readings.add(
                        f"{pair.name} / verfak {stage.number if stage else 0} {key}",
                        f"halaman verfak ({username})",
                        verfak.get(f"verfak.{key}"),
                    )
        client.logout()
        # The national page (KPU RI, Bawaslu RI): the same stored standing, one row per pair.
        for username in ("kpu_ri", "bawaslu_ri"):
            client.force_login(get_user_model().objects.get(username=username))
            national = _figures(client.get(reverse("national")).content.decode())
            for key in ("MS", "spread"):
                value = national.get(f"standing.{key}.{pair.pk}")
                assert value is not None, (username, pair.name, key)  # the row is there
                readings.add(
                    f"{pair.name} / kedudukan {key}", f"halaman nasional ({username})", value
                )
            client.logout()
    # A figure read on one surface only (a PPK's results page) compares nothing: there must
    # be many that were read on several, or the test proves nothing.
    compared = [f for f, surfaces in readings.seen.items() if len(surfaces) >= 2]
    assert len(compared) >= 40, sorted(compared)
    assert sum(len(readings.seen[f]) for f in compared) >= 200
    assert not readings.disagreements(), "\n".join(readings.disagreements())
