"""The field pages (fieldwork/views/) for each role: what they show, what they refuse, and the
services' refusals shown to the user. Who may open each URL at all: tests/test_access_matrix.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldwork.closing import area_close
from fieldwork.models import Advice, Closure, Record, Report, Sheet, Stage, Task, WindowChange
from fieldwork.records import attest_denial, record_entry
from fieldwork.rules import NOTES
from fieldwork.supervision import advice_answer
from tests.factories import make_nik
from tests.fieldwork.world import KELURAHAN, STATEMENT, entry, stage_make, verified

TODAY = timezone.localdate


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _stage(verfak, side: str = "a") -> Stage:
    return verfak.objects[side]["stage"]


def _tasks(verfak, side: str = "a") -> list[Task]:
    return list(Task.objects.filter(stage=_stage(verfak, side)).order_by("pk"))


def _record_all(verfak, side: str = "a") -> None:
    """Every task of the side gets a finding (the first one already has TOLAK on side A)."""
    for task in _tasks(verfak, side):
        if not task.finding:
            outcome = record_entry(task=task, entry=entry("SESUAI"), by=verfak.users["pps_a"])
            assert outcome.changed, outcome.errors


def _worklist(verfak, side: str = "a") -> str:
    return _url("verfak-worklist", _stage(verfak, side).pk, KELURAHAN[side])


# --- the pair's page ------------------------------------------------------------------------------


def test_kpu_starts_a_stage_from_the_pair_page(client, world):
    pair = world.objects["a"]["pair"]
    verified(pair)
    client.force_login(world.users["kpu_a"])
    page = _page(client, _url("verfak-pair", pair.pk))
    assert "Mulai verifikasi faktual 1" in page
    opens = TODAY() - dt.timedelta(days=1)
    response = client.post(_url("verfak-start", pair.pk), {"opens": opens.isoformat()}, follow=True)
    stage = Stage.objects.get(pair=pair)
    assert (stage.number, stage.opens, stage.tasks_total) == (1, opens, 3)
    assert stage.closes == opens + dt.timedelta(days=13)
    assert any("Verifikasi faktual 1 dimulai: 3 pendukung" in m for m in _messages(response))


def test_starting_without_an_administrative_run_shows_the_services_reason(client, world):
    pair = world.objects["a"]["pair"]
    client.force_login(world.users["kpu_a"])
    response = client.post(
        _url("verfak-start", pair.pk), {"opens": TODAY().isoformat()}, follow=True
    )
    assert not Stage.objects.filter(pair=pair).exists()
    assert any("setelah verifikasi administrasi selesai" in m for m in _messages(response))


@pytest.mark.parametrize("username", ["pps_a", "bawaslu_a", "tim_a"])
def test_only_the_kpu_running_it_starts_moves_or_closes_a_stage(login, verfak, username):
    client = login(username)
    stage = _stage(verfak)
    url = _url("verfak-pair", stage.pair_id)
    page = _page(client, url)
    assert "Ubah tanggal penutupan" not in page
    for name, data in (
        ("verfak-start", {"opens": TODAY().isoformat()}),
        ("verfak-window", {"stage": stage.pk, "closes": "2030-01-01", "reason": "x"}),
        ("verfak-close-all", {"stage": stage.pk}),
    ):
        assert client.post(_url(name, stage.pair_id), data).status_code == 403
    assert not WindowChange.objects.exists()


def test_kpu_moves_the_window_with_a_reason_and_not_without(login, verfak):
    client = login("kpu_a")
    stage = _stage(verfak)
    url = _url("verfak-window", stage.pair_id)
    new = stage.closes + dt.timedelta(days=2)
    response = client.post(url, {"stage": stage.pk, "closes": new.isoformat(), "reason": ""})
    assert response.status_code == 302
    assert Stage.objects.get(pk=stage.pk).closes == stage.closes
    client.post(
        url,
        {"stage": stage.pk, "closes": new.isoformat(), "reason": "Banjir"},
    )
    assert Stage.objects.get(pk=stage.pk).closes == new
    assert WindowChange.objects.get().reason == "Banjir"


def test_close_all_waits_for_the_end_of_the_window_then_closes_every_level(login, verfak):
    client = login("kpu_a")
    stage = _stage(verfak)
    advice_answer(advice=verfak.objects["a"]["advice"], accept=False, answer="Sudah ditemui")
    url = _url("verfak-pair", stage.pair_id)
    page = _page(client, url)
    assert "Seluruh tahap dapat ditutup sesudah" in page
    close_all = _url("verfak-close-all", stage.pair_id)
    response = client.post(close_all, {"stage": stage.pk}, follow=True)
    assert any("ditutup sesudah tanggal itu" in m for m in _messages(response))
    Stage.objects.filter(pk=stage.pk).update(closes=TODAY() - dt.timedelta(days=1))
    page = _page(client, url)
    assert f'action="{close_all}"' in page
    # The page states how many become TMS without a visit; the KPU types that number.
    assert "menjadikan 2 pendukung TMS tanpa didatangi: 2 belum pernah didatangi" in page
    response = client.post(close_all, {"stage": stage.pk}, follow=True)
    assert any("konfirmasi dengan jumlah 2" in m for m in _messages(response))
    assert Stage.objects.get(pk=stage.pk).status == Stage.Status.OPEN
    data = {"stage": stage.pk, "confirm": "2"}
    response = client.post(close_all, data, follow=True)
    stage.refresh_from_db()
    assert stage.status == Stage.Status.CLOSED
    # kelurahan, kecamatan, kab/kota (a mayor election's region); the two never visited: TMS.
    assert Closure.objects.filter(stage=stage).count() == 3
    assert any("ditutup di semua tingkat: MS 1, TMS 2" in m for m in _messages(response))


def test_each_figure_names_its_stage_and_area(login, verfak):
    page = _page(login("pps_a"), _url("verfak-pair", _stage(verfak).pair_id))
    assert "verifikasi faktual 1" in page
    assert "wilayah Gambir (31.71.01.1001)" in page
    page = _page(login("kpu_a"), _url("verfak-pair", _stage(verfak).pair_id))
    assert "wilayah Kota Jakarta Pusat (31.71)" in page


def test_a_governor_pairs_areas_add_up_level_by_level(client, verfak):
    stage = stage_make(verfak.governor_pair)
    client.force_login(verfak.users["prov"])
    response = client.get(_url("verfak-pair", stage.pair_id))
    rows = {r["code"]: (r["total"], r["todo"]) for r in response.context["rows"]}
    assert rows == {
        "31": (6, 6),
        "31.71": (3, 3),
        "31.71.01": (3, 3),
        "31.71.01.1001": (3, 3),
        "31.72": (3, 3),
        "31.72.01": (3, 3),
        "31.72.01.1001": (3, 3),
    }
    client.force_login(verfak.users["kpu_a"])  # a kab/kota of a governor election: its own
    response = client.get(_url("verfak-pair", stage.pair_id))
    assert {r["code"] for r in response.context["rows"]} == {
        "31.71",
        "31.71.01",
        "31.71.01.1001",
    }
    assert "wilayah Kota Jakarta Pusat (31.71)" in response.content.decode()


def test_bawaslu_above_a_kelurahan_reads_counts_advice_and_reports_but_no_names(login, verfak):
    page = _page(login("bawaslu_a"), _url("verfak-pair", _stage(verfak).pair_id))
    assert "Gambir" in page and "Saran perbaikan pengawas" in page and "Form A" in page
    assert "PPS mengunjungi pendukung" in page  # the report
    for task in _tasks(verfak):
        assert task.supporter.name not in page
    assert "Daftar kerja" not in page


def test_a_team_sees_its_results_with_the_reason_and_never_the_statement(login, verfak):
    first, second, _third = _tasks(verfak)
    outcome = attest_denial(task=first, by=verfak.users["pkd_a"], statement=STATEMENT)
    assert outcome.changed
    record_entry(task=second, entry=entry("TIDAK_DITEMUI"), by=verfak.users["pps_a"])
    client = login("tim_a")
    page = _page(client, _url("verfak-pair", first.pair_id))
    assert str(NOTES["DENIED_ATTESTED"]) in page
    assert "RAHASIA-123" not in page and STATEMENT not in page
    # Not met yesterday: brought in by the day after tomorrow (3 calendar days).
    deadline = TODAY() - dt.timedelta(days=1) + dt.timedelta(days=3)
    assert "Pendukung yang harus dihadirkan" in page
    assert second.supporter.name in page
    assert deadline.strftime("%-d") in page
    assert "Daftar kerja" not in page  # its results are here, the worklist is the PPS's
    # Nor anywhere a team can reach: the task page and the API refuse it.
    assert client.get(_url("verfak-task", first.pk)).status_code == 403
    assert client.get(_url("api-verfak-task-records", first.pk)).status_code == 403


def test_a_team_filters_its_results_by_status(login, verfak):
    client = login("tim_a")
    url = _url("verfak-pair", _stage(verfak).pair_id)
    first = _tasks(verfak)[0]  # TOLAK without signature: still MS
    page = _page(client, url + "?status=MS")
    assert first.supporter.name in page
    assert "1 pendukung" in page


def test_a_pps_closes_its_kelurahan_once_every_supporter_is_recorded(login, verfak):
    client = login("pps_a")
    stage = _stage(verfak)
    url = _url("verfak-close", stage.pair_id)
    data = {"stage": stage.pk, "code": KELURAHAN["a"]}
    response = client.post(url, data, follow=True)
    assert any("2 pendukung belum diverifikasi" in m for m in _messages(response))
    _record_all(verfak)
    response = client.post(url, {**data, "next": _worklist(verfak)}, follow=True)
    assert response.redirect_chain[-1][0] == _worklist(verfak)
    assert Closure.objects.filter(stage=stage, region_code=KELURAHAN["a"]).exists()


def test_close_and_reopen_follow_the_levels(login, verfak):
    stage = _stage(verfak)
    url = _url("verfak-pair", stage.pair_id)
    close, reopen = _url("verfak-close", stage.pair_id), _url("verfak-reopen", stage.pair_id)
    client = login("pps_a")
    # Another kelurahan of the kecamatan is out of its reach; its kecamatan is seen, not its own.
    assert client.post(close, {"stage": stage.pk, "code": "31.71.01.1002"}).status_code == 404
    assert client.post(close, {"stage": stage.pk, "code": "31.71.01"}).status_code == 403
    _record_all(verfak)
    area_close(stage=stage, region_code=KELURAHAN["a"], by=verfak.users["pps_a"])
    data = {"stage": stage.pk, "code": KELURAHAN["a"]}
    assert client.post(reopen, {**data, "reason": "salah"}).status_code == 403  # the level above
    client = login("ppk_a")
    assert f'action="{reopen}"' in _page(client, url)
    response = client.post(reopen, {**data, "reason": ""}, follow=True)
    assert any("alasan" in m for m in _messages(response))
    client.post(reopen, {**data, "reason": "Satu pendukung salah catat"})
    closure = Closure.objects.get(stage=stage, region_code=KELURAHAN["a"])
    assert closure.reopen_reason == "Satu pendukung salah catat"
    assert closure.reopened_by == verfak.users["ppk_a"]


# --- the worklist ---------------------------------------------------------------------------------


def test_pps_worklist_shows_its_supporters_masked_with_an_entry_form_each(login, verfak):
    page = _page(login("pps_a"), _worklist(verfak))
    tasks = _tasks(verfak)
    for task in tasks:
        assert task.supporter.name in page
        assert task.supporter.nik_masked in page
        assert f'data-api="{_url("api-verfak-task-records", task.pk)}"' in page
    assert page.count("data-verfak-entry") == 3
    assert "Saksikan penolakan" not in page
    assert "js/verfak.js" in page and 'data-sw="/verfak/sw.js"' in page
    assert "<script>" not in page and "onclick" not in page and "onchange" not in page


def test_worklist_rows_carry_the_entry_form_each_task_renders_alone(verfak, rf):
    """The worklist renders its entry form once and stamps each row's task id into it: each
    row's form is, byte for byte, the form rendered for that task alone (but for the CSRF
    token's mask, which Django draws anew at each rendering), a double supporter's with the
    chosen-pair field and the others without."""
    import re

    from django.middleware.csrf import get_token
    from django.template.loader import render_to_string

    from fieldwork.forms import EntryForm
    from fieldwork.pages import election_pairs
    from fieldwork.views.worklist import RowEntryForms

    Task.objects.filter(pk=_tasks(verfak)[0].pk).update(double=True)
    tasks = _tasks(verfak)
    request = rf.get(_worklist(verfak))
    request.user = verfak.users["pps_a"]
    get_token(request)  # one CSRF token for every rendering of this request
    pairs = election_pairs(tasks[0].stage.pair)
    rows = RowEntryForms(request, pairs, _worklist(verfak))
    for task in tasks:
        alone = render_to_string(
            "fieldwork/_entry_form.html",
            {"task": task, "next": _worklist(verfak), "form": EntryForm(task=task, pairs=pairs)},
            request=request,
        )
        token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
        assert token.sub("TOKEN", rows.html(task)) == token.sub("TOKEN", alone)
        assert f"t{task.pk}-finding" in alone and str(RowEntryForms.STAMP) not in alone
    assert "chosen_pair_id" in rows.html(tasks[0])
    assert "chosen_pair_id" not in rows.html(tasks[1])


def test_worklist_search_and_status_filters(login, verfak):
    client = login("pps_a")
    first, second, third = _tasks(verfak)
    Task.objects.filter(pk=second.pk).update(finding="TIDAK_DITEMUI", result="PENDING")
    from candidates.models import Supporter

    Supporter.objects.filter(pk=third.supporter_id).update(rt="007", rw="011")
    url = _worklist(verfak)
    assert "3 pendukung" in _page(client, url)
    belum = _page(client, url + "?status=belum")
    assert "1 pendukung" in belum and third.supporter.name in belum
    waiting = _page(client, url + "?status=dihadirkan")
    assert "1 pendukung" in waiting and second.supporter.name in waiting
    by_rt = _page(client, url + "?q=7/11")
    assert "1 pendukung" in by_rt and third.supporter.name in by_rt
    by_name = _page(client, url + "?q=" + first.supporter.name.split()[-1])
    assert first.supporter.name in by_name


@pytest.mark.parametrize(("username", "page"), [("pps_a", "worklist"), ("tim_a", "pair")])
def test_the_lists_follow_the_tasks_positions(login, verfak, username, page):
    """The worklist and the team's results are in Task.position order (numbered by kelurahan,
    then name, when the stage starts: tests/fieldwork/test_stages.py), whatever the ids say."""
    tasks = _tasks(verfak)
    for position, task in enumerate(reversed(tasks), start=1):
        Task.objects.filter(pk=task.pk).update(position=position)
    url = _worklist(verfak) if page == "worklist" else _url("verfak-pair", tasks[0].pair_id)
    html = _page(login(username), url)
    names = [t.supporter.name for t in reversed(tasks)]
    assert len(set(names)) == 3
    at = [html.index(name) for name in names]
    assert at == sorted(at)


@pytest.mark.parametrize("username", ["pps_a", "pkd_a", "kpu_a"])
def test_worklist_queries_do_not_grow_with_its_rows(login, verfak, username):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(username)
    counts = []
    for url in (_worklist(verfak) + "?status=belum", _worklist(verfak)):  # 2 rows, then 3
        client.get(url)  # warm the session and the user
        with CaptureQueriesContext(connection) as queries:
            page = _page(client, url)
        counts.append(len(queries))
    assert page.count('data-task-row="') == 3
    assert counts[0] == counts[1], counts


def test_pkd_sees_the_rows_with_attest_on_denials_and_advice_links(login, verfak):
    page = _page(login("pkd_a"), _worklist(verfak))
    assert page.count("Saksikan penolakan") == 1  # only the TOLAK row
    assert page.count("Ajukan saran perbaikan") == 3
    assert "data-verfak-entry" not in page


def test_a_closed_kelurahan_is_read_only_but_its_kpu_may_correct(login, verfak):
    stage = _stage(verfak)
    _record_all(verfak)
    area_close(stage=stage, region_code=KELURAHAN["a"], by=verfak.users["pps_a"])
    page = _page(login("pps_a"), _worklist(verfak))
    assert "data-verfak-entry" not in page and "sudah ditutup" in page
    page = _page(login("kpu_a"), _worklist(verfak))
    assert page.count("Koreksi KPU") == 3


def test_a_worklist_is_of_one_kelurahan_of_the_election(login, verfak):
    client = login("kpu_a")
    stage = _stage(verfak)
    assert client.get(_url("verfak-worklist", stage.pk, "31.71.01")).status_code == 404
    assert client.get(_url("verfak-worklist", stage.pk, KELURAHAN["b"])).status_code == 404


# --- one task ---------------------------------------------------------------------------------


def test_an_entry_without_javascript_is_recorded_and_returns_to_the_worklist(login, verfak):
    client = login("pps_a")
    task = _tasks(verfak)[1]
    prefix = f"t{task.pk}-"
    response = client.post(
        _url("verfak-task", task.pk),
        {
            "next": _worklist(verfak),
            prefix + "finding": "SESUAI",
            prefix + "method": "KUNJUNGAN",
            prefix + "visited_on": TODAY().isoformat(),
        },
    )
    assert response["Location"] == _worklist(verfak)
    task.refresh_from_db()
    assert (task.finding, task.result) == ("SESUAI", "MS")
    record = Record.objects.get(task=task)
    assert record.by == verfak.users["pps_a"] and record.source == "form"


def test_the_services_refusal_lands_on_the_form_field(login, verfak):
    client = login("pps_a")
    task = _tasks(verfak)[1]
    prefix = f"t{task.pk}-"
    tomorrow = TODAY() + dt.timedelta(days=1)
    response = client.post(
        _url("verfak-task", task.pk),
        {
            prefix + "finding": "MENINGGAL",
            prefix + "method": "KUNJUNGAN",
            prefix + "visited_on": tomorrow.isoformat(),
        },
    )
    assert response.status_code == 200
    form = response.context["forms"]["entry"]
    assert "belum terjadi" in " ".join(form.errors["visited_on"])
    assert "tanggal meninggal" in " ".join(form.errors["deceased_on"])
    assert not Record.objects.filter(task=task).exists()


def test_task_history_shows_who_when_source_and_before_after(login, verfak):
    task = _tasks(verfak)[0]
    page = _page(login("kpu_a"), _url("verfak-task", task.pk))
    assert "pps_a" in page and "Formulir PPS" in page
    assert "Hasil: – → <strong>Menolak tetapi tidak mau menandatangani</strong>" in page


def test_pkd_attests_a_denial_and_the_pps_may_not(login, verfak):
    task = _tasks(verfak)[0]
    url, attest = _url("verfak-task", task.pk), _url("verfak-task-attest", task.pk)
    data = {f"s{task.pk}-statement": STATEMENT}
    assert login("pps_a").post(attest, data).status_code == 403
    client = login("pkd_a")
    assert "Kesaksian penolakan (PKD)" in _page(client, url)
    response = client.post(attest, {**data, "next": _worklist(verfak)})
    assert response["Location"] == _worklist(verfak)
    task.refresh_from_db()
    assert (task.attested, task.result) == (True, "TMS")
    record = Record.objects.filter(task=task).latest("pk")
    assert (record.source, record.reason, record.by) == (
        "attestation",
        STATEMENT,
        verfak.users["pkd_a"],
    )


def test_kpu_corrects_a_closed_kelurahan_with_a_reason(login, verfak):
    stage = _stage(verfak)
    _record_all(verfak)
    area_close(stage=stage, region_code=KELURAHAN["a"], by=verfak.users["pps_a"])
    task = _tasks(verfak)[1]
    client = login("kpu_a")
    prefix = f"k{task.pk}-"
    data = {
        prefix + "finding": "PINDAH",
        prefix + "method": "KUNJUNGAN",
        prefix + "visited_on": (TODAY() - dt.timedelta(days=1)).isoformat(),
        prefix + "reason": "",
    }
    correct = _url("verfak-task-correct", task.pk)
    response = client.post(correct, data)
    assert (
        response.status_code == 200 and "reason" in response.context["forms"]["correction"].errors
    )
    data[prefix + "reason"] = "Salah catat, pendukung sudah pindah"
    assert client.post(correct, data).status_code == 302
    record = Record.objects.filter(task=task).latest("pk")
    assert (record.source, record.values["result"]) == ("correction", "TMS")
    closure = Closure.objects.get(stage=stage, region_code=KELURAHAN["a"], reopened_at=None)
    assert closure.counts["TMS"] == 1  # the frozen counts follow the correction
    # The PPS itself can no longer change it.
    assert login("pps_a").post(_url("verfak-task", task.pk), data).status_code == 403


# --- sheets -----------------------------------------------------------------------------------


def _sheet_bytes(rows: list[str]) -> bytes:
    return ("NIK,HASIL,METODE,TANGGAL\n" + "\n".join(rows) + "\n").encode()


def test_pps_uploads_a_sheet_and_reads_its_rejected_rows(
    login, verfak, eager, django_capture_on_commit_callbacks
):
    client = login("pps_a")
    pair = _stage(verfak).pair
    second, third = (make_nik(birth=dt.date(1990, 1, 1), region="317101", serial=i) for i in (2, 3))
    day = (TODAY() - dt.timedelta(days=1)).strftime("%d-%m-%Y")
    content = _sheet_bytes([f"{second},SESUAI,KUNJUNGAN,{day}", f"{third},BOHONG,KUNJUNGAN,{day}"])
    upload_page = _page(client, _url("verfak-sheet-upload", pair.pk))
    assert "contoh/hasil-verfak.csv" in upload_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("verfak-sheet-upload", pair.pk),
            {"file": _named(content, "lembar-gambir.csv")},
        )
    sheet = Sheet.objects.get(original_name="lembar-gambir.csv")
    assert response["Location"] == _url("verfak-sheet", sheet.pk)
    assert (sheet.status, sheet.accepted, sheet.rejected) == ("done", 1, 1)
    page = _page(client, _url("verfak-sheet", sheet.pk))
    assert "Baris yang ditolak" in page and "<code>HASIL</code>" in page
    assert "Kode hasil BOHONG tidak dikenal" in page
    assert [t.result for t in _tasks(verfak)[1:]] == ["MS", "PENDING"]


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_a_sheet_must_be_csv_or_xlsx(login, verfak):
    client = login("pps_a")
    response = client.post(
        _url("verfak-sheet-upload", _stage(verfak).pair_id), {"file": _named(b"x", "lembar.pdf")}
    )
    assert response.status_code == 200
    assert "Hanya berkas CSV atau XLSX" in response.content.decode()


# --- supervision ------------------------------------------------------------------------------


def test_pkd_files_a_supporter_advice_from_a_row_and_the_kpu_answers_with_a_correction(
    login, verfak
):
    stage = _stage(verfak)
    task = _tasks(verfak)[2]
    client = login("pkd_a")
    url = _url("verfak-advice-new", stage.pk) + f"?tugas={task.pk}"
    assert task.supporter.name in _page(client, url)
    response = client.post(
        url, {"tugas": task.pk, "target": "supporter", "text": "Belum dikunjungi"}
    )
    advice = Advice.objects.get(task=task)
    assert response["Location"] == _url("verfak-advice", advice.pk)
    assert advice.region_code == KELURAHAN["a"]
    # The PPS reads it, cannot answer it.
    client = login("pps_a")
    assert "Belum dikunjungi" in _page(client, _url("verfak-advice", advice.pk))
    assert (
        client.post(_url("verfak-advice", advice.pk), {"accept": "1", "answer": "x"}).status_code
        == 403
    )
    client = login("kpu_a")
    page = _page(client, _url("verfak-advice", advice.pk))
    assert "Jawab saran perbaikan" in page
    response = client.post(
        _url("verfak-advice", advice.pk),
        {
            "accept": "1",
            "answer": "Diterima, PPS mengunjungi ulang",
            "correct": "on",
            "koreksi-finding": "SESUAI",
            "koreksi-method": "KUNJUNGAN",
            "koreksi-visited_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    advice.refresh_from_db()
    assert (advice.status, advice.answered_by) == ("accepted", verfak.users["kpu_a"])
    record = Record.objects.get(task=task)
    assert (record.source, record.advice_id) == ("advice", advice.pk)
    assert "Diterima" in _page(client, _url("verfak-advice-list", stage.pk))


def test_a_rejection_needs_its_reason(login, verfak):
    advice = verfak.objects["a"]["advice"]
    client = login("kpu_a")
    response = client.post(_url("verfak-advice", advice.pk), {"accept": "0", "answer": ""})
    assert response.status_code == 200
    assert Advice.objects.get(pk=advice.pk).status == "open"
    client.post(_url("verfak-advice", advice.pk), {"accept": "0", "answer": "Sudah dikunjungi"})
    assert Advice.objects.get(pk=advice.pk).status == "rejected"


def test_bawaslu_above_a_kelurahan_advises_on_an_area_not_a_supporter(login, verfak):
    stage = _stage(verfak)
    client = login("bawaslu_a")
    page = _page(client, _url("verfak-advice-new", stage.pk))
    assert 'value="supporter"' not in page
    client.post(
        _url("verfak-advice-new", stage.pk),
        {"target": "area", "region_code": "31.71.01", "text": "Rekap kecamatan tidak cocok"},
    )
    assert Advice.objects.get(text="Rekap kecamatan tidak cocok").region_code == "31.71.01"
    # A kab/kota Bawaslu cannot pick a supporter row: it does not see them.
    task = _tasks(verfak)[0]
    assert client.get(_url("verfak-advice-new", stage.pk) + f"?tugas={task.pk}").status_code == 404


def test_pkd_files_a_form_a_report_and_the_kpu_reads_it(login, verfak):
    stage = _stage(verfak)
    client = login("pkd_a")
    observed = timezone.localtime() - dt.timedelta(hours=1)
    response = client.post(
        _url("verfak-reports", stage.pk),
        {
            "region_code": KELURAHAN["a"],
            "observed_at": observed.strftime("%Y-%m-%dT%H:%M"),
            "place": "RW 02",
            "observed": "Kunjungan PPS sesuai prosedur",
        },
    )
    assert response.status_code == 302
    assert Report.objects.filter(place="RW 02", by=verfak.users["pkd_a"]).exists()
    page = _page(login("kpu_a"), _url("verfak-reports", stage.pk))
    assert "Kunjungan PPS sesuai prosedur" in page and "Isi Form A" not in page


# --- home and tabs ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["pps_a", "pkd_a"])
def test_pps_and_pkd_home_links_to_their_worklist_with_what_is_left(login, verfak, username):
    page = _page(login(username), reverse("home"))
    assert _worklist(verfak) in page
    assert "Daftar kerja verifikasi faktual" in page
    assert "<strong>2</strong>" in page  # three supporters, one recorded


def test_kpu_home_has_no_worklist_table(login, verfak):
    assert "Daftar kerja verifikasi faktual" not in _page(login("kpu_a"), reverse("home"))


@pytest.mark.parametrize(
    ("username", "tabs"),
    [
        ("pps_a", {"Verifikasi faktual"}),
        ("tim_a", {"Verifikasi faktual", "Keputusan"}),
        ("bawaslu_a", {"Verifikasi faktual", "Keputusan"}),
    ],
)
def test_pair_tabs_show_field_work_and_decision_to_who_may_open_them(login, verfak, username, tabs):
    client = login(username)
    pair = _stage(verfak).pair
    page = _page(client, _url("verfak-pair", pair.pk))
    shown = {t for t in ("Verifikasi faktual", "Keputusan") if f">{t}</a>" in page}
    assert shown == tabs
    for name in ("verfak-pair", "decision-pair"):
        if f'href="{_url(name, pair.pk)}"' in page:
            assert client.get(_url(name, pair.pk)).status_code == 200


def test_service_worker_is_served_under_the_field_pages(client):
    response = client.get(reverse("verfak-sw"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert 'const COOKIE = "verfak_offline"' in body and 'addEventListener("fetch"' in body
    assert "const MAX_AGE_MS = 28800000;" in body  # the session's 8 hours (fieldwork/offline.py)
    assert reverse("verfak-sw").startswith("/verfak/")
