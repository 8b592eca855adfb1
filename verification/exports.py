"""The verification results as XLSX, to prepare the repair: written by a background job, kept
encrypted until its link expires, downloaded by whoever asked for it.

Why a job: DKI's 840,640 rows take about a minute to write, beyond any web request's timeout
(gunicorn's 30 s cut the old in-request export off). The life of an export (models.Export):
1. `verification.services.export_start` records it (the requester, the pair, the round and
   status filter of the results page) and enqueues `export_task` on commit.
2. `export_run` runs it as a leased job (jobs.runner: claimed by one worker, taken over once
   silent past its lease, failed with a message after an error): its load step counts the rows
   and writes the workbook into a nameless temporary file; every PROGRESS_EVERY rows it writes
   `rows_written`, which is also the heartbeat. On PostgreSQL the rows are read in one
   transaction (one snapshot, a streaming cursor) and the progress goes around it, so the page
   sees it.
3. The workbook is stored encrypted (files.vault, bound to the export), the export marked
   ready with `expires_at`; only the claimant still holding it may do that (a slow run taken
   over finds its claim gone and drops its file).
4. `export_open` streams the plaintext back, decrypted as it is read; `exports_purge` deletes
   the files whose link has expired (called by decisions.retention.retention_purge).

The workbook is streamed row by row (xlsxwriter's constant_memory mode keeps one row in
memory), NIK masked, reasons in Indonesian. Every cell is written as what it is, text as text:
a supporter named `=HYPERLINK("http://..";"Klik")` stays those characters, never a live formula
or link in the reader's Excel (xlsxwriter would otherwise turn a string starting with = into a
formula and one like a URL into a link).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import tempfile
from collections.abc import Callable
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.models import Pair, Round
from files.vault import vault_open, vault_store
from jobs.runner import JobFailed, Run, job_run
from verification.models import Export
from verification.placement import SUPERSEDED
from verification.rules import Outcome, reason_labels
from verification.selectors import results_visible, supporter_results

ROUND_LABELS = dict(Round.choices)
OUTCOME_LABELS = dict(Outcome.choices)
PROGRESS_EVERY = 20_000  # rows between progress writes (and heartbeats): about a second
# No string becomes a formula, a link or a number, whichever way it is written.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "remove_timezone": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
COLUMNS = (
    "nik_masked",
    "name",
    "round",
    "row_number",
    "sheet_page",
    "kelurahan_id",
    "place",
    "outcome",
    "superseded",
    "reasons",
)


def supporter_results_xlsx(
    *,
    pair: Pair,
    round: int | None = None,
    out: str | IO[bytes],
    rows: QuerySet | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the pair's results to `out` (a path or a binary file-like object): `rows` (a
    queryset of supporter_results, e.g. results_visible for a user), else every supporter of
    the pair's round. `progress(n)` is called every PROGRESS_EVERY rows. Returns the number of
    supporter rows written."""
    if rows is None:
        rows = supporter_results(pair=pair, round=round)
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet(_("Hasil verifikasi"))
    bold = workbook.add_format({"bold": True})
    header = [
        _("No."),
        _("NIK"),
        _("Nama"),
        _("Tahap"),
        _("Baris"),
        _("Halaman"),
        _("Kode wilayah (tertulis)"),
        _("Kode wilayah (dihitung)"),
        _("Status"),
        _("Keterangan status"),
        _("Alasan"),
    ]
    _cells_write(sheet, 0, header, bold)
    sheet.freeze_panes(1, 0)
    rounds = {k: str(v) for k, v in ROUND_LABELS.items()}
    outcomes = {k: str(v) for k, v in OUTCOME_LABELS.items()}
    unverified = _("Belum diverifikasi")
    reasons_text: dict[int, str] = {}  # a few dozen distinct combinations in a whole list
    n = 0
    superseded_text = _("Diganti data perbaikan (tidak dihitung lagi)")
    for n, (nik, name, rnd, row, page, kel, place, outcome, superseded, reasons) in enumerate(
        rows.values_list(*COLUMNS).iterator(chunk_size=5000), start=1
    ):
        bits = reasons or 0
        text = reasons_text.get(bits)
        if text is None:
            text = reasons_text[bits] = "; ".join(reason_labels(bits))
        _cells_write(
            sheet,
            n,
            (
                n,
                nik,
                name,
                rounds.get(rnd, str(rnd)),
                row,
                page,
                kel,
                place,
                SUPERSEDED if superseded else outcome or unverified,
                superseded_text if superseded else outcomes.get(outcome, ""),
                text,
            ),
        )
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    workbook.close()
    return n


def _cells_write(sheet, row: int, values, cell_format=None) -> None:
    """Numbers as numbers, everything else as a text cell (write_string): never a formula."""
    for column, value in enumerate(values):
        if isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, column, value, cell_format)
        elif value is None or value == "":
            sheet.write_blank(row, column, None, cell_format)
        else:
            sheet.write_string(row, column, str(value), cell_format)


# --- the job ----------------------------------------------------------------------------------


