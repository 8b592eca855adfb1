"""Who may open what: every URL that takes an object id, for every kind of user.

The world (the `world` fixture, tests/conftest.py) has two sides: A in Jakarta Pusat, B in
Jakarta Utara, each with an election, a pair, its team, KPU Kab/Kota and PPS staff; Bawaslu of
A; KPU Provinsi and a superuser over both. Here it also has the PKD of kelurahan A and the PPK of
kecamatan A, and (for the field URLs) a factual verification per side (tests/fieldwork/world.py).
For an object of side X:
- users of the other side get 404 (never 403: the page must not confirm the object exists);
- users who see the object but may not act on it get 403;
- the rest get 200; anonymous visitors are sent to the login page (pages) or refused (API).

The URL resolver is walked, so a new URL with an id that is not listed here fails the suite.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse, reverse_lazy

from tests.conftest import national_users_add
from tests.documents.world import documents_objects_add
from tests.fieldwork.world import KELURAHAN, fieldwork_objects_add, fieldwork_users_add
from tests.objections.world import objections_objects_add

# Roles relative to the side that owns the object; "su" and "prov" see both sides, and so do
# KPU RI and Bawaslu RI (the whole country), who get what KPU Provinsi and Bawaslu get.
# "pkd" is Bawaslu of one kelurahan, "ppk" the committee of one kecamatan.
SIDE_ROLES = ("kpu", "ppk", "pps", "bawaslu", "pkd", "tim")
ALL = {"su", "prov", "kpu", "ppk", "pps", "bawaslu", "pkd", "tim"}
KPU = {"su", "prov", "kpu"}
# Supporters name by name: not Bawaslu (it supervises via the recap).
NAMES = ALL - {"bawaslu", "pkd"}
RECAP = {"su", "prov", "kpu", "bawaslu", "pkd", "tim"}
FILES = {"su", "prov", "kpu", "tim"}  # uploads and exports: the team and the KPU running it
WHOLE = {"su", "prov", "kpu", "bawaslu", "tim"}  # the whole list's figures (sees_whole_list)
# Factual verification: the worklist names the supporters to KPU, PPK/PPS and the PKD of the
# kelurahan (Bawaslu above it and the team: 403); advice is read by KPU, committees and Bawaslu.
FIELD = {"su", "prov", "kpu", "ppk", "pps", "pkd"}
ADVICE = FIELD | {"bawaslu"}
SUPERVISORS = {"bawaslu", "pkd"}
SHEET_SENDERS = {"su", "prov", "kpu", "ppk", "pps"}
SHEET_READERS = {"su", "prov", "kpu", "pps"}  # the KPU running it and whoever uploaded it (pps)
FIELD_KINDS = {"stage", "stage_kelurahan", "task", "advice", "sheet"}
# Objections (tanggapan masyarakat): KPU and Bawaslu of the area; committees and teams 403.
OBJECTIONS = KPU | SUPERVISORS
# Berita acara: KPU and Bawaslu read them; the PKD's kelurahan holds no minutes (out of its
# reach: 404). The verification page of a code is public, for everyone.
MINUTES = KPU | {"bawaslu"}
PUBLIC = {"minutes-verify"}

# url name -> (object kind, who gets 200, who sees the object but gets 403).
# Whoever is in neither set gets 404.
EXPECT: dict[str, tuple[str, set[str], set[str]]] = {
    "election-detail": ("election", ALL, set()),
    "pair-create": ("election", KPU, ALL - KPU),
    "roll-upload": ("election", KPU, ALL - KPU),
    "window-set": ("election", KPU, ALL - KPU),
    "pair-detail": ("pair", ALL, set()),
    "team-member-create": ("pair", KPU, ALL - KPU),
    "supporter-list": ("pair", NAMES, ALL - NAMES),
    "upload-create": ("pair", FILES, ALL - FILES),
    "support-template": ("pair", FILES, ALL - FILES),
    "upload-detail": ("upload", FILES, set()),
    "upload-progress": ("upload", FILES, set()),
    "upload-precheck-download": ("upload", FILES, set()),
    "roll-import-detail": ("roll_import", KPU, set()),
    "roll-import-progress": ("roll_import", KPU, set()),
    "roll-import-undo": ("roll_import", KPU, set()),
    "verification-run": ("pair", ALL, set()),
    "verification-status": ("pair", ALL, set()),
    "verification-recap": ("pair", RECAP, ALL - RECAP),
    "verification-results": ("pair", NAMES, ALL - NAMES),
    "verification-exports": ("pair", FILES, ALL - FILES),
    # An export is opened and downloaded by the one who asked (the team here) and nobody else.
    "verification-export": ("export", {"tim"}, set()),
    "verification-export-progress": ("export", {"tim"}, set()),
    "verification-export-file": ("export", {"tim"}, set()),
    "api-election-detail": ("election", ALL, set()),
    "api-pair-detail": ("pair", ALL, set()),
    "api-supporter-list": ("pair", NAMES, ALL - NAMES),
    "api-upload-detail": ("upload", FILES, set()),
    "api-recap": ("pair", RECAP, ALL - RECAP),
    # The count-and-spread check: pair-wide figures, for those whose figures are the whole list.
    "api-submission-check": ("pair", WHOLE, ALL - WHOLE),
    "api-verification-run": ("pair", ALL, set()),
    "verfak-pair": ("pair", ALL, set()),
    "verfak-sheet-upload": ("pair", SHEET_SENDERS, ALL - SHEET_SENDERS),
    "verfak-worklist": ("stage_kelurahan", FIELD, ALL - FIELD),
    "verfak-worklist-counts": ("stage_kelurahan", FIELD, ALL - FIELD),
    "verfak-task": ("task", FIELD, ALL - FIELD),
    "verfak-reports": ("stage", KPU | SUPERVISORS, ALL - KPU - SUPERVISORS),
    "verfak-advice-list": ("stage", ADVICE, ALL - ADVICE),
    "verfak-advice-new": ("stage", SUPERVISORS, ALL - SUPERVISORS),
    "verfak-advice": ("advice", ADVICE, ALL - ADVICE),
    "verfak-sheet": ("sheet", SHEET_READERS, set()),
    "verfak-sheet-progress": ("sheet", SHEET_READERS, set()),
    "decision-pair": ("pair", RECAP, ALL - RECAP),
    "api-verfak-task-records": ("task", FIELD, ALL - FIELD),
    "objection-pair": ("pair", OBJECTIONS, ALL - OBJECTIONS),
    "objection-detail": ("objection", OBJECTIONS, ALL - OBJECTIONS),
    "objection-statement": ("objection", OBJECTIONS, ALL - OBJECTIONS),
    "minutes-pair": ("pair", MINUTES | {"pkd"}, ALL - MINUTES - {"pkd"}),
    "minutes-download": ("minutes", MINUTES, ALL - MINUTES - {"pkd"}),
    "minutes-verify": ("minutes_code", ALL, set()),
}
# URLs that only act (POST; a GET is 405): the pair page's actions and a task's correction and
# attestation, one URL each. Who may act: tests/test_access_lists.py and the view tests; here,
# the object kind and, for the writes test below, who may reach it (as in EXPECT).
POST_ONLY: dict[str, tuple[str, set[str], set[str]]] = {
    "verfak-start": ("pair", KPU, ALL - KPU),
    "verfak-window": ("pair", KPU, ALL - KPU),
    "verfak-close-all": ("pair", KPU, ALL - KPU),
    "verfak-close": ("pair", KPU | {"pps"}, ALL - KPU - {"pps"}),
    "verfak-reopen": ("pair", KPU | {"ppk"}, ALL - KPU - {"ppk"}),
    "verfak-task-correct": ("task", FIELD, ALL - FIELD),
    "verfak-task-attest": ("task", FIELD, ALL - FIELD),
}
USERS = [
    "anon",
    "su",
    "prov",
    "kpu_a",
    "kpu_b",
    "ppk_a",
    "pps_a",
    "pps_b",
    "bawaslu_a",
    "pkd_a",
    "tim_a",
    "tim_b",
    "kpu_ri",
    "bawaslu_ri",
]
NATIONAL = {"kpu_ri": "prov", "bawaslu_ri": "bawaslu"}


@pytest.fixture
def world(world):
    """The shared world, with the PKD and the PPK of side A, KPU RI and Bawaslu RI."""
    return national_users_add(fieldwork_users_add(world))


def _url(world, name: str, side: str) -> str:
    kind = (EXPECT.get(name) or POST_ONLY[name])[0]
    if kind in FIELD_KINDS:
        fieldwork_objects_add(world)
    if kind == "objection":
        objections_objects_add(world)
    if kind in ("minutes", "minutes_code"):
        documents_objects_add(world)
    if kind == "export":
        exports_objects_add(world)
    kwargs = {"pk": world.objects[side][kind].pk}
    if kind == "minutes_code":
        kwargs = {"code": world.objects[side][kind].code}
    if kind == "stage_kelurahan":
        kwargs["code"] = KELURAHAN[side]
    if name == "window-set":
        kwargs["round"] = 1
    if name == "upload-precheck-download":
        # The pre-check's download exists where it flagged a row: flag the first data row.
        world.objects[side][kind].__class__.objects.filter(pk=kwargs["pk"]).update(
            precheck={"flagged": 1, "nik_index": 0}, precheck_flags=[[2, 1]]
        )
        kwargs["fmt"] = "csv"
    return reverse(name, kwargs=kwargs)


def exports_objects_add(world) -> None:
    """A written export of each side's results, asked for by its team."""
    from verification.exports import export_run
    from verification.services import export_start

    for side in ("a", "b"):
        if "export" not in world.objects[side]:
            export = export_start(
                user=world.users[f"tim_{side}"], pair=world.objects[side]["pair"], round=None,
                enqueue=False,
            )  # fmt: skip
            world.objects[side]["export"] = export_run(export_id=export.pk)


