# shim (issue 20): remove when the files importing electorate.keys are committed (H2 Pending)
from keys.keyring import *  # noqa: F403
