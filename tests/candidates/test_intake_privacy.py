"""No NIK in any message: a NIK typed into a wrong column, with spaces, dots or dashes, never
comes back in an error text, a log line, a task result or a stored error; nor in the upload's
stored pre-check report (candidates.precheck)."""

from __future__ import annotations

import logging
import re

from candidates.tasks import support_upload_task
from tests.factories import csv_bytes, good_row, make_nik

SEPARATED = ("{} {} {} {}", "{}.{}.{}.{}", "{}-{}-{}-{}", "{}/{}/{}/{}", "{}_{}_{}_{}")


def _written(nik: str, style: str) -> str:
    return style.format(nik[:4], nik[4:8], nik[8:12], nik[12:])


def test_a_nik_in_the_wrong_column_is_never_echoed(intake, caplog):
    niks = [make_nik() for _ in range(12)]
    columns = ["TANGGAL_LAHIR", "JENIS_KELAMIN", "STATUS_PERKAWINAN", "RT", "RW", "KODE_WILAYAH"]
    rows = []
    for i, nik in enumerate(niks):
        wrong = _written(nik, SEPARATED[i % len(SEPARATED)])
        rows.append(good_row(**{columns[i % len(columns)]: wrong}))
    rows.append(good_row(NIK=_written(make_nik(), "{} {} {} {}")))  # spaced in its own column
    caplog.set_level(logging.DEBUG)
    upload, _ = intake(csv_bytes(rows))
    result = support_upload_task.apply(args=[upload.pk]).get()  # a rerun: its result too
    assert upload.rejected >= len(niks)
    texts = [str(e) for e in upload.errors] + [upload.failure, str(result)]
    texts += [r.getMessage() for r in caplog.records]
    digits = [re.sub(r"\D", "", t) for t in texts]
    leaked = [nik for nik in niks if any(nik in d for d in digits)]
    assert not leaked
    # The messages still say what is wrong and where.
    assert {e["column"] for e in upload.errors} >= {"TANGGAL_LAHIR", "JENIS_KELAMIN", "RT"}


def _strings(value) -> list[str]:
    """Every text and number of a stored JSON value, one by one (no digits run together)."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def test_no_nik_in_the_stored_pre_check(intake, bekasi):
    """The pre-check's report (candidates.precheck) keeps row numbers, masked NIKs and short
    details: no NIK of the file, whichever warning its row drew, nor any in the errors."""
    from tests.candidates.test_upload_precheck import messy, team_csv

    earlier = make_nik()
    intake(csv_bytes([good_row(NIK=earlier)]), name="awal.csv")
    rows, niks = messy(earlier)
    upload, _ = intake(team_csv(rows), name="berantakan.csv")
    assert upload.precheck["flagged"] == 7  # every kind of warning was drawn
    everything = {r["NIK"] for r in rows if r["NIK"].isdigit()} | set(niks.values()) | {earlier}
    texts = _strings(upload.precheck) + _strings(upload.errors)
    digits = [re.sub(r"\D", "", t) for t in texts]
    assert not [nik for nik in everything if any(nik in d for d in digits)]
    # Nor the NIK's own birth-date digits (7-12) beside its mask: a row keeps no date.
    assert not any(nik[6:12] in d for nik in everything for d in digits if len(d) >= 6)