def _id_url_names(patterns, prefix="") -> set[str]:
    """Names of every URL with a path parameter, outside the Django admin."""
    names = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            names |= _id_url_names(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.pattern.converters:
            assert p.name, f"URL {prefix}{p.pattern} with a parameter needs a name"
            names.add(p.name)
    return names


def test_every_url_with_an_id_is_in_the_matrix():
    assert _id_url_names(get_resolver().url_patterns) == set(EXPECT) | set(POST_ONLY)


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_urls_that_only_act_answer_a_get_with_405(client, world, name):
    url = _url(world, name, "a")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(world.users["su"])
    assert client.get(url).status_code == 405


def _expected(name: str, side: str, user: str) -> int | str:
    if name in PUBLIC:
        return 200
    if user == "anon":
        return "login" if not name.startswith("api-") else 403
    _kind, ok, forbidden = EXPECT.get(name) or POST_ONLY[name]
    if user in ("su", "prov"):
        role = user
    elif user in NATIONAL:
        role = NATIONAL[user]
    else:
        role, user_side = user.rsplit("_", 1)
        if user_side != side:
            return 404
    if role in ok:
        return 200
    return 403 if role in forbidden else 404


@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("name", sorted(EXPECT))
def test_access_matrix(client, world, name, side):
    url = _url(world, name, side)
    got, want = {}, {}
    for user in USERS:
        client.logout()
        if user != "anon":
            client.force_login(world.users[user])
        response = client.get(url)
        status = response.status_code
        if status == 302 and response["Location"].startswith(reverse("login")):
            status = "login"
        if status == 410 and name == "upload-precheck-download":
            status = 200  # let through: the test world's uploads keep no file to read back
        got[user] = status
        want[user] = _expected(name, side, user)
    assert got == want


@pytest.mark.parametrize("name", ["api-election-list", "api-pair-list", "api-upload-list"])
def test_api_lists_show_a_team_nothing_of_another_pair(client, world, name):
    client.force_login(world.users["tim_a"])
    body = client.get(reverse(name)).json()
    ids = {row["id"] for row in body["results"]}
    kind = {"api-election-list": "election", "api-pair-list": "pair"}.get(name, "upload")
    assert world.objects["a"][kind].pk in ids
    assert world.objects["b"][kind].pk not in ids
    # The governor election's own id (comparing a pair id with election ids failed whenever
    # the two sequences happened to meet).
    governor = {"election": world.governor_pair.election_id, "pair": world.governor_pair.pk}
    if kind in governor:
        assert governor[kind] not in ids


def test_team_sees_only_its_own_supporters_in_page_and_api(client, world):
    client.force_login(world.users["tim_a"])
    pair_a = world.objects["a"]["pair"]
    page = client.get(reverse("supporter-list", kwargs={"pk": pair_a.pk})).content.decode()
    api = client.get(reverse("api-supporter-list", kwargs={"pk": pair_a.pk})).json()
    assert "Pendukung 31.71.01.1001" in page
    assert "Pendukung 31.72.01.1001" not in page
    assert api["count"] == 3
    assert {row["kelurahan"] for row in api["results"]} == {"31.71.01.1001"}


@pytest.mark.parametrize(
    ("user", "kelurahan"),
    [("pps_a", {"31.71.01.1001"}), ("pps_b", {"31.72.01.1001"}), ("kpu_a", {"31.71.01.1001"})],
)
def test_staff_see_only_supporters_living_in_their_area(client, world, user, kelurahan):
    client.force_login(world.users[user])
    url = reverse("api-supporter-list", kwargs={"pk": world.governor_pair.pk})
    rows = client.get(url).json()["results"]
    assert {row["kelurahan"] for row in rows} == kelurahan


def test_supporter_api_never_returns_a_whole_nik(client, world):
    client.force_login(world.users["su"])
    url = reverse("api-supporter-list", kwargs={"pk": world.governor_pair.pk})
    rows = client.get(url).json()["results"]
    assert rows
    assert all("*" * 8 in row["nik_masked"] for row in rows)
    assert not any("nik_hash" in row or "nik_cipher" in row or "nik" in row for row in rows)


def test_a_team_cannot_upload_for_another_pair_through_the_api(client, world):
    client.force_login(world.users["tim_a"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("x.csv", b"NIK\n", content_type="text/csv")
    response = client.post(
        reverse("api-upload-list"), {"pair": world.objects["b"]["pair"].pk, "file": f}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["home", "election-list"])
def test_pages_listing_elections_show_a_team_only_its_own(client, world, name):
    client.force_login(world.users["tim_a"])
    page = client.get(reverse(name)).content.decode()
    assert "Pilwalkot A" in page
    assert "Pilwalkot B" not in page
    assert "Pilgub DKI" not in page


def test_kpu_kabkota_lists_its_own_and_the_provinces_elections_not_the_neighbours(client, world):
    client.force_login(world.users["kpu_a"])
    page = client.get(reverse("election-list")).content.decode()
    assert "Pilwalkot A" in page and "Pilgub DKI" in page
    assert "Pilwalkot B" not in page


def test_admin_never_shows_nik_hash_or_ciphertext(client, world):
    from candidates.models import Supporter

    client.force_login(world.users["su"])
    supporter = Supporter.objects.first()
    pages = [
        client.get(reverse("admin:candidates_supporter_changelist")),
        client.get(reverse("admin:candidates_supporter_change", args=[supporter.pk])),
        client.get(reverse("admin:electorate_voter_changelist")),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "nik_hash" not in html and "nik_cipher" not in html
    assert supporter.nik_masked in pages[0].content.decode()


POSTABLE = [
    "pair-create",
    "roll-upload",
    "team-member-create",
    "upload-create",
    "verification-run",
    "verification-exports",
    "api-verification-run",
    "verfak-sheet-upload",
    "verfak-task",
    "verfak-task-correct",
    "verfak-task-attest",
    "verfak-reports",
    "verfak-advice-new",
    "verfak-advice",
    "decision-pair",
    "api-verfak-task-records",
    "objection-detail",
    "minutes-pair",
]


@pytest.mark.parametrize("name", POSTABLE)
def test_writes_to_another_sides_objects_are_404_and_to_unallowed_roles_403(client, world, name):
    from candidates.models import Pair
    from decisions.models import Decision
    from fieldwork.models import Advice, Record, Report, Sheet
    from objections.models import Step
    from verification.models import Export, VerificationRun

    def counts():
        models = (Pair, VerificationRun, Record, Advice, Report, Sheet, Decision, Step, Export)
        return [model.objects.count() for model in models]

    url = _url(world, name, "a")
    before = counts()
    got, want = {}, {}
    for user in USERS[1:]:
        want[user] = _expected(name, "a", user)
        if want[user] == 200:
            continue  # allowed: the GET matrix and the view tests cover what they may do
        client.force_login(world.users[user])
        got[user] = client.post(url, {"name": "X", "round": 0}).status_code
    assert got == {u: s for u, s in want.items() if s != 200}
    assert counts() == before


# Pages without an id: the filling guides are for any signed-in account (the teams fill the
# support list, the KPU the DPT file); the minutes' code lookup is public like the page it
# leads to, and a code typed with spaces, for any document, only redirects there.
NO_ID = {
    "upload-guide": (reverse_lazy("upload-guide"), "signed-in"),
    "roll-guide": (reverse_lazy("roll-guide"), "signed-in"),
    "minutes-lookup": (reverse_lazy("minutes-lookup"), "public"),
    # Every election of the country: KPU RI, Bawaslu RI and superusers; others 403.
    "national": (reverse_lazy("national"), "national"),
}


@pytest.mark.parametrize("name", sorted(NO_ID))
def test_pages_without_an_id(client, world, name):
    url, who = NO_ID[name]
    got, want = {}, {}
    for user in USERS:
        client.logout()
        if user != "anon":
            client.force_login(world.users[user])
        response = client.get(str(url))
        status = response.status_code
        if status == 302 and response["Location"].startswith(reverse("login")):
            status = "login"
        got[user] = status
        if who == "national":
            want[user] = "login" if user == "anon" else 200 if user in ("su", *NATIONAL) else 403
        else:
            want[user] = "login" if user == "anon" and who == "signed-in" else 200
    assert got == want


def test_the_code_lookup_leads_to_the_public_page_for_anyone(client, world):
    documents_objects_add(world)
    code = world.objects["a"]["minutes_code"].code
    typed = " ".join([code[:4].lower(), code[4:]])
    response = client.get(reverse("minutes-lookup"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("minutes-verify", kwargs={"code": code})
