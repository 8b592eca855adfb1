from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from candidates.models import SupportUpload
from candidates.signals import support_upload_done
from verification import engine
from verification.engine import run_create, verification_run
from verification.engine.backends import backend
from verification.engine.prepare import run_prepare
from verification.models import VerificationChunk, VerificationResult, VerificationRun
from verification.rules import Reason

from .conftest import KEL_OUTSIDE, KEL_UTARA, VOTING_DAY, make_nik

pytestmark = pytest.mark.django_db(transaction=False)


def verify(pair, round=None) -> VerificationRun:
    run = run_create(pair=pair, round=round)
    return verification_run(run_id=run.pk)


def verdict(supporter) -> tuple[str, set[str]]:
    result = VerificationResult.objects.get(pk=supporter.pk)
    return result.outcome, {r.name for r in Reason if result.reasons & r}


def snapshot(pair) -> list[tuple]:
    return list(
        VerificationResult.objects.filter(pair=pair)
        .order_by("supporter_id")
        .values_list(
            "supporter_id", "reasons", "outcome", "voter_id", "superseded", "kelurahan_code"
        )
    )


def test_clean_supporter_in_roll_is_ms(case):
    s = case.supporter(make_nik())
    run = verify(case.pair("A"))
    assert verdict(s) == ("MS", set())
    assert run.status == VerificationRun.Status.DONE
    assert run.counts["MS"] == 1 and run.counts["total"] == 1


# --- NIK_INVALID -------------------------------------------------------------------------------


def test_nik_with_impossible_encoded_date_is_tms(case):
    nik = "3171013213800001"  # month 13
    s = case.supporter(nik, birth_date=dt.date(1980, 1, 1))
    verify(case.pair("A"))
    outcome, reasons = verdict(s)
    assert outcome == "TMS" and "NIK_INVALID" in reasons


def test_nik_with_unknown_region_prefix_is_tms(case):
    s = case.supporter(make_nik(region="319999"))
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"NIK_INVALID"})


def test_nik_prefix_of_another_province_is_valid(case):
    s = case.supporter(make_nik(region="320101"))  # Kab. Bogor: exists, first issued elsewhere
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


# --- NOT_IN_ROLL and per-election outcomes -----------------------------------------------------


def test_supporter_not_in_roll_is_tms(case):
    s = case.supporter(make_nik(), in_roll=False)
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"NOT_IN_ROLL"})


def test_election_can_make_not_in_roll_bms(case):
    case.election.reason_outcomes = {"NOT_IN_ROLL": "BMS"}
    case.election.save()
    s = case.supporter(make_nik(), in_roll=False)
    run = verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"NOT_IN_ROLL"})
    assert run.reason_outcomes["NOT_IN_ROLL"] == "BMS"  # recorded with the run


def test_voter_of_another_roll_does_not_count(case, election):
    from electorate.models import Voter, VoterRoll
    from electorate.nik import nik_hash

    nik = make_nik()
    other = VoterRoll.objects.create(name="DPT lain", region=election.region)
    Voter.objects.create(
        roll=other, nik_hash=nik_hash(nik), name="BUDI SANTOSO", kelurahan_code="x"
    )
    s = case.supporter(nik, in_roll=False)
    verify(case.pair("A"))
    assert verdict(s)[1] == {"NOT_IN_ROLL"}


# --- OUTSIDE_REGION ----------------------------------------------------------------------------


def test_supporter_living_outside_the_province_is_tms(case):
    s = case.supporter(make_nik(), kelurahan_id=KEL_OUTSIDE)
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"OUTSIDE_REGION"})


# --- UNDERAGE ----------------------------------------------------------------------------------


def test_born_exactly_17_years_before_voting_day_is_eligible(case):
    birth = dt.date(2007, 11, 27)
    s = case.supporter(make_nik(birth=birth), marital_status="B")
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


def test_born_one_day_short_of_17_on_voting_day_is_underage_tms(case):
    birth = dt.date(2007, 11, 28)
    s = case.supporter(make_nik(birth=birth), marital_status="B")
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"UNDERAGE"})


@pytest.mark.parametrize("status", ["S", "P"])
def test_married_or_once_married_at_16_is_eligible(case, status):
    s = case.supporter(make_nik(birth=dt.date(2008, 6, 1)), marital_status=status)
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


