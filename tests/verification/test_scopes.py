"""Figures that agree: for each role, the recap, the results list and the export count the same
supporters, the part of the list the page names (verification.selectors.scope_for).

Once the KPU Provinsi's recap counted 16,808 supporters and TMS 5,379 while its results page
listed 16,640 and TMS 5,211: the 168 rows whose kelurahan lies outside DKI were cut from the
list of the very commission that runs the election. And a Bawaslu Kota read its own city's
table beside the province's MS/BMS/TMS and reasons.

The case: the DKI governor pair with supporters in Gambir and Cideng (kecamatan Gambir), Pasar
Baru (kecamatan Sawah Besar; all three in Jakarta Pusat), Penjaringan (Jakarta Utara), two in
a village of Kabupaten Bogor, outside DKI, and one listed in Gambir whom the roll places in
Penjaringan. Each role's figures are written out below, as
the law of the page: the whole list for the team and the KPU running the election, the user's
area for everyone else; pages that a role may not open are refused, not cut.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from electorate.models import Role
from tests.factories import StaffAssignmentFactory, TeamMembershipFactory, UserFactory, make_nik
from tests.verification.case import KEL, KEL_OUTSIDE, KEL_UTARA, verify
from verification.exports import export_open, export_run
from verification.services import export_start

CIDENG = "31.71.01.1002"
PASAR_BARU = "31.71.02.1001"

# role -> (user's role, area, the figures of the scope: MS, BMS, TMS, total, the scope's name)
WHOLE = (9, 2, 4, 15)
ROLES = {
    "kpu_prov": (Role.KPU_PROVINSI, "31", WHOLE, "Seluruh daftar dukungan A (pemilihan di DKI"),
    "team": (Role.TIM, "31", WHOLE, "Seluruh daftar dukungan A (pemilihan di DKI"),
    "kpu_jakpus": (
        Role.KPU_KABKOTA,
        "31.71",
        (6, 1, 2, 9),
        "Kabupaten/Kota KOTA ADM. JAKARTA PUSAT (31.71)",
    ),
    "bawaslu_jakpus": (
        Role.BAWASLU,
        "31.71",
        (6, 1, 2, 9),
        "Kabupaten/Kota KOTA ADM. JAKARTA PUSAT (31.71)",
    ),
    "ppk_gambir": (Role.PPK, "31.71.01", (5, 1, 2, 8), "Kecamatan Gambir (31.71.01)"),
    "pps_gambir": (Role.PPS, KEL, (3, 1, 1, 5), "Kelurahan/Desa Gambir (31.71.01.1001)"),
    # Its two, its PNS, and the one the roll moved in from Gambir.
    "pps_penjaringan": (
        Role.PPS,
        KEL_UTARA,
        (3, 1, 0, 4),
        "Kelurahan/Desa Penjaringan (31.72.01.1001)",
    ),  # fmt: skip
}
# Who opens which page: the recap KPU, Bawaslu and the team; names not Bawaslu; the export
# the team, the KPU running the election and a KPU Kab/Kota inside it, each its own scope
# (staff.access, verification.selectors).
RECAP = {"kpu_prov", "team", "kpu_jakpus", "bawaslu_jakpus"}
NAMES = {"kpu_prov", "team", "kpu_jakpus", "ppk_gambir", "pps_gambir", "pps_penjaringan"}
EXPORT = {"kpu_prov", "team", "kpu_jakpus"}  # a KPU Kab/Kota exports its own area


@pytest.fixture
def scoped(case):
    """The governor pair, verified, and a user per role."""
    pair = case.pair("A")
    for kelurahan, ms in ((KEL, 3), (CIDENG, 2), (PASAR_BARU, 1), (KEL_UTARA, 2)):
        for _ in range(ms):
            case.supporter(make_nik(), kelurahan_id=kelurahan)
    case.supporter(make_nik(), kelurahan_id=KEL, occupation="PNS")  # BMS
    case.supporter(make_nik(), kelurahan_id=KEL, in_roll=False)  # TMS
    case.supporter(make_nik(), kelurahan_id=CIDENG, in_roll=False)  # TMS
    case.supporter(make_nik(), kelurahan_id=KEL_UTARA, occupation="PNS")  # BMS
    for _ in range(2):
        case.supporter(make_nik(), kelurahan_id=KEL_OUTSIDE)  # TMS: outside DKI
    # Listed in Gambir, on the roll in Penjaringan: the recap places a voter where the roll
    # does, and so must every list of an area (MS, counted for Jakarta Utara, not Gambir).
    moved = make_nik()
    case.voter(moved, kelurahan_code=KEL_UTARA)
    case.supporter(moved, kelurahan_id=KEL)
    verify(pair)
    users = {}
    for name, (role, area, _figures, _label) in ROLES.items():
        users[name] = UserFactory(username=name)
        StaffAssignmentFactory(user=users[name], role=role, region_code=area)
    TeamMembershipFactory(user=users["team"], pair=pair)
    return pair, users


def _recap(client, pair) -> tuple[int, tuple, str]:
    response = client.get(reverse("verification-recap", kwargs={"pk": pair.pk}))
    if response.status_code != 200:
        return response.status_code, (), ""
    recap = response.context["recap"]
    html = response.content.decode()
    # The charts draw the same people: the bars per area add up to the recap's counts.
    stacked = next(c for c in response.context["charts"] if c.key == "stacked")
    summed = [sum(int(row[i].replace(".", "")) for row in stacked.rows) for i in range(1, 5)]
    assert summed == [recap["MS"], recap["BMS"], recap["TMS"], recap["total"]]
    return 200, (recap["MS"], recap["BMS"], recap["TMS"], recap["total"]), html


def _results(client, pair) -> tuple[int, tuple, str]:
    response = client.get(reverse("verification-results", kwargs={"pk": pair.pk}))
    if response.status_code != 200:
        return response.status_code, (), ""
    counts = response.context["counts"]
    assert response.context["page"].paginator.count == counts["total"]
    # The rows listed, not only the stored count (every scope here fits on one page).
    assert len(response.context["page"].object_list) == counts["total"]
    return (
        200,
        (counts["MS"], counts["BMS"], counts["TMS"], counts["total"]),
        (response.content.decode()),
    )


def _export(client, user, pair) -> tuple[int, tuple]:
    page = client.get(reverse("verification-exports", kwargs={"pk": pair.pk}))
    if page.status_code != 200:
        return page.status_code, ()
    export = export_run(export_id=export_start(user=user, pair=pair, round=None, enqueue=False).pk)
    with export_open(export) as fh:
        sheet = openpyxl.load_workbook(io.BytesIO(fh.read()), read_only=True).active
        header, *rows = list(sheet.iter_rows(values_only=True))
    column = header.index("Status")
    status = [row[column] for row in rows]
    return 200, (status.count("MS"), status.count("BMS"), status.count("TMS"), len(rows))


@pytest.mark.parametrize("name", sorted(ROLES))
def test_recap_results_and_export_agree_on_the_scope_named_on_the_page(client, scoped, name):
    pair, users = scoped
    _role, _area, figures, label = ROLES[name]
    client.force_login(users[name])

    recap_status, recap, recap_html = _recap(client, pair)
    results_status, results, results_html = _results(client, pair)
    export_status, export = _export(client, users[name], pair)

    assert recap_status == (200 if name in RECAP else 403)
    assert results_status == (200 if name in NAMES else 403)
    assert export_status == (200 if name in EXPORT else 403)
    for seen in (recap, results, export):
        assert seen in ((), figures), name
    for html in (recap_html, results_html):
        assert not html or label in html, name  # the scope, named on the page


def test_the_kpu_running_the_election_counts_the_rows_outside_its_region_everywhere(client, scoped):
    pair, users = scoped
    client.force_login(users["kpu_prov"])
    _status, recap, html = _recap(client, pair)
    _status, results, _html = _results(client, pair)
    assert recap == results == WHOLE
    # The two rows of Kabupaten Bogor: a row of the table and a bar of their own.
    assert "di luar wilayah pemilihan" in html
    filtered = client.get(
        reverse("verification-results", kwargs={"pk": pair.pk}), {"alasan": "OUTSIDE_REGION"}
    )
    assert filtered.context["page"].paginator.count == 2


def test_a_bawaslu_kota_reads_its_citys_figures_and_reasons_not_the_provinces(client, scoped):
    pair, users = scoped
    client.force_login(users["bawaslu_jakpus"])
    response = client.get(reverse("verification-recap", kwargs={"pk": pair.pk}))
    recap = response.context["recap"]
    assert (recap["MS"], recap["BMS"], recap["TMS"]) == (6, 1, 2)
    assert recap["reasons"]["NOT_IN_ROLL"] == 2 and recap["reasons"]["OUTSIDE_REGION"] == 0
    assert recap["reasons"]["RESTRICTED_OCCUPATION"] == 1  # Penjaringan's PNS is not theirs
    # No figure of the whole list: the threshold is named, its standing is the KPU's.
    assert recap["meets_threshold"] is None and recap["status"] is None
    assert not any(c.key == "progress" for c in response.context["charts"])
    html = response.content.decode()
    assert "berlaku untuk seluruh wilayah pemilihan" in html
    assert "KOTA ADM. JAKARTA UTARA" not in html


def test_the_api_recap_carries_the_same_scope(client, scoped):
    pair, users = scoped
    for name in ("kpu_prov", "bawaslu_jakpus"):
        client.force_login(users[name])
        recap = client.get(reverse("api-recap", kwargs={"pk": pair.pk})).json()
        assert (recap["MS"], recap["BMS"], recap["TMS"], recap["total"]) == ROLES[name][2]


def _moved(pair) -> set[tuple[str, str]]:
    from verification.models import VerificationResult

    rows = VerificationResult.objects.filter(pair=pair, moved=True)
    return set(rows.values_list("supporter__kelurahan_id", "kelurahan_code"))


def test_the_engine_marks_whom_the_roll_places_elsewhere_and_the_migration_too(scoped):
    """VerificationResult.moved: only the supporter listed in Gambir whom the roll places in
    Penjaringan (not the unregistered, whose place is their row's, nor those outside DKI).
    verification/migrations/0008_result_moved.py marks results written before it the same."""
    import importlib

    from django.db import connection

    from verification.models import VerificationResult

    pair, _users = scoped
    assert _moved(pair) == {(KEL, KEL_UTARA)}
    VerificationResult.objects.filter(pair=pair).update(moved=False)
    migration = importlib.import_module("verification.migrations.0008_result_moved")
    with connection.cursor() as cursor:
        cursor.execute(migration.MARK_EXISTING)
    assert _moved(pair) == {(KEL, KEL_UTARA)}
