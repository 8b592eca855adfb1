"""Each role's main journey in a real browser, at a phone's size (390x844) and at a desk's:

- a team uploads its list, sees the rows refused with every mistake of each, then reads its
  results and its recap;
- the KPU running the election starts the administrative verification and reads the recap
  with its charts (the README's pictures: docs/screenshots/recap-desktop.png, -phone.png);
- a Bawaslu Kota reads the recap of its city and the red flags, each naming its area's level;
- a PPK and a PPS reach their worklists from the home page (recording findings on them is
  tests/browser/test_verfak.py's).

The KPU and Bawaslu journeys run on a DKI Jakarta case generated like the demo's (seeds/), at
1% of 2024's scale: 82,529 voters and about 8,400 supporters with planted defects.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files import File
from django.urls import reverse

from candidates import kinds
from candidates.intake import support_upload_create, support_upload_run
from candidates.services import election_create, election_roll_ensure, pair_create
from electorate.models import Role
from electorate.regions import regions_load
from electorate.roll_import import roll_import_create, roll_import_run
from seeds import dki, population, support
from tests.browser.axe import axe_check
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, wait_until
from tests.factories import (
    StaffAssignmentFactory,
    TeamMembershipFactory,
    UserFactory,
    csv_bytes,
    good_row,
)
from tests.fieldwork.world import KELURAHAN, fieldwork_objects_add, fieldwork_users_add
from verification.engine import run_create, verification_run
from verification.services import verification_start

pytestmark = pytest.mark.django_db(transaction=True)

SCALE = 0.01
VOTING_DAY = dt.date(2024, 11, 27)
SIZES = {"phone": PHONE, "desktop": DESKTOP}


def _fits(page, viewport: dict) -> None:
    """Nothing wider than the screen: no sideways scrolling of the page itself."""
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def _no_script_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def _user(username: str, role: str, region: str):
    user = UserFactory(username=username)
    StaffAssignmentFactory(user=user, role=role, region_code=region)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def dki_case(transactional_db, tmp_path, eager):
    """The DKI 2024 governor election at 1% scale: its region tree (and the neighbours' for
    out-of-region rows), a roll, one pair's list loaded but not verified, the KPU Provinsi,
    the Bawaslu of Jakarta Pusat and the pair's team."""
    for province in ("31", "32", "36"):
        regions_load(province=province)
    election = election_create(
        slug="pilgub-dki-2024",
        region_code="31",
        level=kinds.GOVERNOR,
        dpt=8_252_897,
        voting_day=VOTING_DAY,
        name="Pemilihan Gubernur dan Wakil Gubernur DKI Jakarta 2024",
        # 1% of the list against the real threshold: the count-and-spread check before
        # verification (candidates.submission) would return it; the journeys are the subject.
        submission_check=False,
    )
    election.scale_note = (
        "Data uji: DPT dan daftar dukungan sintetis sebesar 1% dari skala DKI Jakarta 2024, "
        "sedangkan syarat minimal yang ditampilkan adalah angka sebenarnya (618.968)."
    )
    election.save(update_fields=["scale_note"])
    per_kab = dki.scale(dki.DKI_DPT_2024, SCALE)
    roll_path = tmp_path / "dpt.csv"
    population.roll_generate(path=roll_path, per_kabkota=per_kab, voting_day=VOTING_DAY, seed=1)
    spec = population.roll_spec(per_kabkota=per_kab, voting_day=VOTING_DAY, seed=1)
    roll_import_run(import_id=_keep(roll_import_create, roll_path, roll=election_roll_ensure(
        election=election)).pk)  # fmt: skip
    pair = pair_create(election=election, name="Andi Wijaya - Rina Kusuma")
    other = pair_create(election=election, name="Bambang Hartono - Sri Lestari")
    upload = dki.scale(dki.DKI_UPLOAD_2024, SCALE)
    list_path, other_path = tmp_path / "dukungan-a.csv", tmp_path / "dukungan-b.csv"
    support.support_generate(
        path=list_path,
        roll=spec,
        per_kabkota=upload,
        defects=dki.defects_for(sum(upload.values())),
        mangled=5,
        election_region="31",
        voting_day=VOTING_DAY,
        other_pair_path=other_path,
        other_pair_count=max(200, int(20_000 * SCALE)),
    )
    for owner, path in ((pair, list_path), (other, other_path)):
        support_upload_run(upload_id=_keep(support_upload_create, path, pair=owner, round=0).pk)
    users = {
        "kpu_dki": _user("kpu_dki", Role.KPU_PROVINSI, "31"),
        "bawaslu_jakpus": _user("bawaslu_jakpus", Role.BAWASLU, "31.71"),
        "tim_a": _user("tim_a", Role.TIM, "31"),
    }
    TeamMembershipFactory(user=users["tim_a"], pair=pair)
    return pair, users


