"""The team's own summary of its list per area (form B.2-KWK): a small CSV or XLSX, one row per
spread unit (KODE_WILAYAH, JUMLAH; a kelurahan's row is added to its unit), kept as the file
came and read at once. The count-and-spread check (candidates.submission) compares it with the
list's rows; the list's own count decides.
"""

from __future__ import annotations

import csv
import io
import re
from functools import partial
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.models import Election, Pair, Round, SupportSummary
from candidates.spread import Units, election_units, unit_label
from electorate.areas import code_normalize
from electorate.models import Region
from files.parsing import (
    COLUMNS,
    FieldError,
    columns_match,
    shown,
    table_open,
)
from files.uploads import ErrorLog, upload_keep, upload_open
from jobs.runner import Run, job_run

# A B.2-KWK lists a few dozen areas: a file above this is not one.
SUMMARY_MAX_BYTES = 1 << 20
SUMMARY_COLUMNS = ("KODE_WILAYAH", "JUMLAH")
SUMMARY_ALIASES = {
    "KODE_WILAYAH": (
        *COLUMNS["KODE_WILAYAH"],
        "KODE",
        "KODE KECAMATAN",
        "KODE KABUPATEN KOTA",
        "KODE KAB KOTA",
        "KODE KABUPATEN",
        "KODE KOTA",
    ),
    "JUMLAH": ("JUMLAH", "JUMLAH DUKUNGAN", "JUMLAH PENDUKUNG", "DUKUNGAN", "TOTAL"),
    "NAMA_WILAYAH": ("NAMA WILAYAH", "NAMA", "KECAMATAN", "KABUPATEN KOTA", "WILAYAH"),
}
COUNT_RE = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def area_code_normalize(value: Any) -> str:
    """'310101', '31.01.01', 3101 -> a dotted Kemendagri code ('' if not that shape)."""
    return code_normalize(value)


