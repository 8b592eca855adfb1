"""A NIK is MS for at most one pair of an election, whatever happens in the field (issue 18).

"Counts as MS for pair P": P's task of the person (any stage) is MS; or, where P has no task
of the person, P's administrative result (not superseded) is MS. The rules that keep it are in
fieldwork/records.py's docstring; here: the issue's scenario, a person listed by a second pair
after their first pair's field check, and hypothesis over random sequences of everything that
touches a task (entries by form, sheet, correction and advice, attestations, closings and
reopenings at every level, a confirmed objection), the rule checked after every step.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from candidates.models import Election, Pair
from fieldwork.closing import area_close, area_reopen
from fieldwork.counts import active_closures
from fieldwork.models import Advice, Choice, Finding, Method, Record, Stage, Task
from fieldwork.persons import ms_pairs
from fieldwork.records import Entry, attest_denial, record_entry
from fieldwork.stages import stage_start
from fieldwork.strike import tasks_strike
from fieldwork.supervision import advice_answer, advice_create
from keys.nik import nik_hash
from tests.factories import make_nik
from tests.fieldwork.field import (
    KABKOTA,
    KEC,
    KEL2,
    OPENS,
    PROVINCE,
    TODAY,
    close_all,
    enter,
    kpu,
    messages,
    ms,
    pkd,
    sheet_apply,
    sheet_row,
    started,
    task,
)
from tests.verification.case import KEL, verify
from verification.models import VerificationResult

pytestmark = pytest.mark.django_db

JUNE = {day: dt.date(2024, 6, day) for day in range(1, 31)}


def assert_one_pair(election: Election) -> None:
    """Over every NIK of the election at once (fieldwork.persons.ms_pairs: one query)."""
    counted = ms_pairs(election_id=election.pk)
    several = {nik.hex()[:8]: pairs for nik, pairs in counted.items() if len(pairs) > 1}
    assert not several, f"MS for more than one pair: {several}"


# --- what "counts as MS for a pair" means -------------------------------------------------------


def test_a_person_counts_by_the_field_result_where_a_task_exists_else_by_the_administrative(case):
    nik, only_listed = make_nik(), make_nik()
    a = case.supporter(nik)
    case.supporter(only_listed)
    started(case.pair("A"))  # both MS administratively, both handed to A's field work
    b_upload = case.upload("B")
    case.supporter(only_listed, upload=b_upload)
    verify(case.pair("B"))  # B's record of `only_listed`: BMS (listed by A), no task

    assert ms_pairs(election_id=case.election.pk) == {}  # tasks pending: MS for nobody yet
    enter(a, Finding.SESUAI, JUNE[3])
    assert ms_pairs(election_id=case.election.pk) == {nik_hash(nik): {a.pair_id}}
    VerificationResult.objects.filter(supporter__nik_hash=nik_hash(only_listed)).update(
        outcome="MS"
    )  # B's administrative MS counts (B has no task); A's task (pending) hides A's
    assert ms_pairs(election_id=case.election.pk, nik_hashes=[nik_hash(only_listed)]) == {
        nik_hash(only_listed): {case.pair("B").pk}
    }
    VerificationResult.objects.filter(pair=case.pair("B")).update(superseded=True)
    assert nik_hash(only_listed) not in ms_pairs(election_id=case.election.pk)


# --- the scenario ----------------------------------------------------------------------


@pytest.fixture
def double(case):
    """One person listed by pairs A and B (each with one plain MS supporter too), both pairs'
    stages started on 1 June. Returns A's and B's supporter rows of that person."""
    nik = make_nik()
    a = case.supporter(nik)
    ms(case)
    b_upload = case.upload("B")
    b = case.supporter(nik, upload=b_upload)
    ms(case, upload=b_upload)
    verify(case.pair("B"))
    started(case.pair("A"))
    started(case.pair("B"))
    return a, b


def test_an_entry_without_a_choice_keeps_the_choice_and_the_other_pair_stays_tms(case, double):
    a, b = double
    assert enter(b, Finding.SESUAI, JUNE[3], chosen=case.pair("B")).changed
    assert (task(a).result, task(b).result) == ("TMS", "MS")

    # A's PPS meets the person again: denies A without signing, leaves the chosen pair empty.
    outcome = enter(a, Finding.TOLAK, JUNE[5])

    assert outcome.changed and not outcome.errors
    here = task(a)
    assert (here.finding, here.result, here.note) == ("TOLAK", "TMS", "CHOSE_OTHER")
    assert here.chosen_pair_id == b.pair_id
    assert Choice.objects.get(election=case.election).pair_id == b.pair_id
    assert (task(b).result, task(b).note) == ("MS", "CONFIRMED")
    assert_one_pair(case.election)


def test_only_an_explicit_new_choice_moves_the_person(case, double):
    a, b = double
    enter(b, Finding.SESUAI, JUNE[3], chosen=case.pair("B"))

    assert enter(a, Finding.SESUAI, JUNE[6], chosen=case.pair("A")).changed

    assert (task(a).result, task(a).note) == ("MS", "CONFIRMED")
    there = task(b)
    assert (there.result, there.note, there.chosen_pair_id) == ("TMS", "CHOSE_OTHER", a.pair_id)
    assert_one_pair(case.election)


def test_a_double_denying_without_signature_names_the_pair_chosen(case, double):
    """Unsigned, a denial leaves the supporter MS: a double must say which pair, or both pairs
    could keep them."""
    outcome = enter(double[0], Finding.TOLAK, JUNE[3])
    assert [column for column, _m in messages(outcome)] == ["PASLON_PILIHAN"]
    assert enter(double[0], Finding.TOLAK_TTD, JUNE[3]).changed  # signed: TMS, no choice needed


# --- a person listed by a second pair after the first pair's field check ------------------------


@pytest.fixture
def late(case):
    """`late` is MS for A and met by A's PPS (SESUAI) before B listed them; B's stage then
    hands them to B's PPS as a double. Returns A's and B's supporter rows."""
    nik = make_nik()
    a = case.supporter(nik)
    started(case.pair("A"))
    assert enter(a, Finding.SESUAI, JUNE[3]).changed
    b_upload = case.upload("B")
    b = case.supporter(nik, upload=b_upload)
    ms(case, upload=b_upload)
    started(case.pair("B"), opens=JUNE[5])
    assert task(b).double
    return a, b