def _keep(create, path: Path, **scope):
    with path.open("rb") as fh:
        kept, _created = create(file=File(fh, name=path.name), original_name=path.name, **scope)
    return kept


def _verify_through_the_page(page, live_server, pair) -> None:
    page.goto(live_server.url + reverse("verification-run", args=[pair.pk]))
    assert "(disarankan)" in page.inner_text("#id_round")
    page.click("text=Mulai verifikasi administrasi")
    wait_until(page, "document.querySelector('#run-status .badge.done') !== null", timeout=60)
    assert "Putaran #1" in page.inner_text("#run-status")


# --- the KPU ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", sorted(SIZES))
def test_kpu_runs_the_verification_and_reads_the_recap_with_charts(
    dki_case, open_as, live_server, shot, size
):
    pair, _users = dki_case
    viewport = SIZES[size]
    _context, page = open_as("kpu_dki", viewport)
    errors = _no_script_errors(page)
    axe_check(page, f"kpu_dki {size}: home")
    _verify_through_the_page(page, live_server, pair)
    axe_check(page, f"kpu_dki {size}: run started")
    page.click(f'.tabs a[href="{reverse("verification-recap", args=[pair.pk])}"]')
    page.wait_for_selector("figure.chart svg")
    assert page.locator("figure.chart").count() == 4
    scope = page.inner_text(".scope-line")
    assert "Seluruh daftar dukungan Andi Wijaya - Rina Kusuma" in scope
    assert "Data uji" in page.inner_text(".scale-note")
    # Every chart is drawn (a box with a size), with its table for screen readers beside it.
    for key in ("progress", "spread", "stacked", "reasons"):
        box = page.locator(f'figure[data-chart="{key}"] svg').bounding_box()
        assert box and box["width"] > 300 and box["height"] > 40, key
        assert page.locator(f'figure[data-chart="{key}"] .sr-only table tr').count() > 1
    # The six kab/kota of the map, read off the tiles.
    tiles = page.locator('figure[data-chart="spread"] svg text').all_text_contents()
    assert {"JAKARTA", "PUSAT", "KEP. SERIBU"} <= set(tiles)
    _fits(page, viewport)
    axe_check(page, f"kpu_dki {size}: recap")
    shot(page, f"recap-{size}")
    assert errors == []


