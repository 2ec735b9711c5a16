"""Background work for every app: define a task, then `defer` it from a service.

    # breakouts/tasks.py (each app's tasks.py is found by itself)
    from symposium.background import task

    @task()
    def preview_allocation(*, round_id):
        ...

    # breakouts/services.py
    from symposium import background
    background.defer(tasks.preview_allocation, round_id=round.pk)

On PostgreSQL (settings.BACKGROUND_QUEUE) the job is queued in the caller's transaction
(procrastinate): a worker starts it once that transaction commits, never if it rolls
back, and retries it if it fails or its worker dies. Elsewhere (the SQLite demo) there is
no worker: the task runs in this process right after the commit, once.

Arguments are stored as JSON in the job table (kept a week after the job ends): pass
ids, never objects or personal details.
"""

import psycopg
from django.conf import settings
from django.db import transaction
from django.db import utils as db_utils
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.exceptions import ConnectorException

# A failed job is tried again after 3 s, 9 s, 27 s … 36 min: 8 attempts in about 55
# minutes, enough to ride out a mail server or a database failover restarting. Then it
# stays "failed" in the admin (Background jobs), where an organiser can retry it.
# (procrastinate's max_attempts counts the retries after the first attempt.)
RETRY = RetryStrategy(max_attempts=7, exponential_wait=3)


def task(**options):
    """procrastinate's `app.task`, with the project's retries unless `retry=` is given.
    Tasks take keyword arguments only."""
    options.setdefault("retry", RETRY)
    return app.task(**options)


def _defer(func, kwargs):
    """procrastinate's Django connector lets psycopg's own error through: raised as
    Django's, for whatever handles a database gone away (a 503, not a 500)."""
    try:
        func.defer(**kwargs)
    except (psycopg.Error, ConnectorException) as error:
        # procrastinate raises its ConnectorException from psycopg's error, which a
        # connection the database ended (AdminShutdown) is: Django's class of the same
        # family, found through psycopg's class hierarchy (OperationalError for that).
        cause = error.__cause__ if isinstance(error, ConnectorException) else error
        if isinstance(cause, db_utils.Error):
            raise cause from error
        django_error = db_utils.DatabaseError
        for cls in type(cause).__mro__ if cause is not None else ():
            found = getattr(db_utils, cls.__name__, None)
            if isinstance(found, type) and issubclass(found, db_utils.Error):
                django_error = found
                break
        raise django_error(*(cause.args if cause is not None else error.args)) from error


def defer(func, /, **kwargs):
    """Run the task `func(**kwargs)` in the background once the current transaction
    commits; nothing if it rolls back.

    Side effects: on PostgreSQL, one row in procrastinate_jobs, written in the caller's
    transaction; for a task with a `queueing_lock`, inside a savepoint (so a job refused
    by it, which raises procrastinate.exceptions.AlreadyEnqueued, leaves that
    transaction usable). Elsewhere,
    an on-commit hook that runs the task here; its failure is logged, never raised to the
    caller, whose change is already saved."""
    if settings.BACKGROUND_QUEUE:
        if getattr(func, "queueing_lock", None) is None:
            _defer(func, kwargs)  # Nothing to refuse it: no savepoint (two queries less).
            return
        with transaction.atomic():
            _defer(func, kwargs)
        return

    def run_task_after_commit():
        func(**kwargs)

    transaction.on_commit(run_task_after_commit, robust=True)
