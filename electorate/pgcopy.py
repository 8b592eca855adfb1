# shim (issue 20): remove when the files importing electorate.pgcopy are committed (H2 Pending)
from files.pgcopy import *  # noqa: F403
