# shim (issue 20): remove when the files importing electorate.rotation are committed (H2 Pending)
from keys.rotation import *  # noqa: F403
