"""The database (DATABASE_URL, else SQLite under VAR_DIR) and the read replica's alias."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from config.env import env_int, env_str
from config.settings.base import VAR_DIR

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh clone has no ./var yet: the embedded default must work out of the box.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the page read while an import writes; a generous timeout rides out the lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 60,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Reads on a PostgreSQL streaming replica (issue 22 item 3; docs/deployment.md): the "replica"
# alias only with DATABASE_REPLICA_URL; views say what reads it (replica.scope). The router is
# installed always (it refuses a write inside a replica scope, replica or not); a client whose
# request wrote reads the primary for DATABASE_REPLICA_PIN_SECONDS (config/dbrouter.py's
# ReplicaPinMiddleware, in base.MIDDLEWARE right after the sessions).
DATABASE_ROUTERS = ["config.dbrouter.ReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 5, minimum=0)
if _replica_url := env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
