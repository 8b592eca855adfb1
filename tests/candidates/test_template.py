"""The per-kelurahan XLSX template (candidates/template.py): downloaded from the upload page's
guide, filled in with openpyxl as a team would in Excel, uploaded through the real intake:
every row accepted, with exactly the values written."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from candidates.intake import REQUIRED, support_upload_create, support_upload_run
from candidates.models import Supporter
from candidates.template import MARITAL, ROWS, SEXES
from electorate.models import Role
from keys.nik import nik_hash
from tests.factories import ElectionFactory, PairFactory, birth_of, make_nik
from tests.fieldwork.field import staff

pytestmark = pytest.mark.django_db

CIDENG = "31.71.01.1002"
STORED_MARITAL = {"BELUM KAWIN": "B", "KAWIN": "S", "CERAI HIDUP": "P", "CERAI MATI": "P"}


@pytest.fixture
def team(jakarta, client):
    pair = PairFactory(election=ElectionFactory(region=jakarta), name="Andi - Rina")
    user = staff("tim_andi", Role.TIM, "31", pair=pair)
    client.force_login(user)
    return pair


def _download(client, pair, kelurahan: str = CIDENG):
    return client.get(reverse("support-template", kwargs={"pk": pair.pk}), {"kelurahan": kelurahan})


def _people() -> list[dict]:
    """What a team types: NIKs as text, dates as dates, choices from the lists."""
    rows = []
    for i, (sex, marital) in enumerate(
        [(SEXES[i % 2], MARITAL[i % len(MARITAL)]) for i in range(6)], start=1
    ):
        birth = dt.date(1960 + i * 5, i, 10 + i)
        rows.append({
            "NIK": make_nik(birth=birth, sex=sex, region="317101", serial=40 + i),
            "NAMA": f"Siti 'Aminah {i}" if sex == "P" else f"H. Budi Santoso, S.H. {i}",
            "TEMPAT_LAHIR": "Jakarta",
            "TANGGAL_LAHIR": birth,
            "JENIS_KELAMIN": sex,
            "ALAMAT": f"Jl. Cideng Timur No. {i}",
            "RT": f"{i:03d}",
            "RW": "008",
            "PEKERJAAN": "Karyawan Swasta",
            "STATUS_PERKAWINAN": marital,
            "HALAMAN": str(10 + i),
        })  # fmt: skip
    return rows


def test_the_upload_page_links_to_the_template(client, team):
    page = client.get(reverse("upload-create", kwargs={"pk": team.pk})).content.decode()
    assert reverse("support-template", kwargs={"pk": team.pk}) in page
    chooser = client.get(reverse("support-template", kwargs={"pk": team.pk}))
    assert chooser.status_code == 200
    html = chooser.content.decode()
    assert CIDENG in html and "Cideng" in html and "32.01" not in html


def test_the_template_prefills_the_code_and_formats_every_column(client, team):
    response = _download(client, team, kelurahan="3171011002")  # the 10-digit form works too
    assert response.status_code == 200
    assert "dukungan-3171011002-cideng.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == list(REQUIRED)  # row 1: exactly the intake's header
    code_col = REQUIRED.index("KODE_WILAYAH") + 1
    codes = [sheet.cell(row=r, column=code_col).value for r in range(2, ROWS + 3)]
    assert codes == [CIDENG] * ROWS + [None]
    letters = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(REQUIRED)}
    assert sheet.column_dimensions[letters["NIK"]].number_format == "@"
    assert sheet.column_dimensions[letters["RT"]].number_format == "@"
    assert "yy" in sheet.column_dimensions[letters["TANGGAL_LAHIR"]].number_format
    lists = {
        str(v.sqref).split(":")[0]: v.formula1
        for v in sheet.data_validations.dataValidation
        if v.type == "list"
    }
    assert lists[f"{letters['JENIS_KELAMIN']}2"] == '"L,P"'
    assert lists[f"{letters['STATUS_PERKAWINAN']}2"] == '"BELUM KAWIN,KAWIN,CERAI HIDUP,CERAI MATI"'
    lengths = [v for v in sheet.data_validations.dataValidation if v.type == "textLength"]
    assert any(str(v.sqref).startswith(f"{letters['NIK']}2") for v in lengths)
    assert book.worksheets[1].title == "Petunjuk"
    assert "Cideng" in " ".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row)


def test_a_filled_template_comes_back_through_the_intake_without_loss(client, team):
    book = openpyxl.load_workbook(io.BytesIO(_download(client, team).content))
    sheet = book.worksheets[0]
    people = _people()
    for r, person in enumerate(people, start=2):
        for c, name in enumerate(REQUIRED, start=1):
            if name != "KODE_WILAYAH":  # already there
                sheet.cell(row=r, column=c, value=person[name])
    assert isinstance(sheet.cell(row=2, column=1).value, str)  # the NIK stays text
    out = io.BytesIO()
    book.save(out)
    upload, _created = support_upload_create(
        pair=team, file=io.BytesIO(out.getvalue()), original_name="dukungan-cideng.xlsx"
    )
    upload = support_upload_run(upload_id=upload.pk)
    # Every row written accepted; the 494 rows left with only their code are no error.
    assert (upload.status, upload.accepted, upload.rejected, upload.errors) == (
        "done", len(people), 0, [],
    )  # fmt: skip
    stored = {bytes(s.nik_hash): s for s in Supporter.objects.filter(upload=upload)}
    assert len(stored) == len(people)
    for person in people:
        s = stored[bytes(nik_hash(person["NIK"]))]
        assert s.nik_masked == person["NIK"][:4] + "*" * 12
        assert (s.name, s.birth_place, birth_of(s), s.sex) == (
            person["NAMA"], person["TEMPAT_LAHIR"], person["TANGGAL_LAHIR"],
            person["JENIS_KELAMIN"],
        )  # fmt: skip
        assert (s.address, s.rt, s.rw, s.kelurahan_id, s.occupation, s.sheet_page) == (
            person["ALAMAT"], person["RT"], person["RW"], CIDENG, person["PEKERJAAN"],
            person["HALAMAN"],
        )  # fmt: skip
        assert s.marital_status == STORED_MARITAL[person["STATUS_PERKAWINAN"]]


def test_a_row_with_only_its_nik_missing_is_still_an_error(client, team):
    """Only a row left wholly unfilled is passed over: one with data but no NIK is reported."""
    book = openpyxl.load_workbook(io.BytesIO(_download(client, team).content))
    sheet = book.worksheets[0]
    sheet.cell(row=2, column=REQUIRED.index("NAMA") + 1, value="Tanpa NIK")
    out = io.BytesIO()
    book.save(out)
    upload, _created = support_upload_create(
        pair=team, file=io.BytesIO(out.getvalue()), original_name="dukungan-cideng.xlsx"
    )
    upload = support_upload_run(upload_id=upload.pk)
    assert upload.rejected == 1 and upload.errors[0]["row"] == 2


def test_a_kelurahan_outside_the_election_or_no_team_no_template(client, team, jakarta):
    from tests.factories import RegionFactory

    for code in ("32", "32.01", "32.01.01", "32.01.01.2001"):
        RegionFactory(code=code)
    assert _download(client, team, kelurahan="32.01.01.2001").status_code == 400
    client.force_login(staff("pps_cideng", Role.PPS, CIDENG))
    assert _download(client, team).status_code == 403
