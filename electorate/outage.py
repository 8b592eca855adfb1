from jobs.outage import write_through_outage  # noqa: F401  shim (issue 20): remove when electorate/uploads.py is a job