def parse_count(value: Any) -> int:
    """A number of supporters: 1234, '1234', '1.234' (Indonesian grouping) or '1,234'."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == int(value) and value >= 0:
            return int(value)
    else:
        text = str(value).strip().replace(" ", "")
        if text.isdigit():
            return int(text)
        if COUNT_RE.match(text):
            return int(re.sub(r"[.,]", "", text))
    raise FieldError(
        _(
            "JUMLAH '%(value)s' bukan bilangan bulat. Isi jumlah dukungan dengan angka saja, "
            "misalnya 1234 atau 1.234."
        )
        % {"value": shown(value, 20)}
    )


def _summary_read(
    fh: IO[bytes], *, name: str, election: Election, units: Units, errors: ErrorLog
) -> dict[str, int]:
    """{unit: declared} from a B.2-KWK file; every bad row to `errors` (row, column, fix)."""
    table = table_open(fh, name=name, row_error=errors.add)
    cols = columns_match(
        table.header, SUMMARY_COLUMNS, optional=("NAMA_WILAYAH",), aliases=SUMMARY_ALIASES
    )
    i_code, i_count = cols["KODE_WILAYAH"], cols["JUMLAH"]
    known = {election.region_id} | set(
        Region.objects.filter(code__startswith=election.region_id + ".").values_list(
            "code", flat=True
        )
    )
    level = unit_label(units)
    declared: dict[str, int] = {}
    seen: dict[str, int] = {}
    for number, cells in table.rows():
        cells = cells + [""] * (max(i_code, i_count) + 1 - len(cells))
        if all(c is None or not str(c).strip() for c in cells):
            continue
        code = area_code_normalize(cells[i_code] if cells[i_code] is not None else "")
        problems = []
        if not code or code not in known:
            problems.append(
                (
                    "KODE_WILAYAH",
                    _(
                        "Kode wilayah '%(value)s' bukan %(level)s (atau kelurahan/desa) di "
                        "wilayah pemilihan ini. Isi kode Kemendagri, misalnya %(example)s."
                    )
                    % {
                        "value": shown(cells[i_code], 20),
                        "level": level,
                        "example": next(iter(units.names), election.region_id),
                    },
                )
            )
        elif len(code) < units.code_length:
            problems.append(
                (
                    "KODE_WILAYAH",
                    _(
                        "Kode %(code)s adalah wilayah di atas %(level)s: rinci jumlahnya per "
                        "%(level)s, satu baris untuk setiap %(level)s."
                    )
                    % {"code": code, "level": level},
                )
            )
        elif code in seen:
            problems.append(
                (
                    "KODE_WILAYAH",
                    _("Kode %(code)s sudah ada di baris %(row)s: tulis setiap wilayah sekali.")
                    % {"code": code, "row": seen[code]},
                )
            )
        try:
            count = parse_count(cells[i_count] if cells[i_count] is not None else "")
        except FieldError as exc:
            problems.append(("JUMLAH", exc.message))
        if problems:
            errors.add_row(number, problems)
            continue
        seen[code] = number
        unit = code[: units.code_length]
        declared[unit] = declared.get(unit, 0) + count
    return declared


def summary_submit(
    *,
    pair: Pair,
    round: int = Round.INITIAL,
    file: IO[bytes] | File,
    original_name: str,
    by: Any = None,
) -> SupportSummary:
    """Keep the team's B.2-KWK file as it came, then read it at once (a few dozen rows): the
    declared supporters per spread unit, every bad row with its row, column and fix (the good
    rows are kept). A file that cannot be read at all is kept as failed, with the reason. The
    same file again is the same summary."""
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
    if size > SUMMARY_MAX_BYTES:
        raise ValidationError(
            _(
                "Berkas rekapitulasi B.2-KWK terlalu besar (%(size)s bait): formulir ini "
                "berisi satu baris per %(level)s. Periksa apakah yang terpilih berkas daftar "
                "dukungan (B.1-KWK), yang diunggah di bagian atas halaman."
            )
            % {
                "size": f"{size:,}".replace(",", "."),
                "level": unit_label(election_units(pair.election)),
            }
        )
    with transaction.atomic():
        summary, created = upload_keep(
            SupportSummary,
            file=file,
            original_name=original_name,
            uploaded_by=by,
            scope={"pair": pair},
            fields={"round": round},
        )
        if summary.status == SupportSummary.Status.DONE:
            return summary
        load = partial(_summary_load, pair=pair, round=round, by=by)
        return job_run(SupportSummary, summary.pk, load)


def _summary_load(run: Run[SupportSummary], *, pair: Pair, round: int, by: Any) -> None:
    """The load step (jobs.runner): the declared counts, the summary's end and its audit event;
    a file that cannot be read fails the summary with its row-1 error."""
    summary = run.job
    errors = ErrorLog()
    with upload_open(summary) as fh:
        declared = _summary_read(
            fh, name=summary.original_name, election=pair.election,
            units=election_units(pair.election), errors=errors,
        )  # fmt: skip
    with transaction.atomic():
        run.done(
            declared=declared,
            rows_read=len(declared) + errors.count,
            accepted=len(declared),
            rejected=errors.count,
            errors=errors.items,
        )
        audit_record(
            "summary.submitted",
            actor=by,
            area=pair.election.region_id,
            target=summary,
            data={"pair": pair.pk, "round": round, "file": summary.original_name,
                  "sha256": summary.sha256, "declared": sum(declared.values()),
                  "rejected": errors.count},
        )  # fmt: skip


def summary_latest(*, pair: Pair, round: int = Round.INITIAL) -> SupportSummary | None:
    return (
        SupportSummary.objects.filter(pair=pair, round=round, status=SupportSummary.Status.DONE)
        .order_by("-pk")
        .first()
    )


def summary_csv(declared: dict[str, int]) -> bytes:
    """A B.2-KWK as the file the page and the command accept (for a summary typed in)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SUMMARY_COLUMNS)
    for code, n in sorted(declared.items()):
        writer.writerow([code, n])
    return out.getvalue().encode()
