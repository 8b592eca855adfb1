"""A real Celery worker for the integration tests: its own process, its own queue (so no stray
worker takes the job), pointed at the pytest PostgreSQL database and the Redis broker."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen
    log: Path


@pytest.fixture
def start_worker(settings, tmp_path):
    """Call it (with extra environment, if any) to start a worker; stopped after the test."""
    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL and PostgreSQL (make test sets both)")
    started: list[Worker] = []
    s = connection.settings_dict
    database_url = (
        f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )

    def start(**extra_env: str) -> Worker:
        queue = f"test-{uuid.uuid4().hex[:8]}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **extra_env,
        }
        log = tmp_path / f"worker-{queue}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo",
                 "-Q", queue, "--without-gossip", "--without-mingle", "-l", "info"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        started.append(Worker(queue, process, log))
        celery_app.conf.task_always_eager = False
        return started[-1]

    yield start
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    for worker in started:
        if worker.process.poll() is None:
            worker.process.terminate()
            worker.process.wait(timeout=30)
