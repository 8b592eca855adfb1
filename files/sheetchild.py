"""The child process that reads a spreadsheet for files/sheetread.py. Not imported by the
application: run as

    python -I -B files/sheetchild.py <fd> <limit>

with the plaintext XLSX open at descriptor <fd>. It imports the standard library and
python_calamine only (no Django, no keys, no database), limits its own address space to
<limit> bytes before calamine is loaded, and writes frames to stdout: a 4-byte big-endian
length, then a pickle of

    ("sheet", first_row, height)      once, when the first sheet is read
    ("rows", [row, ...])              the rows, in order, a batch at a time
    ("end",)                          all is sent
    ("unreadable", text)              calamine refused the workbook (its English text)

A file that makes calamine allocate beyond the limit ends this process (MemoryError, or
SIGABRT from Rust): the parent sees it die without "end" and fails the upload at once.
"""

from __future__ import annotations

import os
import pickle
import resource
import struct
import sys

BATCH_ROWS = 500
BATCH_BYTES = 1 << 20


def send(out, frame: tuple) -> None:
    data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(struct.pack(">I", len(data)))
    out.write(data)


def limit_set(limit: int) -> None:
    # No core file: a dump of this process would hold the plaintext of the upload.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limit > 0:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main() -> None:
    fd, limit = int(sys.argv[1]), int(sys.argv[2])
    limit_set(limit)
    out = sys.stdout.buffer
    from python_calamine import CalamineWorkbook

    try:
        # By path, not as a file object: calamine then reads the zip where it needs to instead
        # of holding the whole file (and a copy of it per format it tries) in memory.
        book = CalamineWorkbook.from_path(f"/proc/self/fd/{fd}")
        sheet = book.get_sheet_by_index(0)
    except MemoryError:
        raise
    except Exception as exc:  # calamine raises its own types for every broken workbook
        send(out, ("unreadable", str(exc)[:500]))
        out.flush()
        return
    os.close(fd)
    send(out, ("sheet", (sheet.start or (0, 0))[0], sheet.height))
    batch: list[list] = []
    size = 0
    for row in sheet.iter_rows():
        batch.append(row)
        size += sum(len(cell) for cell in row if type(cell) is str)
        if len(batch) >= BATCH_ROWS or size >= BATCH_BYTES:
            send(out, ("rows", batch))
            batch, size = [], 0
    send(out, ("rows", batch))
    send(out, ("end",))
    out.flush()


if __name__ == "__main__":
    main()