def test_age_follows_the_roll_birth_date_when_the_form_differs(case):
    nik = make_nik(birth=dt.date(2008, 6, 1))
    case.voter(nik, birth_date=dt.date(2008, 6, 1), marital_status="B")
    s = case.supporter(nik, birth_date=dt.date(2000, 6, 1), marital_status="B")
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"UNDERAGE", "DATA_MISMATCH"})


# --- DUPLICATE_INTERNAL ------------------------------------------------------------------------


def test_second_listing_of_a_nik_for_the_same_pair_is_tms(case):
    nik = make_nik()
    first = case.supporter(nik)
    second = case.supporter(nik)
    verify(case.pair("A"))
    assert verdict(first) == ("MS", set())
    assert verdict(second) == ("TMS", {"DUPLICATE_INTERNAL"})


def test_first_occurrence_follows_upload_then_row_order(case):
    nik = make_nik()
    early, late = case.upload("A"), case.upload("A")
    in_late = case.supporter(nik, upload=late)
    in_early = case.supporter(nik, upload=early)
    verify(case.pair("A"))
    assert verdict(in_early) == ("MS", set())
    assert verdict(in_late) == ("TMS", {"DUPLICATE_INTERNAL"})


# --- repair rounds -----------------------------------------------------------------------------


def test_repair_resubmission_of_a_bms_record_is_checked_afresh_and_supersedes_it(case):
    nik = make_nik()
    bad = case.supporter(nik, occupation="PNS")  # BMS: restricted occupation
    verify(case.pair("A"), round=0)
    assert verdict(bad)[0] == "BMS"
    fixed = case.supporter(nik, upload=case.upload("A", round=1), occupation="Pedagang")
    verify(case.pair("A"), round=1)
    assert verdict(fixed) == ("MS", set())
    assert VerificationResult.objects.get(pk=bad.pk).superseded


def test_repair_listing_of_a_nik_already_ms_is_a_duplicate(case):
    nik = make_nik()
    ms = case.supporter(nik)
    verify(case.pair("A"), round=0)
    again = case.supporter(nik, upload=case.upload("A", round=1))
    verify(case.pair("A"), round=1)
    assert verdict(again) == ("TMS", {"DUPLICATE_INTERNAL"})
    assert not VerificationResult.objects.get(pk=ms.pk).superseded


def test_repair_round_waits_for_the_earlier_round(case):
    case.supporter(make_nik())
    case.supporter(make_nik(), upload=case.upload("A", round=1))
    with pytest.raises(ValidationError):
        run_create(pair=case.pair("A"), round=1)


# --- DUPLICATE_EXTERNAL ------------------------------------------------------------------------


def _upload_done(upload: SupportUpload) -> None:
    support_upload_done.send(sender=SupportUpload, upload=upload)


@pytest.mark.parametrize("first", ["A", "B"])
def test_nik_listed_for_two_pairs_is_bms_on_both_whichever_uploaded_first(
    case, first, django_capture_on_commit_callbacks
):
    second = "B" if first == "A" else "A"
    nik = make_nik()
    earlier = case.supporter(nik, upload=case.upload(first))
    verify(case.pair(first))
    assert verdict(earlier) == ("MS", set())

    later_upload = case.upload(second)
    later = case.supporter(nik, upload=later_upload)
    with django_capture_on_commit_callbacks(execute=True):
        _upload_done(later_upload)
    assert verdict(earlier) == ("BMS", {"DUPLICATE_EXTERNAL"})  # refreshed on the upload

    verify(case.pair(second))
    assert verdict(later) == ("BMS", {"DUPLICATE_EXTERNAL"})
    assert verdict(earlier) == ("BMS", {"DUPLICATE_EXTERNAL"})


def test_external_duplicate_clears_when_the_other_list_is_gone(case):
    nik = make_nik()
    a = case.supporter(nik, upload=case.upload("A"))
    b_upload = case.upload("B")
    case.supporter(nik, upload=b_upload)
    verify(case.pair("A"))
    assert verdict(a)[1] == {"DUPLICATE_EXTERNAL"}
    b_upload.delete()
    engine.duplicate_external_refresh(election=case.election)
    assert verdict(a) == ("MS", set())


def test_verifying_one_pair_flags_the_other_pairs_results(case):
    nik = make_nik()
    b_upload = case.upload("B")
    b = case.supporter(nik, upload=b_upload)
    verify(case.pair("B"))  # A has no list yet: MS
    assert verdict(b) == ("MS", set())
    case.supporter(nik, upload=case.upload("A"))  # no signal sent: verifying A must catch it
    verify(case.pair("A"))
    assert verdict(b) == ("BMS", {"DUPLICATE_EXTERNAL"})