# --- a team ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", sorted(SIZES))
def test_team_uploads_a_list_then_reads_its_results_and_recap(
    world, open_as, live_server, eager, shot, tmp_path, size
):
    pair = world.objects["a"]["pair"]
    team = world.users["tim_a"]
    team.set_password(PASSWORD)
    team.save()
    rows = [
        good_row(KODE_WILAYAH=KELURAHAN["a"], NAMA="Siti Aminah"),
        good_row(JENIS_KELAMIN="X", RT="abc", KODE_WILAYAH="99.99.99.9999"),
    ]
    viewport = SIZES[size]
    _context, page = open_as("tim_a", viewport)
    errors = _no_script_errors(page)
    page.click(f'a[href="{reverse("upload-create", args=[pair.pk])}"]')
    path = tmp_path / "dukungan.csv"
    path.write_bytes(csv_bytes(rows))
    page.wait_for_selector("#id_file")
    axe_check(page, f"tim_a {size}: upload form")
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_selector("table.errors")
    # A line per mistake of the bad row, the good row kept; the banner says how it went.
    text = page.inner_text("table.errors")
    for column in ("JENIS_KELAMIN", "RT", "KODE_WILAYAH"):
        assert column in text
    assert page.locator("table.errors tbody tr").count() == 3
    assert "1 baris diterima, 1 ditolak" in page.inner_text(".messages")
    _fits(page, viewport)
    axe_check(page, f"tim_a {size}: rows refused")
    shot(page, f"upload-errors-{size}", full_page=False)
    # The KPU verifies (its own journey above); the team reads what came of it.
    verification_run(run_id=run_create(pair=pair).pk)
    page.goto(live_server.url + reverse("verification-results", args=[pair.pk]))
    page.fill("#id_q", "Siti")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=Siti Aminah")
    assert page.locator("text=Pendukung 31.71.01.1001").count() == 0
    _fits(page, viewport)  # its filter's reasons select, as wide as its longest label, included
    axe_check(page, f"tim_a {size}: results")
    page.click(f'.tabs a[href="{reverse("verification-recap", args=[pair.pk])}"]')
    page.wait_for_selector('figure[data-chart="stacked"] svg')
    assert "Seluruh daftar dukungan Paslon A" in page.inner_text(".scope-line")
    assert page.locator(".flag").count() == 0  # red flags are for KPU and Bawaslu
    _fits(page, viewport)
    axe_check(page, f"tim_a {size}: recap")
    assert errors == []


# --- a Bawaslu Kota --------------------------------------------------------------------------


@pytest.mark.parametrize("size", sorted(SIZES))
def test_bawaslu_kota_reads_its_citys_recap_and_the_red_flags(dki_case, open_as, live_server, size):
    pair, _users = dki_case
    verification_start(pair=pair)  # the KPU's run (its journey above), in-process
    viewport = SIZES[size]
    _context, page = open_as("bawaslu_jakpus", viewport)
    errors = _no_script_errors(page)
    page.goto(live_server.url + reverse("pair-detail", args=[pair.pk]))
    assert "Pengawas membaca rekapitulasi" in page.inner_text("main")
    axe_check(page, f"bawaslu_jakpus {size}: pair")
    page.click(f'.tabs a[href="{reverse("verification-recap", args=[pair.pk])}"]')
    page.wait_for_selector("figure.chart svg")
    assert "KOTA ADM. JAKARTA PUSAT (31.71)" in page.inner_text(".scope-line")
    # A part of the list meets no threshold: no progress chart; the map is its kecamatan.
    assert page.locator('figure[data-chart="progress"]').count() == 0
    assert "Kecamatan dengan dukungan MS" in page.inner_text('figure[data-chart="spread"]')
    flags = [" ".join(f.split()) for f in page.locator(".flag").all_text_contents()]
    levels = ("Kabupaten/Kota ", "Kecamatan ", "Kelurahan/Desa ")
    assert flags and [f for f in flags if not f.startswith(levels)] == []
    assert "JAKARTA UTARA" not in page.inner_text("main")
    _fits(page, viewport)
    axe_check(page, f"bawaslu_jakpus {size}: recap and flags")
    assert errors == []


# --- PPK and PPS -----------------------------------------------------------------------------


@pytest.fixture
def field_world(transactional_db, world):
    fieldwork_users_add(world)
    fieldwork_objects_add(world)
    for username in ("pps_a", "ppk_a"):
        user = world.users[username]
        user.set_password(PASSWORD)
        user.save()
    return world


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("username", ["ppk_a", "pps_a"])
def test_ppk_and_pps_reach_their_worklists_from_home(
    field_world, open_as, live_server, username, size
):
    viewport = SIZES[size]
    _context, page = open_as(username, viewport)
    stage = field_world.objects["a"]["stage"]
    worklist = reverse("verfak-worklist", args=[stage.pk, KELURAHAN["a"]])
    axe_check(page, f"{username} {size}: home")
    page.click(f'a[href="{worklist}"]')
    page.wait_for_url(live_server.url + worklist)
    page.wait_for_selector("tr[data-task-row]")
    _fits(page, viewport)
    axe_check(page, f"{username} {size}: worklist")