def export_rows(export: Export) -> QuerySet:
    """What the export holds: the results page's rows for the user who asked, with its filters."""
    return results_visible(
        user=export.requested_by, pair=export.pair, round=export.round, status=export.outcome
    )


def export_bound(export: Export) -> str:
    """What an export's encrypted file is bound to (files.vault): moved to another export's
    row, it does not decrypt."""
    return f"{export._meta.label}:{export.pk}"


def export_alive(export: Export) -> bool:
    """Pending (its task not yet started, for less than the lease), or running with a recent
    heartbeat: asking again would only wait for it."""
    return export.alive()


def export_claim(pk: int) -> dt.datetime | None:
    """pending (or running and silent past the lease) -> running. Returns the claim's time (the
    token the finishing write checks), or None when another run holds it or it is finished."""
    return Export.claim(pk)


class _Progress:
    """rows_written (and rows_total) where the page sees them, and the heartbeat (jobs.runner:
    around the snapshot's transaction on PostgreSQL)."""

    def __init__(self, run: Run[Export]):
        self.run = run
        self.total = 0

    def write(self, rows: int) -> None:
        self.run.beat(rows_written=rows, rows_total=self.total)


def _write(export: Export, out: IO[bytes], progress: _Progress) -> int:
    """Count, then write the rows, in one snapshot on PostgreSQL (a streaming cursor needs the
    transaction; the progress goes through its own connection)."""
    rows = export_rows(export)
    postgresql = connection.vendor == "postgresql"
    outermost = not connection.in_atomic_block
    with transaction.atomic() if postgresql else contextlib.nullcontext():
        if postgresql and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        progress.total = rows.count()
        progress.write(0)
        return supporter_results_xlsx(pair=export.pair, out=out, rows=rows, progress=progress.write)


def export_run(*, export_id: int) -> Export:
    """Write a pending export (or one whose worker died) under the job protocol (jobs.runner).
    Returns it as it stands; unchanged if another run holds it or it is finished. Safe to run
    twice: the second claim fails, or, after the lease, writes the whole file again and the
    first run's file is dropped."""
    return job_run(Export, export_id, _export_load, related=("pair__election", "requested_by"))


def _export_load(run: Run[Export]) -> None:
    export = run.job
    if export.requested_by is None:  # the account is gone: nobody could take the file
        raise JobFailed("")
    with tempfile.TemporaryFile(prefix="export-") as plain:
        rows = _write(export, plain, _Progress(run))
        plain.seek(0)
        _store(export, plain, rows, run.token)
    run.finished = True  # or taken over meanwhile: the run holding it now writes the file


def _store(export: Export, plain: IO[bytes], rows: int, claimed: dt.datetime) -> None:
    storage = export.file.storage
    target = export.file.field.generate_filename(export, f"{secrets.token_hex(16)}.enc")
    stored, sha256, size = vault_store(
        file=plain, name=target, bound=export_bound(export), storage=storage
    )
    now = timezone.now()
    with transaction.atomic():
        changed = Export.finish(
            export.pk,
            claimed,
            file=stored,
            size=size,
            sha256=sha256,
            rows_written=rows,
            rows_total=rows,
            expires_at=now + dt.timedelta(hours=settings.EXPORT_LINK_HOURS),
        )
        if not changed:  # taken over meanwhile: the run holding it now writes the file
            transaction.on_commit(lambda: storage.delete(stored))
            return
        audit_record(
            "export.written",
            area=export.pair.election.region_id,
            target=export,
            data=_trail_data(export, rows=rows),
        )


def _trail_data(export: Export, **more: Any) -> dict:
    return {
        "what": "supporter_results_xlsx",
        "pair": export.pair_id,
        "round": export.round,
        "status": export.outcome,
        "scope": export.area,
        **more,
    }


def export_expired(export: Export, *, now: dt.datetime | None = None) -> bool:
    if export.status == Export.Status.EXPIRED:
        return True
    return export.expires_at is not None and export.expires_at <= (now or timezone.now())


def export_open(export: Export) -> IO[bytes]:
    """The workbook's plaintext, decrypted as it is read (nothing whole in memory)."""
    return vault_open(
        str(export.file.name), bound=export_bound(export), storage=export.file.storage
    )


def exports_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete the files of exports whose link has expired; the row stays, with its counts, as
    what the trail's events point at. Returns how many."""
    now = now or timezone.now()
    due = Export.objects.filter(purged_at__isnull=True).filter(
        Q(expires_at__lte=now) | Q(status=Export.Status.EXPIRED)
    )
    count = 0
    for export in due.select_related("pair__election").order_by("pk"):
        count += 1
        if dry_run:
            continue
        name = str(export.file.name or "")
        if name:
            export.file.storage.delete(name)
        with transaction.atomic():
            Export.objects.filter(pk=export.pk).update(
                status=Export.Status.EXPIRED, file="", purged_at=now
            )
            audit_record(
                "export.purged",
                area=export.pair.election.region_id,
                target=export,
                data=_trail_data(export, rows=export.rows_written, file=bool(name)),
            )
    return count