def test_choosing_the_second_pair_strikes_the_first(case, late):
    a, b = late
    assert enter(b, Finding.SESUAI, JUNE[7], chosen=case.pair("B")).changed
    assert (task(a).result, task(a).note) == ("TMS", "CHOSE_OTHER")
    assert task(b).result == "MS"
    assert_one_pair(case.election)


def test_choosing_the_first_pair_keeps_the_second_tms(case, late):
    a, b = late
    assert enter(b, Finding.SESUAI, JUNE[7], chosen=case.pair("A")).changed
    assert (task(b).result, task(b).note) == ("TMS", "CHOSE_OTHER")
    assert task(a).result == "MS"
    assert enter(b, Finding.TOLAK, JUNE[8]).changed  # no choice: A's is kept
    assert (task(b).result, task(b).note) == ("TMS", "CHOSE_OTHER")
    assert_one_pair(case.election)


def test_a_choice_that_would_leave_a_closed_ms_behind_is_refused(case, late):
    a, b = late
    area_close(stage=task(a).stage, region_code=KEL, as_of=JUNE[6])

    outcome = enter(b, Finding.SESUAI, JUNE[7], chosen=case.pair("B"))

    assert not outcome.changed
    ((column, message),) = messages(outcome)
    assert column == "PASLON_PILIHAN"
    assert "A" in message and "ditutup" in message and "KPU" in message
    assert (task(a).result, task(b).result) == ("MS", "PENDING")
    assert not Choice.objects.exists()
    assert_one_pair(case.election)


def test_the_kpu_moves_a_closed_ms_by_correcting_it_with_the_choice(case, late):
    a, b = late
    area_close(stage=task(a).stage, region_code=KEL, as_of=JUNE[6])

    outcome = enter(
        a, Finding.SESUAI, JUNE[7], chosen=case.pair("B"),
        source=Record.Source.CORRECTION, reason="Pendukung memilih pasangan B.",
    )  # fmt: skip

    assert outcome.changed, outcome.errors
    assert (task(a).result, task(a).note) == ("TMS", "CHOSE_OTHER")
    assert task(b).result == "MS"
    assert_one_pair(case.election)