# --- DATA_MISMATCH -----------------------------------------------------------------------------


def test_name_different_from_roll_is_bms(case):
    nik = make_nik()
    case.voter(nik, name="AGUS SALIM")
    s = case.supporter(nik, name="BUDI SANTOSO")
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"DATA_MISMATCH"})


@pytest.mark.parametrize(
    "on_roll,on_form",
    [
        ("HJ. SITI NURHALIZA, S.H.", "Siti Nurhaliza"),
        ("DJOKO SOETJIPTO", "Joko Sucipto"),
        ("MOCHAMMAD RIZKY", "M. Rizky"),
        ("Dr. Ir. BUDI SANTOSO, M.M.", "budi  santoso"),
        ("SITI NUR HALIZA", "SITI NURHALIZA"),
    ],
)
def test_name_written_differently_is_not_a_mismatch(case, on_roll, on_form):
    nik = make_nik()
    case.voter(nik, name=on_roll)
    s = case.supporter(nik, name=on_form)
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


def test_birth_date_different_from_roll_is_bms(case):
    nik = make_nik(birth=dt.date(1980, 5, 17))
    case.voter(nik, birth_date=dt.date(1981, 5, 17))
    s = case.supporter(nik)
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"DATA_MISMATCH"})


def test_birth_date_different_from_what_the_nik_encodes_is_bms(case):
    nik = make_nik(birth=dt.date(1980, 5, 17))
    s = case.supporter(nik, birth_date=dt.date(1980, 5, 18))  # roll copies the form here
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"DATA_MISMATCH"})


def test_sex_different_from_what_the_nik_encodes_is_bms(case):
    nik = make_nik(sex="L")
    s = case.supporter(nik, sex="P")
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"DATA_MISMATCH"})


def test_woman_whose_nik_day_has_40_added_matches_sex_p(case):
    nik = make_nik(birth=dt.date(1985, 3, 9), sex="P")
    assert nik[6:8] == "49"
    s = case.supporter(nik, sex="P", birth_date=dt.date(1985, 3, 9))
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


def test_old_voter_whose_nik_year_reads_as_this_century_is_not_a_mismatch(case):
    nik = make_nik(birth=dt.date(1920, 4, 2))  # nik_decode reads yy=20 as 2020
    s = case.supporter(nik, birth_date=dt.date(1920, 4, 2))
    verify(case.pair("A"))
    assert verdict(s) == ("MS", set())


# --- RESTRICTED_OCCUPATION and worst outcome ---------------------------------------------------


@pytest.mark.parametrize("occupation", ["Anggota POLRI", "PNS", "Kepala Desa", "tni ad", "PPK"])
def test_restricted_occupation_is_bms(case, occupation):
    s = case.supporter(make_nik(), occupation=occupation)
    verify(case.pair("A"))
    assert verdict(s) == ("BMS", {"RESTRICTED_OCCUPATION"})


def test_worst_outcome_wins(case):
    s = case.supporter(make_nik(), in_roll=False, occupation="POLRI", kelurahan_id=KEL_UTARA)
    verify(case.pair("A"))
    assert verdict(s) == ("TMS", {"NOT_IN_ROLL", "RESTRICTED_OCCUPATION"})


# --- reruns, crashes, query counts -------------------------------------------------------------


@pytest.fixture
def mixed(case, settings):
    """Twenty supporters with every reason, in chunks of four."""
    settings.VERIFICATION_CHUNK_SIZE = 4
    dup = make_nik()
    for i in range(20):
        kind = i % 7
        nik = dup if kind == 5 else make_nik()
        name = "AGUS SALIM" if kind == 1 else "BUDI SANTOSO"
        if kind == 1:
            case.voter(nik, name="BUDI SANTOSO")
        case.supporter(
            nik,
            in_roll=kind != 2,
            name=name,
            occupation="PNS" if kind == 3 else "Petani",
            kelurahan_id=KEL_OUTSIDE if kind == 4 else KEL_UTARA if i % 2 else "31.71.01.1001",
        )
    return case.pair("A")


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

        def names_differing(self, cursor, params):
            DiesInThirdChunk.calls += 1
            if DiesInThirdChunk.calls == 3:
                raise RuntimeError("worker killed")
            super().names_differing(cursor, params)

    run = run_create(pair=mixed)
    with pytest.raises(RuntimeError):
        verification_run(run_id=run.pk, db=DiesInThirdChunk())
    run.refresh_from_db()
    assert run.status == VerificationRun.Status.FAILED and "worker killed" in run.error
    assert run.chunks.filter(status=VerificationChunk.Status.DONE).count() == 2
    assert 0 < VerificationResult.objects.count() < len(clean)

    run = verification_run(run_id=run.pk)
    assert run.status == VerificationRun.Status.DONE
    assert snapshot(mixed) == clean


