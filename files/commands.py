"""What the import commands share (import_support, import_voter_roll, registry_import): the
file named on the command line, and the job's answer printed as JSON or as a summary with its
first row errors, a failed job ending the command with its reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError


def command_file(name: str) -> Path:
    path = Path(name)
    if not path.is_file():
        raise CommandError(f"Berkas tidak ditemukan: {path}")
    return path


def job_counts(job: Any) -> dict:
    """The counts every import job gives: status, rows read, accepted, rejected."""
    return {
        "status": job.status,
        "rows_read": job.rows_read,
        "accepted": job.accepted,
        "rejected": job.rejected,
    }


def command_report(out: Any, job: Any, result: dict, *, as_json: bool, summary: str) -> None:
    """Print `result` as JSON, or `summary` and the job's first 20 row errors; then a failed
    job stops the command with its failure."""
    if as_json:
        out.write(json.dumps(result, ensure_ascii=False))
    else:
        out.write(summary)
        for error in job.errors[:20]:
            out.write(f"  baris {error['row']} {error['column']}: {error['message']}")
    if job.status == job.Status.FAILED:
        raise CommandError(job.failure)


def command_user(username: str | None):
    """The account named by --user (recorded as the one acting), None when not given."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"Pengguna {username!r} tidak ditemukan.")
    return user
