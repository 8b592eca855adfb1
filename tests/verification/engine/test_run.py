"""Working a run to its end (verification/engine/run.py): reruns and crashes end in the same
results, what a run records, its query count, and what it does when uploads or other rounds
changed meanwhile."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from candidates.models import SupportUpload
from tests.factories import make_nik
from tests.verification.case import VOTING_DAY, snapshot, verdict, verify
from verification.engine import run_create, verification_run
from verification.engine.backends import backend
from verification.engine.prepare import run_prepare
from verification.models import VerificationChunk, VerificationResult, VerificationRun

pytestmark = pytest.mark.django_db(transaction=False)


# --- reruns, crashes, query counts -------------------------------------------------------------


def test_rerun_gives_identical_results(mixed):
    verify(mixed)
    first = snapshot(mixed)
    verify(mixed)
    assert snapshot(mixed) == first
    assert {o for _i, _r, o, *_ in first} == {"MS", "BMS", "TMS"}


def test_run_that_dies_inside_a_chunk_is_finished_by_a_rerun_with_identical_results(mixed):
    verify(mixed)
    clean = snapshot(mixed)
    VerificationResult.objects.all().delete()

    class DiesInThirdChunk(type(backend())):
        calls = 0

        def chunk_begin(self, cursor):
            DiesInThirdChunk.calls += 1
            if DiesInThirdChunk.calls == 3:
                raise RuntimeError("worker killed")
            super().chunk_begin(cursor)

    run = run_create(pair=mixed)
    with pytest.raises(RuntimeError):
        verification_run(run_id=run.pk, db=DiesInThirdChunk())
    run.refresh_from_db()
    assert run.status == VerificationRun.Status.FAILED
    # Users get the run's number and what to do, never the exception's own text.
    assert f"#{run.pk}" in run.error and "worker killed" not in run.error
    assert run.chunks.filter(status=VerificationChunk.Status.DONE).count() == 2
    assert 0 < VerificationResult.objects.count() < len(clean)

    run = verification_run(run_id=run.pk)
    assert run.status == VerificationRun.Status.DONE
    assert snapshot(mixed) == clean


def test_the_bar_moves_inside_a_single_chunk(mixed, settings):
    """DKI's 840k supporters are one chunk: the page's bar must not sit at 0% until the end.
    What the run's page would show, read while the run matches and while it writes."""
    settings.VERIFICATION_CHUNK_SIZE = 10**6
    run = run_create(pair=mixed)
    seen: list[tuple[str, str, int]] = []

    def look(where: str) -> None:
        now = VerificationRun.objects.get(pk=run.pk)
        seen.append((where, now.phase, now.progress_percent))

    class Watched(type(backend())):
        def run_matches(self, run):
            look("matching")
            return super().run_matches(run)

        def chunk_begin(self, cursor):
            look("writing")
            super().chunk_begin(cursor)

    run = verification_run(run_id=run.pk, db=Watched())
    assert run.status == VerificationRun.Status.DONE and run.progress_percent == 100
    writing = [percent for where, phase, percent in seen if where == "writing"]
    assert writing[0] == 50  # matched; the first chunk begins
    assert writing == sorted(writing) and len(set(writing)) == len(writing)  # then each chunk
    if connection.vendor == "postgresql":  # SQLite's chunks each join the roll themselves
        assert ("matching", "prepare", 5) in seen


def test_run_records_rules_roll_and_counts(mixed, case):
    run = verify(mixed)
    assert run.rule_set == "2024"
    assert run.roll_id == case.roll.pk
    assert run.voting_day == VOTING_DAY
    assert run.chunks_total == 5 and run.chunks_done == 5
    assert run.counts["total"] == 20
    assert sum(run.counts[o] for o in ("MS", "BMS", "TMS")) == 20
    assert run.finished_at is not None


