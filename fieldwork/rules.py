"""The rules of factual verification (docs/domain.md step 5) as pure functions: what a finding
means for the supporter, and which dates an entry may carry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fieldwork.models import Finding, Method, Result

# Why a task ended where it did: shown to the team (never the signed statement itself).
NOTES = {
    "CONFIRMED": _("Ditemui dan membenarkan dukungan"),
    "DENIED_SIGNED": _("Menolak memberikan dukungan (menandatangani surat pernyataan)"),
    "DENIED": _("Menolak memberikan dukungan, tidak menandatangani: tetap MS"),
    "DENIED_ATTESTED": _("Menolak memberikan dukungan (penolakan disaksikan pengawas)"),
    "NOT_MET": _("Tidak ditemui; dapat dihadirkan ke kantor PPS"),
    "NOT_MET_EXPIRED": _("Tidak ditemui dan tidak dihadirkan dalam batas waktu"),
    "DECEASED": _("Meninggal dunia"),
    "MOVED": _("Pindah ke luar wilayah pemilihan"),
    "CHOSE_OTHER": _("Pendukung ganda memilih bakal pasangan calon lain"),
    "PUBLIC_OBJECTION": _("Tanggapan masyarakat terbukti: NIK dicatut tanpa persetujuan"),
    "UNRECORDED": _("Belum diverifikasi"),
    "UNRECORDED_EXPIRED": _("Tidak diverifikasi sampai masa verifikasi berakhir"),
}

# Findings a supporter brought to the PPS office can have: they are there, so they were met.
BRING_IN_FINDINGS = frozenset({Finding.SESUAI, Finding.TOLAK_TTD, Finding.TOLAK})


@dataclass(frozen=True)
class State:
    """What decides a task's result."""

    pair_id: int
    finding: str = ""
    attested: bool = False
    double: bool = False
    chosen_pair_id: int | None = None
    not_met_on: dt.date | None = None
    struck: bool = False


def result_for(
    state: State, *, bring_in_days: int, closing_on: dt.date | None = None
) -> tuple[str, str]:
    """(Result, note). `closing_on`: the stage is being closed on that day, so a supporter not
    met whose bring-in time is over, or never visited, is final (TMS). A supporter struck off
    after a confirmed public objection is TMS whatever was found."""
    overriding = _overriding(state)
    if overriding is not None:
        return overriding
    finding = state.finding
    if finding == Finding.SESUAI:
        return Result.MS, "CONFIRMED"
    if finding == Finding.TOLAK_TTD:
        return Result.TMS, "DENIED_SIGNED"
    if finding == Finding.TOLAK:
        return (Result.TMS, "DENIED_ATTESTED") if state.attested else (Result.MS, "DENIED")
    if finding == Finding.MENINGGAL:
        return Result.TMS, "DECEASED"
    if finding == Finding.PINDAH:
        return Result.TMS, "MOVED"
    if finding == Finding.TIDAK_DITEMUI:
        deadline = bring_in_deadline(state.not_met_on, bring_in_days)
        if closing_on is not None and deadline is not None and closing_on > deadline:
            return Result.TMS, "NOT_MET_EXPIRED"
        return Result.PENDING, "NOT_MET"
    if closing_on is not None:
        return Result.TMS, "UNRECORDED_EXPIRED"
    return Result.PENDING, "UNRECORDED"


def _overriding(state: State) -> tuple[str, str] | None:
    """TMS whatever was found: struck off after a confirmed public objection, or a person who
    chose another pair. The choice is the person's, for the whole election (fieldwork.models.
    Choice), so it holds on every other pair's task, double-flagged or not: one MS for pair A
    before pair B listed them is struck when they choose B."""
    if state.struck:
        return Result.TMS, "PUBLIC_OBJECTION"
    if state.chosen_pair_id and state.chosen_pair_id != state.pair_id:
        return Result.TMS, "CHOSE_OTHER"
    return None


def choice_needed(state: State) -> bool:
    """A double supporter's entry must name the pair chosen (unless a choice is recorded) when,
    without one, it would leave them counted: confirmed (SESUAI), or denied without signing
    (TOLAK, MS until a supervisor attests). Otherwise every pair listing them could keep them."""
    unchosen = State(
        pair_id=state.pair_id,
        finding=state.finding,
        attested=state.attested,
        struck=state.struck,
        not_met_on=state.not_met_on,
    )
    return state.double and result_for(unchosen, bring_in_days=0)[0] == Result.MS


# A task still waiting for the PPS: nothing recorded and not already TMS without a visit (a
# double who chose another pair, a supporter struck off, one never visited in a closed stage).
# What the worklist's "belum diverifikasi", its count and the closing of a kelurahan go by.
TO_VISIT = Q(finding="") & ~Q(result=Result.TMS)


def bring_in_deadline(not_met_on: dt.date | None, bring_in_days: int) -> dt.date | None:
    """The last day the team may bring a supporter not met to the PPS office: calendar days
    from the not-met record (3 by default: met on the 10th, brought in by the 13th)."""
    return None if not_met_on is None else not_met_on + dt.timedelta(days=bring_in_days)


def window_closes(opens: dt.date, days: int) -> dt.date:
    """A window of `days` calendar days, both ends included: 14 days from 1 June end 14 June."""
    return opens + dt.timedelta(days=days - 1)


def method_allowed(method: str, finding: str) -> bool:
    if method == Method.DIHADIRKAN:
        return finding in BRING_IN_FINDINGS
    return True
