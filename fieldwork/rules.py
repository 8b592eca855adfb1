"""The rules of factual verification (docs/domain.md step 5) as pure functions: what a finding
means for the supporter (the findings table, fieldwork.findings), and which dates an entry may
carry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from fieldwork import findings
from fieldwork.findings import NOTES  # noqa: F401 (the notes' one name for their readers)
from fieldwork.models import Result


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
    kind = findings.kind_of(state.finding)
    if kind is None:  # nothing recorded
        if closing_on is not None:
            return Result.TMS, "UNRECORDED_EXPIRED"
        return Result.PENDING, "UNRECORDED"
    if kind.attested is not None and state.attested:
        return kind.attested[0], kind.attested[1]
    expired = (
        kind.expired is not None
        and closing_on is not None
        and state.not_met_on is not None
        and not bring_in_open(state.not_met_on, bring_in_days, on=closing_on)
    )
    if expired:
        return kind.expired[0], kind.expired[1]
    return kind.result, kind.note


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


def bring_in_open(not_met_on: dt.date | None, bring_in_days: int, *, on: dt.date) -> bool:
    """The team may still bring the supporter in on `on`: its deadline is that day or later.
    The one test of "still waiting" (closing a kelurahan, the results, the notifications)."""
    deadline = bring_in_deadline(not_met_on, bring_in_days)
    return deadline is not None and deadline >= on


def bring_in_over(bring_in_days: int, *, on: dt.date) -> Q:
    """bring_in_open's converse for the database: a not-met record whose time is over on `on`
    (not met on or before `on` - bring_in_days - 1)."""
    return Q(not_met_on__lte=on - dt.timedelta(days=bring_in_days + 1))


def window_closes(opens: dt.date, days: int) -> dt.date:
    """A window of `days` calendar days, both ends included: 14 days from 1 June end 14 June."""
    return opens + dt.timedelta(days=days - 1)


def method_allowed(method: str, finding: str) -> bool:
    kind = findings.kind_of(finding)
    return kind is None or method in kind.methods
