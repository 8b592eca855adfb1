"""The area table offers "close" exactly when area_close would accept (issue 20 item 4): both
ask closing.close_refusal. For random states of the kelurahan (nothing recorded, confirmed,
denied, not met on some day, already TMS), random open advice and a random day, each row of
the table is compared with what area_close does to that area (tried in a savepoint, undone)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electorate.areas import code_depth
from fieldwork.closing import area_close
from fieldwork.models import Advice, Finding, Result, Task
from fieldwork.selectors import area_table
from tests.fieldwork.field import KEL2, kpu, ms, started
from tests.verification.case import KEL, KEL_UTARA

JUNE = {day: dt.date(2024, 6, day) for day in range(1, 31)}

# What a task can hold, as closing reads it: (finding, result, not_met_on day).
TASK_STATES = st.sampled_from(
    [
        ("", Result.PENDING, None),
        (Finding.SESUAI, Result.MS, None),
        (Finding.TOLAK_TTD, Result.TMS, None),
        *((Finding.TIDAK_DITEMUI, Result.PENDING, day) for day in (1, 2, 3, 4, 5, 6)),
        (Finding.TIDAK_DITEMUI, Result.TMS, 1),  # expired already
    ]
)


class Undo(Exception):
    pass


def _accepts(stage, code: str, on: dt.date) -> bool:
    try:
        with transaction.atomic():
            area_close(stage=stage, region_code=code, as_of=on)
            raise Undo
    except Undo:
        return True
    except ValidationError:
        return False


@pytest.fixture
def field(case):
    ms(case, 2, kelurahan=KEL)
    ms(case, 2, kelurahan=KEL2)
    ms(case, 1, kelurahan=KEL_UTARA)
    stage = started(case.pair("A"))
    tasks = list(Task.objects.filter(stage=stage).order_by("pk"))
    return stage, tasks, kpu("31", username="kpu_dki")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    states=st.lists(TASK_STATES, min_size=5, max_size=5),
    closed_first=st.sets(st.sampled_from([KEL, KEL2, KEL_UTARA])),
    advice_in=st.sampled_from(["", KEL, KEL2, KEL_UTARA, "31.71.01"]),
    day=st.integers(min_value=2, max_value=10),
)
def test_the_table_offers_close_exactly_when_area_close_accepts(
    field, states, closed_first, advice_in, day
):
    stage, tasks, user = field
    on = JUNE[day]
    with contextlib.suppress(Undo), transaction.atomic():
        for task, (finding, result, not_met) in zip(tasks, states, strict=True):
            Task.objects.filter(pk=task.pk).update(
                finding=finding, result=result, not_met_on=not_met and JUNE[not_met]
            )
        if advice_in:
            Advice.objects.create(
                stage=stage, region_code=advice_in, target=Advice.Target.AREA, text="cek"
            )
        for code in sorted(closed_first):
            with contextlib.suppress(ValidationError):
                area_close(stage=stage, region_code=code, as_of=on)
        table = area_table(user=user, stage=stage, scope="31", as_of=on)
        for row in table.rows:
            if row["closure"] is not None:
                assert not row["may_close"]
                continue
            assert row["may_close"] == _accepts(stage, row["code"], on), (
                row["code"],
                code_depth(row["code"]),
            )
        raise Undo  # every example starts from the fixture's stage
