"""Recording what the PPS found, one supporter at a time (the phone form, a paper sheet, a
correction, an accepted advice), and what follows from it: a double supporter's choice reaches
the other pairs' tasks, a PKD's attestation turns a denial without signature into TMS.

Every change is a Record holding the values set and those they replaced; a record that would
change nothing is not written, and an entry a phone sends twice (same client_id) counts once.

One person, one pair: a NIK is MS for at most one pair of an election (what "counts as MS"
means: fieldwork.persons). Every entry keeps it so:
1. The person's Choice (one per election and NIK) is the truth, and every task of the person
   carries it (chosen_pair_id). An entry that names no pair keeps the recorded choice; only an
   entry naming a pair changes it.
2. Every pair's task other than the chosen pair's is TMS (CHOSE_OTHER) whatever was found,
   double-flagged or not (rules.result_for).
3. While no choice is recorded, a double supporter's entry that would leave them counted
   (SESUAI; TOLAK unsigned) must name the pair chosen (rules.choice_needed).
4. A choice reaches every task of the person in the entry's transaction. A task in a closed
   kelurahan or stage takes the choice alone (the finding is not copied onto it), and only if
   its result stays what the closure counted: a choice that would change a closed result is
   refused, naming that pair and what to do (the KPU reopens the area, or corrects that
   pair's record with the choice: the correction is then the entry, and the open task follows
   it). Refused rather than written into the closed area because a closed area's counts are
   in signed minutes that only the level above reopens, never a PPS of another pair; and
   because the choice never half-applies, rule 1 holds after every entry.
5. After the entry and its choice are written, the person's pairs are counted
   (persons.ms_pairs); more than one rolls the whole entry back with a message naming the
   pairs. Rules 1-4 keep tasks from reaching it; it still refuses an MS while another
   pair's only record of the person is an administrative MS (that pair's field work not
   started), and it is the backstop for any path not foreseen.
An entry locks every task of the person (in id order), so that two entries for one person in
two pairs' kelurahan are applied one after the other. Nothing else raises a result: closing
turns what is still pending into TMS, an attestation turns an unsigned denial into TMS, a
confirmed objection strikes the task (strike.py), reopening changes no task, and a stage that
starts carries recorded choices to its new tasks (stages.stage_start). So the rule holds for
every sequence of these (tests/fieldwork/test_one_pair.py runs random ones).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.models import Pair
from electorate.parsing import shown
from fieldwork.counts import closures_refresh, kelurahan_closed
from fieldwork.models import Choice, Finding, Method, Record, Stage, Task
from fieldwork.persons import ms_pairs
from fieldwork.rules import (
    BRING_IN_FINDINGS,
    State,
    bring_in_deadline,
    choice_needed,
    result_for,
)
from fieldwork.standing import standing_follow, tasks_counted

COLUMNS = {
    "finding": "HASIL",
    "method": "METODE",
    "visited_on": "TANGGAL",
    "deceased_on": "TANGGAL_MENINGGAL",
    "chosen_pair_id": "PASLON_PILIHAN",
}
FIELDS = ("finding", "method", "visited_on", "deceased_on", "chosen_pair_id")


@dataclass(frozen=True)
class Entry:
    finding: str
    method: str
    visited_on: dt.date | None
    deceased_on: dt.date | None = None
    chosen_pair_id: int | None = None
    client_id: uuid.UUID | None = None


@dataclass
class EntryError:
    """One problem with an entry: the column it is about (the sheet's name) and what to do."""

    column: str
    message: str


@dataclass
class Outcome:
    task: Task
    changed: bool
    errors: list[EntryError] = field(default_factory=list)


class _Refused(Exception):
    """Raised inside an entry's savepoint to undo what it wrote (fieldwork's one-pair rule)."""

    def __init__(self, errors: list[EntryError]):
        super().__init__()
        self.errors = errors


def _d(value: dt.date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else ""


def entry_errors(
    task: Task, entry: Entry, *, today: dt.date, recorded: int | None = None
) -> list[EntryError]:
    """Everything wrong with the entry for this task, each with its column (empty: none).
    `recorded`: the pair the person has chosen already (their Choice), if any."""
    errors: list[EntryError] = []

    def add(field_name: str, message: str) -> None:
        errors.append(EntryError(COLUMNS.get(field_name, ""), message))

    if entry.finding not in Finding.values:
        add(
            "finding",
            _("Kode hasil %(v)s tidak dikenal: gunakan %(codes)s.")
            % {"v": shown(entry.finding, 20) or _("(kosong)"), "codes": ", ".join(Finding.values)},
        )
    if entry.method not in Method.values:
        add(
            "method",
            _("Kode metode %(v)s tidak dikenal: gunakan %(codes)s.")
            % {"v": shown(entry.method, 20) or _("(kosong)"), "codes": ", ".join(Method.values)},
        )
    if entry.visited_on is None:
        add("visited_on", _("Isi tanggal verifikasi (dd-mm-yyyy)."))
    elif entry.visited_on > today:
        add("visited_on", _("Tanggal %(d)s belum terjadi.") % {"d": _d(entry.visited_on)})
    elif entry.method == Method.DIHADIRKAN:
        errors.extend(_bring_in_errors(task, entry))
    else:
        stage = task.stage
        if not stage.opens <= entry.visited_on <= stage.closes:
            add(
                "visited_on",
                _(
                    "Tanggal %(d)s di luar masa verifikasi faktual (%(a)s s.d. %(b)s). Entri yang "
                    "terlambat hanya dapat diterima bila KPU membuka kembali masa verifikasi."
                )
                % {"d": _d(entry.visited_on), "a": _d(stage.opens), "b": _d(stage.closes)},
            )
    errors.extend(_finding_errors(task, entry, recorded))
    return errors


def _bring_in_errors(task: Task, entry: Entry) -> list[EntryError]:
    column = COLUMNS["visited_on"]
    if task.finding != Finding.TIDAK_DITEMUI or task.not_met_on is None:
        return [
            EntryError(
                COLUMNS["method"],
                _("DIHADIRKAN hanya untuk pendukung yang sebelumnya tercatat TIDAK_DITEMUI."),
            )
        ]
    deadline = bring_in_deadline(task.not_met_on, task.stage.pair.election.bring_in_days)
    if entry.visited_on < task.not_met_on:
        return [
            EntryError(
                column,
                _("Tanggal dihadirkan %(d)s sebelum tanggal tidak ditemui (%(n)s).")
                % {"d": _d(entry.visited_on), "n": _d(task.not_met_on)},
            )
        ]
    if deadline is not None and entry.visited_on > deadline:
        return [
            EntryError(
                column,
                _(
                    "Dihadirkan %(d)s, lewat batas %(days)s hari setelah tidak ditemui pada %(n)s "
                    "(batas %(b)s): pendukung ini TMS."
                )
                % {
                    "d": _d(entry.visited_on),
                    "days": task.stage.pair.election.bring_in_days,
                    "n": _d(task.not_met_on),
                    "b": _d(deadline),
                },
            )
        ]
    return []


def _finding_errors(task: Task, entry: Entry, recorded: int | None) -> list[EntryError]:
    errors: list[EntryError] = []
    bring_in = entry.method == Method.DIHADIRKAN and entry.finding in Finding.values
    if bring_in and entry.finding not in BRING_IN_FINDINGS:
        errors.append(
            EntryError(
                COLUMNS["finding"],
                _("Pendukung yang dihadirkan hanya dapat SESUAI, TOLAK_TTD atau TOLAK."),
            )
        )
    if entry.finding == Finding.MENINGGAL:
        if entry.deceased_on is None:
            errors.append(
                EntryError(
                    COLUMNS["deceased_on"],
                    _("Isi tanggal meninggal (dd-mm-yyyy) untuk hasil MENINGGAL."),
                )
            )
        elif entry.visited_on and entry.deceased_on > entry.visited_on:
            errors.append(
                EntryError(
                    COLUMNS["deceased_on"],
                    _("Tanggal meninggal %(d)s sesudah tanggal verifikasi.")
                    % {"d": _d(entry.deceased_on)},
                )
            )
    elif entry.deceased_on is not None:
        errors.append(
            EntryError(
                COLUMNS["deceased_on"], _("Tanggal meninggal hanya diisi untuk hasil MENINGGAL.")
            )
        )
    errors.extend(_choice_errors(task, entry, recorded))
    return errors


def _choice_errors(task: Task, entry: Entry, recorded: int | None) -> list[EntryError]:
    column = COLUMNS["chosen_pair_id"]
    if entry.chosen_pair_id is None:
        state = State(
            pair_id=task.pair_id,
            finding=entry.finding,
            attested=task.attested and entry.finding == Finding.TOLAK,
            double=task.double,
            struck=task.struck,
        )
        if recorded is None and choice_needed(state):
            return [
                EntryError(
                    column,
                    _(
                        "Pendukung ini terdaftar juga pada bakal pasangan calon lain: isi id "
                        "pasangan yang dipilihnya."
                    ),
                )
            ]
        return []
    if not task.double:
        return [
            EntryError(
                column,
                _(
                    "Pasangan pilihan hanya diisi untuk pendukung ganda (terdaftar pada "
                    "pasangan lain)."
                ),
            )
        ]
    election_id = task.stage.pair.election_id
    if not Pair.objects.filter(pk=entry.chosen_pair_id, election_id=election_id).exists():
        return [
            EntryError(
                column,
                _("Bakal pasangan calon %(id)s tidak ada pada pemilihan ini.")
                % {"id": entry.chosen_pair_id},
            )
        ]
    return []


def _state(task: Task) -> State:
    return State(
        pair_id=task.pair_id,
        finding=task.finding,
        attested=task.attested,
        double=task.double,
        chosen_pair_id=task.chosen_pair_id,
        not_met_on=task.not_met_on,
        struck=task.struck,
    )


def task_snapshot(task: Task) -> dict:
    return {
        "finding": task.finding,
        "method": task.method,
        "visited_on": task.visited_on.isoformat() if task.visited_on else None,
        "deceased_on": task.deceased_on.isoformat() if task.deceased_on else None,
        "chosen_pair_id": task.chosen_pair_id,
        "attested": task.attested,
        "struck": task.struck,
        "result": task.result,
    }


def task_apply(task: Task, values: dict, *, closing_on: dt.date | None = None) -> None:
    """Set the values on the task, then its result. TIDAK_DITEMUI starts the bring-in clock;
    a new finding other than a denial drops an attestation that no longer applies."""
    for name, value in values.items():
        setattr(task, name, value)
    if values.get("finding") == Finding.TIDAK_DITEMUI and values.get("method") != Method.DIHADIRKAN:
        task.not_met_on = values["visited_on"]
    if task.finding != Finding.TOLAK:
        task.attested = False
    election = task.stage.pair.election
    task.result, task.note = result_for(
        _state(task), bring_in_days=election.bring_in_days, closing_on=closing_on
    )
    task.version += 1


def record_write(task: Task, before: dict, *, source: str, by, **extra) -> Record:
    after = task_snapshot(task)
    values = {k: v for k, v in after.items() if before.get(k) != v}
    task.save()
    record = Record.objects.create(
        task=task,
        by=by,
        source=source,
        values=values,
        before={k: before.get(k) for k in values},
        **extra,
    )
    audit_record(
        "verfak.recorded",
        actor=by,
        area=task.kelurahan_code,
        chain=task.kelurahan_code,  # a chain per kelurahan: officers do not queue on one lock
        target=task,
        data={"source": source, "record": record.pk, "values": values,
              "before": record.before, "reason": extra.get("reason", "")},
    )  # fmt: skip
    return record


def record_entry(
    *,
    task: Task,
    entry: Entry,
    by=None,
    source: str = Record.Source.FORM,
    today: dt.date | None = None,
    reason: str = "",
    sheet=None,
    advice=None,
) -> Outcome:
    """Check the entry and, if it is sound and changes something, record it. A closed kelurahan
    takes only a correction (source CORRECTION, with a reason: the KPU kab/kota's), while its
    kab/kota is still open; the closed counts above it are then brought up to date."""
    today = today or timezone.localdate()
    if entry.client_id and Record.objects.filter(client_id=entry.client_id).exists():
        return Outcome(task=Task.objects.get(pk=task.pk), changed=False)
    with transaction.atomic():
        task, others = _person_lock(task)
        recorded = _recorded_choice(task)
        problems = _closed_errors(task, source=source, reason=reason)
        problems += entry_errors(task, entry, today=today, recorded=recorded)
        if problems:
            return Outcome(task=task, changed=False, errors=problems)
        if source in (Record.Source.FORM, Record.Source.SHEET) and _repeats_not_met(task, entry):
            return Outcome(task=task, changed=False)
        values = {name: getattr(entry, name) for name in FIELDS}
        if entry.chosen_pair_id is None:
            values["chosen_pair_id"] = recorded  # no pair named: the recorded choice holds
        before = task_snapshot(task)
        counted = tasks_counted([task, *others]) if entry.chosen_pair_id is not None else {}
        task_apply(task, values)
        if task_snapshot(task) == before:
            return Outcome(task=task, changed=False)
        try:
            with transaction.atomic():
                record = record_write(
                    task,
                    before,
                    source=source,
                    by=by,
                    reason=reason,
                    client_id=entry.client_id,
                    sheet=sheet,
                    advice=advice,
                )
                if entry.chosen_pair_id is not None:
                    choice_record(task, record, others)
                    standing_follow(tasks=[task, *others], before=counted)
                _one_pair_check(task)
        except IntegrityError:  # the same phone entry, arriving twice at the same moment
            return Outcome(task=Task.objects.get(pk=task.pk), changed=False)
        except _Refused as refused:  # everything the entry wrote is undone
            task = Task.objects.select_related("stage__pair__election").get(pk=task.pk)
            return Outcome(task=task, changed=False, errors=refused.errors)
        if source in (Record.Source.CORRECTION, Record.Source.ADVICE):
            closures_refresh(task.stage, task.kelurahan_code)
    return Outcome(task=task, changed=True)


def _person_lock(task: Task) -> tuple[Task, list[Task]]:
    """Lock every task of the person, in id order: (the entry's task, the person's other tasks
    in the same election). The task rows alone (`of`): FOR UPDATE over the join also locked the
    stage, pair and election rows, so that every officer's entry of a stage waited for the one
    before it (bench-load: 10.6 sessions waiting on the stage row, p95 6.7 s). Another entry
    for the same person, in any pair, waits here; a closing locks its area's tasks in the same
    order, and the closure is read after the lock (_closed_errors)."""
    locked = Task.objects.select_for_update(of=("self",)).select_related("stage__pair__election")
    person = list(locked.filter(nik_hash=bytes(task.nik_hash)).order_by("pk"))
    own = next((t for t in person if t.pk == task.pk), None)
    if own is None:  # the hash keys were rotated since the caller read the task
        nik = Task.objects.values_list("nik_hash", flat=True).get(pk=task.pk)
        person = list(locked.filter(nik_hash=bytes(nik)).order_by("pk"))
        own = next(t for t in person if t.pk == task.pk)
    election_id = own.stage.pair.election_id
    others = [t for t in person if t.pk != own.pk and t.stage.pair.election_id == election_id]
    return own, others


def _recorded_choice(task: Task) -> int | None:
    """The pair the person has chosen in this election, if any (their Choice)."""
    return (
        Choice.objects.filter(
            election_id=task.stage.pair.election_id, nik_hash=bytes(task.nik_hash)
        )
        .values_list("pair_id", flat=True)
        .first()
    )


def _one_pair_check(task: Task) -> None:
    """The person counts as MS for one pair at most (rule 5 of the module docstring)."""
    nik = bytes(task.nik_hash)
    pairs = ms_pairs(election_id=task.stage.pair.election_id, nik_hashes=[nik]).get(nik, set())
    if len(pairs) <= 1:
        return
    names = Pair.objects.filter(pk__in=pairs).order_by("name").values_list("name", flat=True)
    raise _Refused(
        [
            EntryError(
                COLUMNS["chosen_pair_id"],
                _(
                    "Dengan entri ini pendukung memenuhi syarat untuk lebih dari satu bakal "
                    "pasangan calon (%(pairs)s), padahal satu pendukung hanya dihitung untuk "
                    "satu pasangan. Isi pasangan yang dipilihnya (PASLON_PILIHAN); bila hasilnya "
                    "pada pasangan lain sudah ditutup atau belum diverifikasi faktual, KPU "
                    "membuka kembali, mengoreksi atau memulai verifikasi faktual pasangan itu "
                    "dulu."
                )
                % {"pairs": ", ".join(names)},
            )
        ]
    )


def _repeats_not_met(task: Task, entry: Entry) -> bool:
    """The visit that did not meet a supporter since brought in: already recorded, not a newer
    finding (a sheet typed in later repeats it; applied, it would undo the bring-in)."""
    return (
        task.method == Method.DIHADIRKAN
        and entry.finding == Finding.TIDAK_DITEMUI
        and entry.method != Method.DIHADIRKAN
        and entry.visited_on == task.not_met_on
    )


def _closed_errors(task: Task, *, source: str, reason: str) -> list[EntryError]:
    stage = task.stage
    if stage.status == Stage.Status.CLOSED:
        return [EntryError("", _("Verifikasi faktual %(n)s sudah ditutup.") % {"n": stage.number})]
    if not kelurahan_closed(stage.pk, task.kelurahan_code):
        return []
    if source not in (Record.Source.CORRECTION, Record.Source.ADVICE):
        return [
            EntryError(
                "",
                _(
                    "Hasil kelurahan ini sudah ditutup oleh PPS: perubahan hanya melalui koreksi "
                    "KPU Kabupaten/Kota, dengan alasan."
                ),
            )
        ]
    if not reason.strip():
        return [EntryError("", _("Tuliskan alasan koreksi."))]
    kabkota = ".".join(task.kelurahan_code.split(".")[:2])
    if kelurahan_closed(stage.pk, kabkota):
        return [
            EntryError(
                "",
                _("Rekapitulasi kabupaten/kota sudah ditutup: buka kembali dulu untuk mengoreksi."),
            )
        ]
    return []


def choice_record(task: Task, record: Record, others: list[Task]) -> None:
    """The supporter chose a pair: kept for the election, and carried to the person's other
    tasks (locked by the caller), now and when their stage starts (stages.stage_start)."""
    choice, _created = Choice.objects.update_or_create(
        election_id=task.stage.pair.election_id,
        nik_hash=bytes(task.nik_hash),
        defaults={"pair_id": task.chosen_pair_id, "record": record},
    )
    choice_reach(choice, origin=task, tasks=others, by=record.by)


def choice_reach(choice: Choice, *, origin: Task, tasks: list[Task], by) -> None:
    """The choice onto these other tasks of the chooser: every one carries it; the chosen
    pair's, if open, follows the finding recorded with it (the origin's); the others become
    TMS (CHOSE_OTHER). A task in a closed kelurahan or stage takes the choice alone and only
    if its result stays as closed; otherwise the whole entry is refused (_Refused), naming the
    pair (rule 4 of the module docstring)."""
    values = {
        "finding": origin.finding,
        "method": origin.method,
        "visited_on": origin.visited_on,
        "deceased_on": origin.deceased_on,
        "not_met_on": origin.not_met_on,
    }
    refused: list[EntryError] = []
    for other in tasks:
        closed = _task_closed(other)
        change: dict = {"chosen_pair_id": choice.pair_id}
        if other.pair_id == choice.pair_id and not closed:
            change.update(values)
        before = task_snapshot(other)
        # In a closed area nothing is pending any more: as at its closing, those not met or
        # never visited are TMS.
        task_apply(other, change, closing_on=dt.date.max if closed else None)
        if closed and other.result != before["result"]:
            refused.append(_closed_choice_error(other))
        elif task_snapshot(other) != before:
            record_write(other, before, source=Record.Source.CHOICE, by=by)
    if refused:
        raise _Refused(refused)


def _task_closed(task: Task) -> bool:
    return task.stage.status == Stage.Status.CLOSED or kelurahan_closed(
        task.stage_id, task.kelurahan_code
    )


def _closed_choice_error(other: Task) -> EntryError:
    return EntryError(
        COLUMNS["chosen_pair_id"],
        _(
            "Hasil pendukung ini pada bakal pasangan calon %(pair)s (verifikasi faktual %(n)s) "
            "sudah ditutup, dan pilihan ini akan mengubahnya. Minta KPU membuka kembali "
            "wilayah itu lalu catat lagi, atau mengoreksi hasil pendukung ini pada pasangan "
            "%(pair)s dengan pasangan pilihannya."
        )
        % {"pair": other.stage.pair.name, "n": other.stage.number},
    )


def attest_denial(*, task: Task, by, statement: str) -> Outcome:
    """A PKD attests in writing that the supporter denied support without signing (TOLAK):
    the supporter becomes TMS (docs/domain.md step 5)."""
    statement = (statement or "").strip()
    with transaction.atomic():
        # The task row alone is locked (`of`): FOR UPDATE over the join also locked the stage,
        # pair and election rows, so that every officer's entry of a stage waited for the one
        # before it (bench-load: 10.6 sessions waiting on the stage row, p95 6.7 s). A closing
        # locks the area's tasks, and the closure is read after the lock (_closed_errors).
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("stage__pair__election")
            .get(pk=task.pk)
        )
        problems = _closed_errors(task, source=Record.Source.ATTESTATION, reason="")
        if task.finding != Finding.TOLAK:
            problems.append(
                EntryError(
                    "",
                    _(
                        "Kesaksian penolakan hanya untuk pendukung yang tercatat TOLAK (menolak "
                        "tanpa menandatangani)."
                    ),
                )
            )
        if not statement:
            problems.append(EntryError("", _("Tuliskan keterangan kesaksian penolakan.")))
        if problems:
            return Outcome(task=task, changed=False, errors=problems)
        if task.attested:
            return Outcome(task=task, changed=False)
        before = task_snapshot(task)
        task.attested = True
        task_apply(task, {})
        record_write(task, before, source=Record.Source.ATTESTATION, by=by, reason=statement)
    return Outcome(task=task, changed=True)
