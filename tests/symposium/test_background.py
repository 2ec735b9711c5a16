"""The task queue (symposium.background): a deferred task runs once its transaction
commits and never after a rollback, a failing one is retried, a job whose worker is
killed mid-way is finished by another worker, and without a queue (SQLite) the task runs
in-process after the commit."""

import contextlib
import datetime as dt
import subprocess
import sys
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from symposium import background
from tests.background import run_background_jobs
from tests.servers import ROOT, production_env
from tests.symposium.background_tasks import (
    always_fail,
    fail_twice_then_write,
    lines,
    sleep_then_write,
    write_line,
)

WORKER = [sys.executable, "manage.py", "procrastinate", "worker"]


class Rollback(Exception):
    pass


def defer_and_roll_back(task, **kwargs):
    with contextlib.suppress(Rollback), transaction.atomic():
        background.defer(task, **kwargs)
        raise Rollback


def jobs(task):
    from procrastinate.contrib.django.models import ProcrastinateJob

    return ProcrastinateJob.objects.filter(task_name=task.name)


def events(job):
    return list(job.procrastinateevent_set.order_by("id").values_list("type", flat=True))


@pytest.fixture
def out(tmp_path):
    return tmp_path / "task.log"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_deferred_task_runs_once_its_transaction_commits(out):
    with transaction.atomic():
        background.defer(write_line, path=str(out), line="committed")

    assert jobs(write_line).get().status == "todo"
    assert lines(out) == []  # a worker runs it, not the request

    run_background_jobs()

    assert lines(out) == ["committed"]
    assert jobs(write_line).get().status == "succeeded"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_deferred_task_never_runs_when_its_transaction_rolls_back(out):
    defer_and_roll_back(write_line, path=str(out), line="rolled back")

    run_background_jobs()

    assert not jobs(write_line).exists()
    assert lines(out) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_retried_until_it_succeeds(out):
    background.defer(fail_twice_then_write, path=str(out))

    run_background_jobs()

    assert lines(out) == ["attempt 1", "attempt 2", "attempt 3"]
    job = jobs(fail_twice_then_write).get()
    assert job.status == "succeeded"
    assert events(job) == [
        "deferred",
        "started",
        "scheduled",
        "deferred_for_retry",
        "started",
        "scheduled",
        "deferred_for_retry",
        "started",
        "succeeded",
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_failed_task_is_tried_again_after_a_growing_wait(out):
    background.defer(always_fail, path=str(out))
    before = timezone.now()

    run_background_jobs()

    assert lines(out) == ["attempt"]
    job = jobs(always_fail).get()
    assert (job.status, job.attempts) == ("todo", 1)
    # background.RETRY: 3 s after the first failure, then 9, 27, …: 8 attempts, about 55 min.
    wait = job.scheduled_at - before
    assert dt.timedelta(seconds=3) <= wait < dt.timedelta(seconds=5)
    assert always_fail.retry_strategy is background.RETRY
    assert retry_waits(job.procrastinate_job) == [3, 9, 27, 81, 243, 729, 2187, None]


def retry_waits(job):
    """Seconds background.RETRY waits after each failed attempt; None: it gives up.
    procrastinate passes the attempts made before the one that failed."""
    waits = []
    for attempts in range(8):
        decision = background.RETRY.get_retry_decision(
            exception=RuntimeError(), job=job.evolve(attempts=attempts)
        )
        waits.append(decision and round((decision.retry_at - timezone.now()).total_seconds()))
    return waits


@contextlib.contextmanager
def worker_process(env):
    process = subprocess.Popen(WORKER, cwd=ROOT, env=env)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition, what, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def seconds_since_last_heartbeat():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM now() - max(last_heartbeat)) FROM procrastinate_workers"
        )
        (seconds,) = cursor.fetchone()
    return seconds


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_is_retried_by_another_worker(out, settings):
    from procrastinate.exceptions import AlreadyEnqueued

    from symposium.background.tasks import retry_stalled_jobs

    env = production_env(
        WORKER_HEARTBEAT_SECONDS="1",
        PROCRASTINATE_IMPORT_PATHS="tests.symposium.background_tasks",
    )
    stalled_after = 3 * 1  # settings.WORKER_STALLED_SECONDS in the workers
    background.defer(sleep_then_write, path=str(out), seconds=4)

    with worker_process(env) as first:
        wait_until(lambda: lines(out) == [f"started in {first.pid}"], "the first worker")
        first.kill()  # SIGKILL: no chance to finish or to say goodbye
        first.wait()
    assert jobs(sleep_then_write).get().status == "doing"

    # Its heartbeat stops; once it is older than the stalled limit the job is retried.
    wait_until(lambda: seconds_since_last_heartbeat() > stalled_after, "a stale heartbeat")
    with worker_process(env) as second:
        # The schedule fires every minute (test below); here the test fires it.
        with contextlib.suppress(AlreadyEnqueued):
            background.defer(retry_stalled_jobs, timestamp=int(time.time()))
        wait_until(lambda: len(lines(out)) == 3, "the second worker")

    assert lines(out) == [
        f"started in {first.pid}",
        f"started in {second.pid}",
        f"finished in {second.pid}",
    ]
    assert jobs(sleep_then_write).get().status == "succeeded"


@pytest.mark.postgres
def test_every_worker_looks_for_stalled_jobs_every_minute():
    from procrastinate.contrib.django import app

    schedule = {
        key[0]: periodic.cron for key, periodic in app.periodic_registry.periodic_tasks.items()
    }

    assert schedule["symposium.background.tasks.retry_stalled_jobs"] == "* * * * *"


@pytest.mark.django_db(transaction=True)
def test_without_a_queue_a_task_runs_in_this_process_after_the_commit(out, settings):
    settings.BACKGROUND_QUEUE = False  # as on SQLite

    with transaction.atomic():
        background.defer(write_line, path=str(out), line="committed")
        assert lines(out) == []
    defer_and_roll_back(write_line, path=str(out), line="rolled back")

    assert lines(out) == ["committed"]
    if connection.vendor == "postgresql":
        assert not jobs(write_line).exists()


@pytest.mark.django_db(transaction=True)
def test_without_a_queue_a_failing_task_is_logged_and_the_change_kept(out, settings, caplog):
    settings.BACKGROUND_QUEUE = False

    with transaction.atomic():
        background.defer(always_fail, path=str(out))

    assert lines(out) == ["attempt"]
    assert "this task always fails" in caplog.text
