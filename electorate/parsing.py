# shim (issue 20): remove when the files importing electorate.parsing are committed (H2 Pending)
from files.parsing import *  # noqa: F403
