"""No NIK in any message: a NIK typed into a wrong column, with spaces, dots or dashes, never
comes back in an error text, a log line, a task result or a stored error."""

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
