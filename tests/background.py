"""Background jobs in tests: run them with a real worker on the test database.

    from tests.background import run_background_jobs

    @pytest.mark.django_db(transaction=True)
    def test_preview_is_built(...):
        ...  # a request or service that calls symposium.background.defer(...)
        run_background_jobs()
        ...  # assert on what the task did

The worker has database connections of its own, so it sees only what the test committed:
mark the test `django_db(transaction=True)`. On SQLite (no queue) the task already ran when
the transaction committed, and run_background_jobs() does nothing, so one test serves both.
"""

import pytest
from django.conf import settings
from django.db import connection

JOB_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def run_background_jobs():
    """Run every job that is ready, as `manage.py procrastinate worker` does, and return
    once none is left (a retry scheduled for later stays queued)."""
    if not settings.BACKGROUND_QUEUE:
        return
    if connection.in_atomic_block:
        # Inside the test's transaction the worker (its own connections) sees none of
        # the test's jobs, and the periodic jobs it defers are committed: they would
        # outlive the test and reach the next one.
        raise RuntimeError(
            "run_background_jobs() needs a transactional test: django_db(transaction=True)"
        )
    from procrastinate.contrib.django import app

    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


def clear_background_jobs():
    """Django's flush after a transactional test leaves procrastinate's tables (its models
    are unmanaged): empty them, so that no job or heartbeat reaches another test."""
    if settings.BACKGROUND_QUEUE:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(JOB_TABLES)}")


def is_transactional(request):
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )


@pytest.fixture
def background_jobs(transactional_db):
    """run_background_jobs, for a test that asks for the fixture rather than the mark."""
    return run_background_jobs