# --- every role's to-do list on its home (portal/todo.py) --------------------------------------

HOMES = ("kpu_dki", "kpu_jakpus", "ppk_gambir", "pps_cideng", "pkd_cideng", "tim_a", "tim_b")


@pytest.fixture
def demo_homes(transactional_db, settings, tmp_path):
    """The demo (portal demo_setup) at 0.2%, its accounts with the tests' password, and one
    denial in Kelurahan Cideng that the PKD has yet to attest (at 0.2% the demo's one denial
    there is attested already)."""
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    call_command("demo_setup", scale=0.002, stdout=io.StringIO())
    from django.utils import timezone

    from fieldwork.models import Finding, Method, Task
    from fieldwork.services import Entry, record_entry

    for user in get_user_model().objects.filter(username__in=HOMES):
        user.set_password(PASSWORD)
        user.save()
    task = (
        Task.objects.filter(kelurahan_code="31.71.01.1002", stage__status="open", attested=False)
        .filter(result="MS")  # one met, its finding changed: the unvisited stay for the PPS
        .order_by("pk")
        .last()
    )
    today = timezone.localdate()
    entry = Entry(finding=Finding.TOLAK, method=Method.KUNJUNGAN, visited_on=today)
    pps = get_user_model().objects.get(username="pps_cideng")
    assert not record_entry(task=task, entry=entry, by=pps).errors


def test_each_role_follows_a_todo_item_to_its_page_and_back(demo_homes, open_as, live_server, shot):
    """Each role's home at a desk's and a phone's width (docs/screenshots/home-<user>-<size>),
    its first to-do item followed to its page and back; the PPS records one entry on the
    worklist it reached and its counter follows without a reload."""
    for size in ("desktop", "phone"):
        viewport = SIZES[size]
        for username in HOMES:
            _context, page = open_as(username, viewport)
            errors = _no_script_errors(page)
            items = page.locator("section.todo li[data-todo] > a")
            assert items.count() > 0, username
            _fits(page, viewport)
            shot(page, f"home-{username.replace('_', '-')}-{size}")
            first = items.first
            target = first.get_attribute("href")
            first.click()
            page.wait_for_url(live_server.url + target)
            assert page.locator("section.todo").count() == 0, username  # the item's page
            page.go_back()
            page.wait_for_url(live_server.url + "/")
            assert page.locator("section.todo li[data-todo]").count() == items.count()
            assert errors == [], (username, errors)
    _pps_counter_follows_an_entry(open_as, live_server)


def _pps_counter_follows_an_entry(open_as, live_server) -> None:
    from fieldwork.models import Task

    _context, page = open_as("pps_cideng", PHONE)
    page.click('section.todo li[data-todo="visit"] > a')
    page.wait_for_selector("tr[data-task-row]")
    todo = page.locator('[data-figure="worklist.todo"]')
    before = int(todo.get_attribute("data-value"))
    task = Task.objects.filter(kelurahan_code="31.71.01.1002", finding="", result="PENDING")
    ids = set(task.values_list("pk", flat=True))
    row = next(
        r for r in page.locator("tr[data-task-row]").all()
        if int(r.get_attribute("data-task-row")) in ids
    )  # fmt: skip
    task_id = int(row.get_attribute("data-task-row"))
    row.locator("details.entry summary").click()
    page.select_option(f"#id_t{task_id}-finding", "SESUAI")
    page.select_option(f"#id_t{task_id}-method", "KUNJUNGAN")
    row.locator("form[data-verfak-entry] button[type=submit]").click()
    counter = "document.querySelector('[data-figure=\"worklist.todo\"]').dataset.value"
    wait_until(page, f"{counter} == '{before - 1}'")
