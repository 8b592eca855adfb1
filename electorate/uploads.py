# shim (issue 20): remove when the files importing electorate.uploads are committed (H2 Pending)
from files.uploads import *  # noqa: F403
