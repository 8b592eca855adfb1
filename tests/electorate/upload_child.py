"""The child process of tests/electorate/test_upload_safety.py: one importer run on one kept
upload, inside an address space of `limit` bytes (RLIMIT_AS), set before Django is imported.

    python -m tests.electorate.upload_child '{"importer": "support", "id": 7, "limit": ...}'

The environment names the database and the media root (the parent's test database). It prints
the upload's end state and the peak resident memory (its own, and that of the largest
child it waited for) as one JSON line. An allocation beyond the
limit would end it with MemoryError, or with SIGABRT from Rust code: never a clean exit."""

from __future__ import annotations

import json
import resource
import sys


def main() -> None:
    job = json.loads(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (job["limit"], job["limit"]))

    import django

    django.setup()

    if job["importer"] == "support":
        from candidates.intake import support_upload_run

        upload = support_upload_run(upload_id=job["id"])
    elif job["importer"] == "roll":
        from electorate.roll_import import roll_import_run

        upload = roll_import_run(import_id=job["id"])
    else:
        from fieldwork.sheets import sheet_run

        upload = sheet_run(sheet_id=job["id"])
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: kilobytes
    # The largest child it waited for: the spreadsheet reader (files.sheetread).
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "status": upload.status,
                "failure": upload.failure,
                "errors": upload.errors,
                "accepted": upload.accepted,
                "rejected": upload.rejected,
                "peak_mb": peak_kb // 1024,
                "children_peak_mb": children_kb // 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
