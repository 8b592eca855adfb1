# shim (issue 20): remove when the files importing electorate.sheetread are committed (H2 Pending)
from files.sheetread import *  # noqa: F403