@pytest.mark.parametrize("size", [1, 3, 4, 7, 19, 20])
def test_chunk_bounds_split_the_round_evenly_and_the_same_on_either_database(mixed, size):
    """PostgreSQL finds the chunks' first ids by one percentile_disc, SQLite by a window over
    every row: the same ids, chunks of `size` (the last one the rest), every supporter once."""
    from candidates.models import Supporter
    from verification.engine.backends import Backend
    from verification.engine.start import chunk_bounds

    ids = sorted(Supporter.objects.filter(pair=mixed, round=0).values_list("pk", flat=True))
    bounds = chunk_bounds(pair_id=mixed.pk, round=0, size=size)
    sizes = [sum(lo <= i <= hi for i in ids) for lo, hi in bounds]
    assert sizes == [size] * (len(ids) // size) + ([len(ids) % size] if len(ids) % size else [])
    assert bounds[0][0] == ids[0] and bounds[-1][1] == ids[-1]
    scope = {"pair": mixed.pk, "round": 0}
    with connection.cursor() as cursor:
        window = Backend().chunk_starts(cursor, scope, len(ids), size)
        assert backend().chunk_starts(cursor, scope, len(ids), size) == window


@pytest.mark.parametrize(
    ("sessions", "chunk_size", "sizes"),
    [(2, 10**6, [10, 10]), (3, 10**6, [7, 7, 6]), (2, 4, [4, 4, 4, 4, 4]), (40, 10**6, [1] * 20)],
)
def test_chunk_bounds_by_default_give_each_session_a_chunk_of_at_most_the_chunk_size(
    mixed, settings, sessions, chunk_size, sizes
):
    from candidates.models import Supporter
    from verification.engine.start import chunk_bounds

    settings.VERIFICATION_SESSIONS, settings.VERIFICATION_CHUNK_SIZE = sessions, chunk_size
    ids = sorted(Supporter.objects.filter(pair=mixed, round=0).values_list("pk", flat=True))
    bounds = chunk_bounds(pair_id=mixed.pk, round=0)
    assert [sum(lo <= i <= hi for i in ids) for lo, hi in bounds] == sizes
    assert bounds[0][0] == ids[0] and bounds[-1][1] == ids[-1]
    assert all(hi < lo for (_, hi), (lo, _) in zip(bounds, bounds[1:], strict=False))


def test_run_counts_summed_from_the_chunks_equal_a_count_of_the_results(mixed):
    from verification.engine import run_counts

    run = verify(mixed)
    chunks = list(run.chunks.values_list("counts", flat=True))
    if connection.vendor == "postgresql":  # each chunk's INSERT counted what it wrote
        assert all(c is not None and c["total"] > 0 for c in chunks)
    else:
        assert chunks == [None] * run.chunks_total
    assert run.counts == run_counts(run_id=run.pk)
    assert run.counts["total"] == 20 and sum(run.counts["reasons"].values()) > 0


def test_query_count_does_not_grow_with_supporters(case, settings, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.VERIFICATION_CHUNK_SIZE = 1000

    def queries_for(pair_name: str, n: int) -> int:
        SupportUpload.objects.filter(pair=case.pair(pair_name)).delete()
        upload = case.upload(pair_name)
        for i in range(n):
            nik = make_nik()
            if i % 3:
                case.voter(nik, name="AGUS SALIM")  # a name mismatch: the rapidfuzz pass runs
            case.supporter(nik, upload=upload, name="BUDI SANTOSO")
        run = run_create(pair=case.pair(pair_name))
        with CaptureQueriesContext(connection) as ctx:
            verification_run(run_id=run.pk)
        return len(ctx.captured_queries)

    assert queries_for("A", 10) == queries_for("A", 60)
    # Pinned: prepare (~16: its limits set, the roll matched and the names judged once), then
    # per chunk a claim and ~8 (the list is split so that each of the two sessions has one),
    # finish (~8), the three phase updates the page shows;
    # the standing moved once the run is done (~9: fieldwork.standing through the run_finished
    # signal: the pair, the threshold, the carried and the administrative MS, the stage, the
    # spread units, the round's frozen counts and one upsert);
    # per supporter would be 60+.
    case.supporter(make_nik(), upload=case.upload("A"))
    run = run_create(pair=case.pair("A"))
    with django_assert_max_num_queries(68):
        verification_run(run_id=run.pk)


# --- runs that overlap uploads and other rounds ------------------------------------------------


def test_another_pairs_upload_during_a_run_is_counted_then_taken_by_the_next_run(case):
    from verification.engine import external_changes

    nik = make_nik()
    a = case.supporter(nik, upload=case.upload("A"))
    run = run_create(pair=case.pair("A"))
    run_prepare(run)  # the duplicate bits are fixed here, before B's list exists
    b_upload = case.upload("B")
    case.supporter(nik, upload=b_upload)
    SupportUpload.objects.filter(pk=b_upload.pk).update(finished_at=timezone.now())
    verification_run(run_id=run.pk)
    assert verdict(a) == ("MS", set())  # the run works on the lists as it prepared them
    assert external_changes(pair=case.pair("A")) == 1  # the KPU sees it
    verify(case.pair("A"))
    assert verdict(a) == ("BMS", {"DUPLICATE_EXTERNAL"})


def test_rerunning_an_earlier_round_keeps_the_later_resubmission_counted_once(case):
    from verification.recap import recap_compute

    nik = make_nik()
    case.supporter(nik, occupation="PNS")  # BMS in round 0
    verify(case.pair("A"), round=0)
    case.supporter(nik, upload=case.upload("A", round=1), occupation="Pedagang")
    verify(case.pair("A"), round=1)
    before = recap_compute(pair=case.pair("A"))
    verify(case.pair("A"), round=0)
    after = recap_compute(pair=case.pair("A"))
    assert (after["MS"], after["BMS"], after["TMS"]) == (before["MS"], before["BMS"], 0)
    assert (after["MS"], after["BMS"]) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_pair_wide_steps_are_done_by_two_other_sessions_beside_the_matching_and_the_names(
    mixed, monkeypatch
):
    """On PostgreSQL, outside any caller's transaction (as a worker runs it), the duplicates
    (beside the matching) and the other pair-wide steps (beside the names) are written by two
    other sessions; the results are the same as with everything in one session (a caller's
    transaction: inline)."""
    from django.db import transaction

    from verification.engine import prepare

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: the side steps run inline there")

    def pid() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    sessions: dict[str, list[int]] = {"duplicates": [], "pair_wide": []}
    duplicates_flag, pair_wide = prepare.duplicates_flag, prepare._pair_wide

    def watched_duplicates(run) -> None:
        sessions["duplicates"].append(pid())
        duplicates_flag(run)

    def watched_pair_wide(run) -> list[str]:
        sessions["pair_wide"].append(pid())
        return pair_wide(run)

    monkeypatch.setattr(prepare, "duplicates_flag", watched_duplicates)
    monkeypatch.setattr(prepare, "_pair_wide", watched_pair_wide)
    assert verify(mixed).status == VerificationRun.Status.DONE
    own = pid()
    first = {sessions["duplicates"][0], sessions["pair_wide"][0]}
    assert len(first) == 2 and own not in first
    side = snapshot(mixed)
    with transaction.atomic():
        verify(mixed)
    assert sessions["duplicates"][1] == sessions["pair_wide"][1] == pid()
    assert snapshot(mixed) == side


@pytest.mark.django_db(transaction=True)
def test_a_cap_of_one_core_keeps_every_step_in_the_runs_own_session_without_parallel_query(
    mixed, monkeypatch, settings
):
    """VERIFICATION_CORES=1 (the field days, the web sharing the database server): no side
    session, no second chunk session, no parallel query in any of the run's transactions, and
    the same results as without the cap."""
    from verification.engine import backends, prepare

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer and no parallel query")

    def state() -> tuple[int, str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_backend_pid(), current_setting('max_parallel_workers_per_gather')"
            )
            return cursor.fetchone()

    seen: list[tuple[int, str]] = []
    work_mem, duplicates_flag = backends._work_mem, prepare.duplicates_flag

    def watched_work_mem(cursor) -> None:
        work_mem(cursor)
        seen.append(state())

    def watched_duplicates(run) -> None:
        seen.append(state())
        duplicates_flag(run)

    monkeypatch.setattr(backends, "_work_mem", watched_work_mem)
    monkeypatch.setattr(prepare, "duplicates_flag", watched_duplicates)
    settings.VERIFICATION_SESSIONS, settings.VERIFICATION_CHUNK_SIZE = 2, 5  # 4 chunks
    verify(mixed)
    uncapped = snapshot(mixed)
    assert len({pid for pid, _ in seen}) > 1 and "0" not in {workers for _, workers in seen}

    seen.clear()
    settings.VERIFICATION_CORES = 1
    run = verify(mixed)
    # the prepare's transaction, the duplicates, the matching, then 4 chunks
    assert run.chunks_total == 4 and len(seen) == 1 + 1 + 1 + 4
    assert set(seen) == {(state()[0], "0")}
    assert snapshot(mixed) == uncapped
