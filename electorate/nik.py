# shim (issue 20): remove when the files importing electorate.nik are committed (H2 Pending)
from keys.nik import *  # noqa: F403
