"""Administrative verification (vermin): every supporter of a pair's round gets reasons and an
outcome, in a handful of set-based SQL statements per chunk, on PostgreSQL and SQLite alike.

How a run goes, and why it is safe to run twice or to kill:
1. `run_create` (start.py) records the run (rules, roll, roll file SHA-256s) and splits the
   round's supporters into id-range chunks of about VERIFICATION_CHUNK_SIZE rows. Id ranges
   rather than kab/kota: chunks of even size (Jakarta Pusat alone is 61% of the 2024 upload)
   that the primary key reads as a range. Starting a pair's round again resumes its
   unfinished run. Callers go through verification.services.verification_start, which also
   enqueues the task.
2. `verification_run` (run.py) prepares once per run what is pair-wide (prepare.py: duplicate
   bits, restricted occupation texts, superseded earlier records), then claims chunks one by
   one with a conditional UPDATE. A chunk (chunk.py) is replace-by-scope in one transaction:
   delete the results of its id range, join its supporters against the roll (PostgreSQL:
   against the run's matches, made once), judge the names that differ beyond case with
   rapidfuzz (whole batches at once; PostgreSQL: once per run, in preparing), then INSERT ..
   SELECT every result once, in id order, its reasons computed by one SQL expression
   (reasons.py). A chunk that dies rolls back; its claim is released (or expires after the
   lease, if the worker was killed) and a rerun redoes it. The end state depends only on the
   data, never on which run or worker did what.
3. When every chunk is done, the run's counts are stored: on PostgreSQL the sum of what each
   chunk's INSERT counted as it wrote (VerificationChunk.counts), on SQLite one GROUP BY.
   Other pairs' results are left as they are: a pair's DUPLICATE_EXTERNAL changes only in its
   own run (external.py says why, and counts what the next run would change).

What differs between PostgreSQL and SQLite is chosen once per run (backends.py).

Duplicates and repair rounds (decided here; docs/domain.md leaves it open):
- Within a round, the first occurrence in (upload, row) order counts; the later ones are
  DUPLICATE_INTERNAL.
- A repair-round record whose NIK was MS in an earlier round is DUPLICATE_INTERNAL: that support
  already counts.
- A repair-round record whose NIK was BMS (or TMS) earlier is a resubmission (PKPU 8/2024 lets a
  team resubmit corrected BMS records): it is checked afresh on its own data, not as a duplicate,
  and the earlier record is marked `superseded`, so the cumulative recap counts the person once.
- A round is verified only after every earlier round of the pair has results.
"""

from __future__ import annotations

from verification.engine.external import external_changes
from verification.engine.run import run_counts, verification_run
from verification.engine.start import run_create

__all__ = ["external_changes", "run_counts", "run_create", "verification_run"]
