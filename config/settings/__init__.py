"""Settings read from the environment (config/env.py), one module per concern.

With nothing set: SQLite in ./var/db.sqlite3 and Celery tasks run in-process (the embedded
default, for `make demo`). With DATABASE_URL and CELERY_BROKER_URL set: PostgreSQL and Redis
with real workers. DJANGO_ENV=production refuses to start with the demo secrets.

Read in this order, each module importing what it needs from those before it: base (paths,
production or not, apps, middleware, templates, language, static files, API, logging), keys
(and production's refusals), databases (and the replica), security (sign-in, sessions, CSP,
HTTPS), jobs (Celery, leased jobs, verification), limits (sizes, the cache, rate limits),
public (e-mail, the public address). DJANGO_SETTINGS_MODULE stays "config.settings".
"""

# ruff: noqa: I001
# The order of reading (each module imports from those above it):
from config.settings.base import *  # noqa: F403
from config.settings.keys import *  # noqa: F403
from config.settings.databases import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.jobs import *  # noqa: F403
from config.settings.limits import *  # noqa: F403
from config.settings.public import *  # noqa: F403
