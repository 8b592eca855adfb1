"""The findings of factual verification, one entry each: what the PPS found (the HASIL column of
a sheet, Task.finding), what it means for the supporter and what an entry with it must carry.

Everything that knows about findings reads this table: the model's and the forms' choices, the
result of a task (rules.result_for), the notes shown to the teams and printed in the minutes,
the checks of an entry (entries.entry_errors: allowed methods, required columns), the sheets'
columns, the pages (counts by finding, the sheet's help) and the phone form's JavaScript (which
column each finding takes: a data attribute on the field). A new finding is one entry here;
tests/fieldwork/test_findings.py adds one in the test alone and follows it end to end.

Results and methods are plain strings here ("MS", "KUNJUNGAN"): fieldwork.models builds its
choices from this module, so it imports nothing of the app.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MS, TMS, PENDING = "MS", "TMS", "PENDING"
# The methods in the order the law tries them (docs/domain.md step 5), then the team's bring-in:
# DIHADIRKAN, a supporter not met brought to the PPS office by the team.
METHODS = ("KUNJUNGAN", "KUMPUL", "VIDEO_CALL", "VIDEO", "DIHADIRKAN")
BRING_IN = "DIHADIRKAN"
NOT_BROUGHT_IN = frozenset(METHODS) - {BRING_IN}


@dataclass(frozen=True)
class FindingKind:
    code: str  # the value stored and typed in a sheet's HASIL column
    label: str | Promise  # the choice's label
    result: str  # what the finding makes the supporter (MS, TMS, PENDING)
    note: str  # why (a key of NOTES), with its label
    note_label: str | Promise
    hint: str | Promise = ""  # the sheet's help beside the code ("membenarkan")
    methods: frozenset[str] = frozenset(METHODS)  # DIHADIRKAN: only for those met at the office
    columns: tuple[str, ...] = ()  # sheet columns the entry must fill (only these findings may)
    # A PKD may attest that the supporter denied without signing: the result it then takes.
    attested: tuple[str, str, str | Promise] | None = None  # (result, note, note label)
    # Not met: the team may bring the supporter in within the election's bring-in days; closing
    # after that makes this (result, note, note label).
    expired: tuple[str, str, str | Promise] | None = None


FINDINGS: dict[str, FindingKind] = {
    kind.code: kind
    for kind in (
        FindingKind(
            "SESUAI",
            _("Ditemui, membenarkan dukungan"),
            MS,
            "CONFIRMED",
            _("Ditemui dan membenarkan dukungan"),
            hint=_("membenarkan"),
        ),
        FindingKind(
            "TOLAK_TTD",
            _("Menolak dan menandatangani surat pernyataan"),
            TMS,
            "DENIED_SIGNED",
            _("Menolak memberikan dukungan (menandatangani surat pernyataan)"),
            hint=_("menolak dan menandatangani surat pernyataan"),
        ),
        FindingKind(
            "TOLAK",
            _("Menolak tetapi tidak mau menandatangani"),
            MS,
            "DENIED",
            _("Menolak memberikan dukungan, tidak menandatangani: tetap MS"),
            hint=_("menolak tanpa tanda tangan"),
            attested=(
                TMS,
                "DENIED_ATTESTED",
                _("Menolak memberikan dukungan (penolakan disaksikan pengawas)"),
            ),
        ),
        FindingKind(
            "TIDAK_DITEMUI",
            _("Tidak ditemui"),
            PENDING,
            "NOT_MET",
            _("Tidak ditemui; dapat dihadirkan ke kantor PPS"),
            methods=NOT_BROUGHT_IN,
            expired=(
                TMS,
                "NOT_MET_EXPIRED",
                _("Tidak ditemui dan tidak dihadirkan dalam batas waktu"),
            ),
        ),
        FindingKind(
            "MENINGGAL",
            _("Meninggal dunia"),
            TMS,
            "DECEASED",
            _("Meninggal dunia"),
            methods=NOT_BROUGHT_IN,
            columns=("TANGGAL_MENINGGAL",),
        ),
        FindingKind(
            "PINDAH",
            _("Pindah ke luar wilayah pemilihan"),
            TMS,
            "MOVED",
            _("Pindah ke luar wilayah pemilihan"),
            methods=NOT_BROUGHT_IN,
        ),
    )
}

# Why a task ended where it did without a finding deciding it.
OTHER_NOTES = {
    "CHOSE_OTHER": _("Pendukung ganda memilih bakal pasangan calon lain"),
    "PUBLIC_OBJECTION": _("Tanggapan masyarakat terbukti: NIK dicatut tanpa persetujuan"),
    "UNRECORDED": _("Belum diverifikasi"),
    "UNRECORDED_EXPIRED": _("Tidak diverifikasi sampai masa verifikasi berakhir"),
}


def kinds() -> list[FindingKind]:
    return list(FINDINGS.values())


def codes() -> list[str]:
    return list(FINDINGS)


def kind_of(code: str) -> FindingKind | None:
    return FINDINGS.get(code)


def finding_choices() -> list[tuple[str, str | Promise]]:
    """Task.finding's and the forms' choices (read when asked: the table is the truth)."""
    return [(k.code, k.label) for k in FINDINGS.values()]


def label(code: str) -> str:
    kind = FINDINGS.get(code)
    return str(kind.label) if kind else str(code)


def attestable(code: str) -> bool:
    kind = FINDINGS.get(code)
    return kind is not None and kind.attested is not None


def starts_bring_in(code: str) -> bool:
    """Not met: the bring-in clock starts (the team may bring the supporter to the office)."""
    kind = FINDINGS.get(code)
    return kind is not None and kind.expired is not None


def not_met_codes() -> list[str]:
    return [k.code for k in FINDINGS.values() if k.expired is not None]


def brought_in_codes() -> list[str]:
    """The findings a supporter brought to the PPS office can have: they are there, so met."""
    return [k.code for k in FINDINGS.values() if BRING_IN in k.methods]


def column_findings(column: str) -> list[str]:
    """The findings whose entries fill this sheet column (TANGGAL_MENINGGAL: MENINGGAL)."""
    return [k.code for k in FINDINGS.values() if column in k.columns]


def finding_columns() -> tuple[str, ...]:
    """Every sheet column some finding requires (all of them dates)."""
    return tuple(dict.fromkeys(c for k in FINDINGS.values() for c in k.columns))


def codes_text(values: list[str]) -> str:
    """ "SESUAI, TOLAK_TTD atau TOLAK": a list of codes in a sentence."""
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} {_('atau')} {values[-1]}"


class _Notes(Mapping):
    """Every note with its label, read from the table when asked: the findings' notes in the
    table's order, then the others (documents.figures prints them in this order)."""

    def _all(self) -> dict[str, str | Promise]:
        notes: dict[str, str | Promise] = {}
        for kind in FINDINGS.values():
            notes[kind.note] = kind.note_label
            for extra in (kind.attested, kind.expired):
                if extra is not None:
                    notes[extra[1]] = extra[2]
        return {**notes, **OTHER_NOTES}

    def __getitem__(self, key: str) -> str | Promise:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


NOTES: Mapping[str, str | Promise] = _Notes()


def note_label(note: str) -> str:
    return str(NOTES.get(note, ""))
