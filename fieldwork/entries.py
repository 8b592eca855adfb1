"""An entry of what the PPS found, and everything that can be wrong with it, each problem with
its column (the sheet's name: forms and the API put it back on their fields). Which methods a
finding allows and which columns it needs are the findings table's (fieldwork.findings)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from candidates.models import Pair
from fieldwork import findings
from fieldwork.models import Method, Task
from fieldwork.rules import State, bring_in_deadline, choice_needed
from files.parsing import shown

COLUMNS = {
    "finding": "HASIL",
    "method": "METODE",
    "visited_on": "TANGGAL",
    "deceased_on": "TANGGAL_MENINGGAL",
    "chosen_pair_id": "PASLON_PILIHAN",
}
FIELD_OF_COLUMN = {column: name for name, column in COLUMNS.items()}
FIELDS = tuple(COLUMNS)


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


def _d(value: dt.date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def entry_errors(
    task: Task, entry: Entry, *, today: dt.date, recorded: int | None = None
) -> list[EntryError]:
    """Everything wrong with the entry for this task, each with its column (empty: none).
    `recorded`: the pair the person has chosen already (their Choice), if any."""
    errors: list[EntryError] = []

    def add(field_name: str, message: str) -> None:
        errors.append(EntryError(COLUMNS.get(field_name, ""), message))

    if findings.kind_of(entry.finding) is None:
        add(
            "finding",
            _("Kode hasil %(v)s tidak dikenal: gunakan %(codes)s.")
            % {
                "v": shown(entry.finding, 20) or _("(kosong)"),
                "codes": ", ".join(findings.codes()),
            },
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
    if not findings.starts_bring_in(task.finding) or task.not_met_on is None:
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
    """What the findings table asks of the entry: the methods its finding allows, the columns it
    must fill (and that no other finding may)."""
    errors: list[EntryError] = []
    kind = findings.kind_of(entry.finding)
    if kind is not None and entry.method in Method.values and entry.method not in kind.methods:
        errors.append(
            EntryError(
                COLUMNS["finding"],
                _("Pendukung yang dihadirkan hanya dapat %(codes)s.")
                % {"codes": findings.codes_text(findings.brought_in_codes())},
            )
        )
    for column in findings.finding_columns():
        errors.extend(_column_errors(kind, entry, column))
    errors.extend(_choice_errors(task, entry, recorded))
    return errors


# The entry's field for each column a finding may require, and what it is called in a message.
COLUMN_WORDS = {"TANGGAL_MENINGGAL": _lazy("tanggal meninggal")}


def _column_errors(kind, entry: Entry, column: str) -> list[EntryError]:
    value = getattr(entry, FIELD_OF_COLUMN[column])
    words = str(COLUMN_WORDS.get(column, column))
    if kind is not None and column in kind.columns:
        if value is None:
            return [
                EntryError(
                    column,
                    _("Isi %(what)s (dd-mm-yyyy) untuk hasil %(code)s.")
                    % {"what": words, "code": kind.code},
                )
            ]
        if entry.visited_on and value > entry.visited_on:
            return [
                EntryError(
                    column,
                    _("%(What)s %(d)s sesudah tanggal verifikasi.")
                    % {"What": words.capitalize(), "d": _d(value)},
                )
            ]
    elif value is not None:
        return [
            EntryError(
                column,
                _("%(What)s hanya diisi untuk hasil %(codes)s.")
                % {
                    "What": words.capitalize(),
                    "codes": findings.codes_text(findings.column_findings(column)),
                },
            )
        ]
    return []


def _choice_errors(task: Task, entry: Entry, recorded: int | None) -> list[EntryError]:
    column = COLUMNS["chosen_pair_id"]
    if entry.chosen_pair_id is None:
        state = State(
            pair_id=task.pair_id,
            finding=entry.finding,
            attested=task.attested and findings.attestable(entry.finding),
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