def test_chunk_of_a_killed_worker_is_taken_over_after_its_lease(mixed, settings):
    verify(mixed)
    clean = snapshot(mixed)
    run = run_create(pair=mixed)
    chunk = run.chunks.get(seq=1)
    stale = chunk
    VerificationChunk.objects.filter(pk=stale.pk).update(
        status=VerificationChunk.Status.RUNNING,
        claimed_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),  # its worker died long ago
    )
    run = verification_run(run_id=run.pk)
    assert run.status == VerificationRun.Status.DONE
    assert run.chunks.get(pk=stale.pk).attempts == 1
    assert snapshot(mixed) == clean


def test_fresh_claim_of_another_worker_is_left_alone(mixed):
    run = run_create(pair=mixed)
    from django.utils import timezone

    VerificationChunk.objects.filter(run=run, seq=0).update(
        status=VerificationChunk.Status.RUNNING, claimed_at=timezone.now()
    )
    run = verification_run(run_id=run.pk)
    assert run.status == VerificationRun.Status.RUNNING  # the other worker will finish it
    assert run.chunks.filter(status=VerificationChunk.Status.DONE).count() == run.chunks_total - 1


def test_run_records_rules_roll_and_counts(mixed, case):
    run = verify(mixed)
    assert run.rule_set == "2024"
    assert run.roll_id == case.roll.pk
    assert run.voting_day == VOTING_DAY
    assert run.chunks_total == 5 and run.chunks_done == 5
    assert run.counts["total"] == 20
    assert sum(run.counts[o] for o in ("MS", "BMS", "TMS")) == 20
    assert run.finished_at is not None


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
    # Pinned: prepare (~12), claim (2), one chunk (~8), finish (~8); per supporter would be 60+.
    case.supporter(make_nik(), upload=case.upload("A"))
    run = run_create(pair=case.pair("A"))
    with django_assert_max_num_queries(40):
        verification_run(run_id=run.pk)


# --- runs that overlap uploads, other runs and reruns ----------------------------------------


def test_another_pairs_upload_during_a_run_still_flags_this_pair(case, monkeypatch):
    nik = make_nik()
    a = case.supporter(nik, upload=case.upload("A"))
    run = run_create(pair=case.pair("A"))
    run_prepare(run)  # the duplicate bits are fixed here, before B's list exists
    b_upload = case.upload("B")
    case.supporter(nik, upload=b_upload)
    SupportUpload.objects.filter(pk=b_upload.pk).update(finished_at=timezone.now())
    _upload_done(b_upload)  # B's refresh finds no result of A yet
    verification_run(run_id=run.pk)
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


def test_verification_waits_for_uploads_of_the_round_still_being_imported(case):
    case.supporter(make_nik())
    SupportUpload.objects.filter(pk=case.upload("A").pk).update(status="running")
    with pytest.raises(ValidationError, match="sedang diproses"):
        run_create(pair=case.pair("A"))


def test_starting_twice_resumes_the_unfinished_run_instead_of_doubling_it(mixed):
    first = run_create(pair=mixed)
    again = run_create(pair=mixed)
    assert again.pk == first.pk
    assert VerificationRun.objects.filter(pair=mixed).count() == 1
    verification_run(run_id=first.pk)
    assert run_create(pair=mixed).pk != first.pk  # done: a new one


def test_an_unfinished_run_is_replaced_when_the_list_changed_since(mixed, case):
    first = run_create(pair=mixed)
    case.supporter(make_nik())  # another supporter arrives in the same round
    second = run_create(pair=mixed)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.status == VerificationRun.Status.FAILED
    assert verification_run(run_id=second.pk).counts["total"] == (mixed.supporters.count())


def test_spread_counts_the_roll_domicile_not_the_typed_kelurahan(case):
    nik = make_nik()
    case.voter(nik, kelurahan_code="31.71.01.1001")  # on the roll in Jakarta Pusat
    s = case.supporter(nik, kelurahan_id=KEL_UTARA)  # typed as Jakarta Utara
    verify(case.pair("A"))
    assert VerificationResult.objects.get(pk=s.pk).kelurahan_code == "31.71.01.1001"