# --- random sequences ---------------------------------------------------------------------------

PEOPLE = ("d1", "d2", "late")
PAIRS = ("A", "B")
AREAS = (KEL, KEL2, KEC, KABKOTA, PROVINCE)
FINDINGS = (
    Finding.SESUAI,
    Finding.TOLAK,
    Finding.TOLAK_TTD,
    Finding.TIDAK_DITEMUI,
    Finding.MENINGGAL,
    Finding.PINDAH,
)
# Half the entries find what leaves a supporter counted (SESUAI; TOLAK unsigned): the findings
# the rule is about. Half name no pair: the choice must survive them.
FINDING = st.one_of(st.sampled_from((Finding.SESUAI, Finding.TOLAK)), st.sampled_from(FINDINGS))
CHOSEN = st.one_of(st.none(), st.sampled_from(PAIRS))


class OnePair(RuleBasedStateMachine):
    """Two pairs' stages over three people: d1 (Gambir) and d2 (Cideng) listed by both pairs,
    `late` handed to A's stage before B listed them. A's stage is open from the start; B's
    starts at the beginning or at any step (a choice made before it reaches its tasks). Each
    example runs in a savepoint that is rolled back, over the world the fixture built once."""

    world: dict

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.sheets = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # helpers

    def _task(self, pair: str, person: str) -> Task | None:
        """The pair's task of the person (None: B's stage has not started)."""
        return (
            Task.objects.select_related("stage__pair__election")
            .filter(pair_id=self.world["pairs"][pair], nik_hash=self.world["hashes"][person])
            .first()
        )

    def _stage(self, pair: str) -> Stage | None:
        return (
            Stage.objects.select_related("pair__election")
            .filter(pair_id=self.world["pairs"][pair])
            .first()
        )

    def _entry(self, finding: str, chosen: str | None, day: int, brought: bool) -> Entry:
        return Entry(
            finding=finding,
            method=Method.DIHADIRKAN if brought else Method.KUNJUNGAN,
            visited_on=JUNE[day],
            deceased_on=JUNE[1] if finding == Finding.MENINGGAL else None,
            chosen_pair_id=self.world["pairs"][chosen] if chosen else None,
        )

    # steps

    @initialize(now=st.booleans())
    def b_starts_now(self, now):
        if now:
            self.b_starts()

    @rule()
    def b_starts(self):
        stage_start(pair=Pair.objects.get(pk=self.world["pairs"]["B"]), opens=OPENS)

    @rule(
        pair=st.sampled_from(PAIRS),
        person=st.sampled_from(PEOPLE),
        finding=FINDING,
        chosen=CHOSEN,
        day=st.sampled_from((3, 5, 12)),
        brought=st.sampled_from((False, False, True)),  # DIHADIRKAN, once in three
    )
    def form_entry(self, pair, person, finding, chosen, day, brought):
        entry = self._entry(finding, chosen, day, brought)
        if target := self._task(pair, person):
            record_entry(task=target, entry=entry, today=TODAY, by=self.world["kpu"])

    @rule(
        pair=st.sampled_from(PAIRS),
        person=st.sampled_from(PEOPLE),
        finding=FINDING,
        chosen=CHOSEN,
        day=st.sampled_from((3, 5, 12)),
    )
    def sheet_entry(self, pair, person, finding, chosen, day):
        row = sheet_row(
            self.world["niks"][person],
            finding,
            JUNE[day].strftime("%d-%m-%Y"),
            chosen=str(self.world["pairs"][chosen]) if chosen else "",
            deceased="01-06-2024" if finding == Finding.MENINGGAL else "",
        )
        self.sheets += 1
        data = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
        sheet_apply(
            Pair.objects.get(pk=self.world["pairs"][pair]),
            data.encode(),
            name=f"lembar-{self.sheets}.csv",
            by=self.world["kpu"],
        )

    @rule(
        pair=st.sampled_from(PAIRS),
        person=st.sampled_from(PEOPLE),
        finding=FINDING,
        chosen=CHOSEN,
        day=st.sampled_from((3, 5, 12)),
    )
    def correction(self, pair, person, finding, chosen, day):
        if (target := self._task(pair, person)) is None:
            return
        record_entry(
            task=target,
            entry=self._entry(finding, chosen, day, False),
            source=Record.Source.CORRECTION,
            reason="Koreksi KPU atas berita acara PPS.",
            today=TODAY,
            by=self.world["kpu"],
        )

    @rule(
        pair=st.sampled_from(PAIRS),
        person=st.sampled_from(PEOPLE),
        finding=FINDING,
        chosen=CHOSEN,
    )
    def advice_accepted(self, pair, person, finding, chosen):
        if (target := self._task(pair, person)) is None:
            return
        with contextlib.suppress(ValidationError):  # closed, or the correction refused
            advice = advice_create(
                stage=target.stage,
                target=Advice.Target.SUPPORTER,
                task=target,
                text="Hasil pendukung ini perlu diperbaiki.",
            )
            advice_answer(
                advice=advice,
                accept=True,
                answer="Diterima, hasil dikoreksi.",
                correction=self._entry(finding, chosen, 4, False),
            )

    @rule(pair=st.sampled_from(PAIRS), person=st.sampled_from(PEOPLE))
    def attestation(self, pair, person):
        if target := self._task(pair, person):
            attest_denial(task=target, by=self.world["pkd"], statement="Disaksikan PKD.")

    @rule(
        pair=st.sampled_from(PAIRS),
        action=st.sampled_from(("close", "close_all", "reopen")),
        area=st.sampled_from(AREAS),
        as_of=st.sampled_from((10, 20)),
    )
    def closing(self, pair, action, area, as_of):
        """close: the area, if it is ready (as of 10 June, or 20 June: bring-in time over).
        close_all: every level of the stage, after its window. reopen: the area, after
        whatever is closed above it (top down, each by the level above it)."""
        if (stage := self._stage(pair)) is None:
            return
        with contextlib.suppress(ValidationError):  # not ready, or an advice unanswered
            if action == "close":
                area_close(stage=stage, region_code=area, as_of=JUNE[as_of])
            elif action == "close_all":
                close_all(stage, as_of=JUNE[20])
        if action == "reopen":
            parts = area.split(".")
            closed = active_closures(stage)
            for depth in range(1, len(parts) + 1):
                code = ".".join(parts[:depth])
                if code in closed:
                    area_reopen(stage=self._stage(pair), region_code=code, reason="Dibuka lagi.")

    @rule(pair=st.sampled_from(PAIRS), person=st.sampled_from(PEOPLE))
    def objection_confirmed(self, pair, person):
        if target := self._task(pair, person):
            tasks_strike(supporter_ids=[target.supporter_id], reason="Tanggapan terbukti.")

    @invariant()
    def one_pair(self):
        assert_one_pair(self.world["election"])


