"""A spreadsheet is read by python-calamine in a child process limited in memory, wherever it is
read: a Celery worker, a command, a web request (the B.2-KWK summary; every task in the demo,
whose tasks run in-process).

Why: calamine holds a whole worksheet in memory and aborts the process when an allocation
fails (a Rust abort: no exception). files/xlsxcheck/ refuses the files known to do
that, but the guarantee must not rest on a scanner knowing every trick. So the process that
reads is not the worker: a child started for the one file, its address space limited to
PARSE_MEMORY_LIMIT_BYTES (RLIMIT_AS, set before calamine is loaded), no core file, the
standard library and calamine only (files/sheetchild.py). It sends the rows back through
a pipe, a batch at a time; the worker keeps one batch in memory. If the child dies (MemoryError,
SIGABRT, SIGKILL), the reader raises `SheetTooBig` with what to do, and the importer fails the
upload at once: no worker lost, nothing left `running` for the lease to end.

The rows come back pickled. The child reads attacker-made files, so the parent unpickles with
only the types calamine returns (str, float, int, bool, and the datetime types): a child
subverted by a file could not make the parent run anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import pickle
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

CHILD = Path(__file__).with_name("sheetchild.py")
MAX_FRAME = 256 << 20  # a batch is about 1 MB; anything near this is not our child talking
DIGITS = re.compile(rb"\d(?:[\s.\-/,_]*\d){10,}")


class SheetUnreadable(ValueError):
    """calamine refused the workbook; the text is calamine's (English, for the log)."""


class SheetTooBig(ValueError):
    """The reader died: the file needs more memory than the limit. The message is for users."""


class _Rows(pickle.Unpickler):
    """Only what calamine's cells are made of."""

    ALLOWED = {"date", "datetime", "time", "timedelta", "timezone"}

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in self.ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell type")


def too_big_message() -> str:
    return _(
        "Berkas terlalu besar untuk dibaca: membacanya memerlukan lebih dari %(mb)s MB memori, "
        "batas server untuk satu berkas. Hapus baris, kolom atau teks yang tidak perlu lalu "
        "simpan ulang, atau unggah daftar sebagai CSV UTF-8 (dibaca bertahap, tanpa batas ini)."
    ) % {"mb": f"{settings.PARSE_MEMORY_LIMIT_BYTES >> 20:,}".replace(",", ".")}


class SheetReader:
    """The first worksheet of the XLSX in `fh`, read in a child: `start` (the first row with
    a cell, 0-based), `height`, and `rows()` (lists of cell values, as calamine gives them).
    Raises SheetUnreadable or SheetTooBig, here or while the rows are read. The child is
    ended and waited for when the rows are all read, on `close()`, or when the reader is
    garbage collected, whichever comes first."""

    def __init__(self, fh: IO[bytes]):
        # Its error output, for the log; closed with the child (_stop).
        self._errors = tempfile.TemporaryFile(prefix="sheet-err-")  # noqa: SIM115
        with contextlib.ExitStack() as stack:
            try:
                fd = fh.fileno()
            except (AttributeError, OSError, io.UnsupportedOperation):
                # In memory (tests, a small form upload): the child reads a nameless copy,
                # closed here once the child has its own descriptor.
                copy = stack.enter_context(tempfile.TemporaryFile(prefix="sheet-"))
                fh.seek(0)
                shutil.copyfileobj(fh, copy)
                copy.flush()
                fd = copy.fileno()
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-B",
                    str(CHILD),
                    str(fd),
                    str(settings.PARSE_MEMORY_LIMIT_BYTES),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                pass_fds=(fd,),
                env={"LC_ALL": "C.UTF-8"},
            )
        self._finalizer = weakref.finalize(self, _stop, self._process, self._errors)
        frame = self._frame()
        if frame[0] == "unreadable":
            self.close()
            raise SheetUnreadable(frame[1])
        if frame[0] != "sheet":
            self._died()
        self.start: int = frame[1]
        self.height: int = frame[2]

    def rows(self) -> Iterator[list[Any]]:
        try:
            while True:
                frame = self._frame()
                if frame[0] == "end":
                    return
                if frame[0] != "rows":
                    self._died()
                yield from frame[1]
        finally:
            self.close()

    def close(self) -> None:
        self._finalizer()

    def _frame(self) -> tuple:
        stdout = self._process.stdout
        assert stdout is not None
        head = stdout.read(4)
        if len(head) < 4:
            self._died()
        size = struct.unpack(">I", head)[0]
        if size > MAX_FRAME:
            self._died()
        data = stdout.read(size)
        if len(data) < size:
            self._died()
        try:
            frame = _Rows(io.BytesIO(data)).load()
        except Exception:
            self._died()
        if not isinstance(frame, tuple) or not frame:
            self._died()
        return frame

    def _died(self):
        """The child stopped without finishing (or said something it never says): ended,
        logged with its exit and the tail of its error output, refused with what to do."""
        process = self._process
        if process.poll() is None:
            process.kill()
        code = process.wait()
        self._errors.seek(max(0, self._errors.seek(0, io.SEEK_END) - 2000))
        tail = DIGITS.sub(b"*", self._errors.read()).decode("utf-8", "replace")
        log.warning("spreadsheet reader ended with %s: %s", code, tail.strip()[-500:])
        self.close()
        raise SheetTooBig(too_big_message())


def _stop(process: subprocess.Popen, errors: IO[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()
    errors.close()
