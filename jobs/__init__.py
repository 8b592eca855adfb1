"""Leased jobs: work that one worker claims, beats for while it runs, and finishes or fails,
whatever kills it halfway (a worker lost, a child process killed, the database restarting).

Every background job with a row of its own is one: the uploads (voter rolls, support lists,
PPS sheets, the civil registry's answers), the results exports and the verification chunks.
`jobs.models.LeasedJob` holds the fields and the conditional UPDATEs (claim, beat, finish, fail,
release); `jobs.runner` owns the protocol around a kind's load step (claim, open, progress,
done, fail, crash and lease expiry). An importer or exporter supplies only its load step.
"""
