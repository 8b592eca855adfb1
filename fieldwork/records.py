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
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Pair
from electorate.areas import KABKOTA, code_ancestor
from fieldwork import findings
from fieldwork.choices import Refused, choice_record
from fieldwork.counts import closures_refresh, kelurahan_closed
from fieldwork.entries import COLUMNS, FIELDS, Entry, EntryError, entry_errors
from fieldwork.ledger import record_write, task_apply, task_snapshot
from fieldwork.models import Choice, Method, Record, Stage, Task
from fieldwork.persons import ms_pairs
from fieldwork.standing import standing_follow, tasks_counted

__all__ = ["Entry", "EntryError", "Outcome", "attest_denial", "record_entry"]


@dataclass
class Outcome:
    task: Task
    changed: bool
    errors: list[EntryError] = field(default_factory=list)


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
        except Refused as refused:  # everything the entry wrote is undone
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
    raise Refused(
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
        and findings.starts_bring_in(entry.finding)
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
    kabkota = code_ancestor(task.kelurahan_code, KABKOTA)
    if kelurahan_closed(stage.pk, kabkota):
        return [
            EntryError(
                "",
                _("Rekapitulasi kabupaten/kota sudah ditutup: buka kembali dulu untuk mengoreksi."),
            )
        ]
    return []


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
        if not findings.attestable(task.finding):
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
