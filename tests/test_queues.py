"""Each task goes to the queue of its kind of work (CELERY_TASK_ROUTES in
config/settings/jobs.py), so that a worker per queue (deploy/) keeps a long roll import from
delaying a verification or a PPS's sheet. A new task must be placed here on purpose: the
second test names every task."""

from __future__ import annotations

import pytest
from django.conf import settings

from config.celery import app

EXPECTED = {
    "electorate.roll_import": "imports",
    "candidates.support_upload": "imports",
    "verification.run": "verification",
    "verification.export": "exports",
    "fieldwork.sheet": "default",  # a PPS's typed-up sheet: seconds, never behind an import
    "objections.check_counts_flush": "default",  # the check's hourly counts: a second or two
    "notifications.event": "default",  # who is told of an event: a few queries
    "notifications.email": "default",  # one message to one address
}


def _project_tasks() -> set[str]:
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    return {name for name in app.tasks if not name.startswith("celery.")}


def _queue(name: str, **options) -> str:
    return app.amqp.router.route(options, name)["queue"].name


@pytest.mark.parametrize(("task", "queue"), sorted(EXPECTED.items()))
def test_each_task_routes_to_the_queue_of_its_kind(task, queue):
    assert _queue(task) == queue


def test_every_task_of_the_project_is_placed_in_a_queue_on_purpose():
    tasks = _project_tasks()
    documents = {t for t in tasks if t.startswith("documents.")}
    assert tasks - documents == set(EXPECTED), "route the new task in CELERY_TASK_ROUTES"
    assert all(_queue(t) == "documents" for t in documents)


def test_every_routed_queue_is_one_a_worker_without_q_takes():
    assert set(settings.CELERY_TASK_QUEUES) == set(settings.WORKER_QUEUES)
    assert {"imports", "verification", "exports", "documents", "default"} == set(
        settings.WORKER_QUEUES
    )
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    assert {_queue(t) for t in _project_tasks()} <= set(settings.WORKER_QUEUES)


def test_a_queue_named_when_sending_wins_over_the_route():
    """The integration tests send to a worker's private queue: apply_async(queue=...)."""
    assert _queue("verification.run", queue="test-1234") == "test-1234"


def test_an_unnamed_task_goes_to_the_default_queue():
    assert _queue("objections.something_new") == "default"
    assert _queue("documents.minutes_render") == "documents"