@pytest.fixture
def two_stages(case):
    """The machine's world: d1 (Gambir) and d2 (Cideng) listed by A and B; `late` listed by A,
    handed to A's stage (opened 1 June), then listed by B; both pairs verified, B's stage not
    started."""
    niks = {person: make_nik() for person in PEOPLE}
    a_upload, b_upload = case.upload("A"), case.upload("B")
    for person, kelurahan in (("d1", KEL), ("d2", KEL2)):
        case.supporter(niks[person], kelurahan_id=kelurahan, upload=a_upload)
        case.supporter(niks[person], kelurahan_id=kelurahan, upload=b_upload)
    case.supporter(niks["late"], upload=a_upload)
    a_stage = started(case.pair("A"))
    case.supporter(niks["late"], upload=case.upload("B"))
    verify(case.pair("B"))
    doubles = Task.objects.filter(stage=a_stage, double=True).values_list("nik_hash", flat=True)
    assert {bytes(h) for h in doubles} == {nik_hash(niks["d1"]), nik_hash(niks["d2"])}
    return {
        "election": case.election,
        "niks": niks,
        "hashes": {person: nik_hash(nik) for person, nik in niks.items()},
        "pairs": {name: case.pair(name).pk for name in PAIRS},
        "kpu": kpu(PROVINCE, username="kpu_dki"),
        "pkd": pkd(KEL),
    }


def test_no_sequence_leaves_a_nik_ms_for_two_pairs(two_stages):
    OnePair.world = two_stages
    run_state_machine_as_test(
        OnePair,
        settings=settings(
            max_examples=60,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
