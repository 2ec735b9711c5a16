"""/healthz reports the background worker (issue 26): its last heartbeat, how long the
oldest ready job has waited, the jobs that failed for good in the last hour, and
"stopped" once no worker has written a heartbeat for a minute, without ever failing
the check itself."""

import datetime as dt

import pytest
from django.db import connection

from symposium import background
from tests.background import run_background_jobs
from tests.symposium.background_tasks import fail_for_good, write_line

pytestmark = pytest.mark.postgres


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def worker_heartbeat(seconds_ago):
    # now() is the test transaction's start: the ages below are exact.
    sql(
        "INSERT INTO procrastinate_workers (last_heartbeat) "
        "VALUES (now() - make_interval(secs => %s))",
        [seconds_ago],
    )


def waiting_job(seconds):
    background.defer(write_line, path="/dev/null", line="waiting")
    sql(
        "UPDATE procrastinate_events SET at = now() - make_interval(secs => %s) "
        "WHERE job_id = (SELECT max(id) FROM procrastinate_jobs)",
        [seconds],
    )


def failed_job(minutes_ago):
    from symposium.background.models import JobFailure

    background.defer(write_line, path="/dev/null", line="failed")
    sql(
        "UPDATE procrastinate_jobs SET status = 'failed' "
        "WHERE id = (SELECT max(id) FROM procrastinate_jobs)"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id), now() FROM procrastinate_jobs")
        job_id, now = cursor.fetchone()
    JobFailure.objects.create(
        job_id=job_id,
        task_name=write_line.name,
        error="RuntimeError: out of paper",
        failed_at=now - dt.timedelta(minutes=minutes_ago),
    )


@pytest.mark.django_db
def test_healthz_reports_the_worker_and_its_queue(client):
    worker_heartbeat(5)
    worker_heartbeat(40)  # an older worker: the latest heartbeat counts
    waiting_job(120)
    waiting_job(30)
    failed_job(10)
    failed_job(90)  # over an hour ago

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"] == {
        "last_heartbeat_seconds": 5.0,
        "oldest_waiting_seconds": 120.0,
        "failed_last_hour": 1,
    }


def scheduled_job(seconds_from_now):
    """A job waiting for its time, as a retry does."""
    background.defer(write_line, path="/dev/null", line="retry")
    sql(
        "UPDATE procrastinate_jobs SET scheduled_at = now() + make_interval(secs => %s) "
        "WHERE id = (SELECT max(id) FROM procrastinate_jobs)",
        [seconds_from_now],
    )


@pytest.mark.django_db
def test_healthz_counts_a_retry_as_waiting_from_its_scheduled_time(client):
    worker_heartbeat(1)
    waiting_job(60)
    scheduled_job(-200)  # due 200 s ago
    scheduled_job(+900)  # not due: not waiting

    assert client.get("/healthz").json()["worker"]["oldest_waiting_seconds"] == 200.0


@pytest.mark.django_db
def test_healthz_reports_a_quiet_queue_as_nothing_waiting(client):
    worker_heartbeat(2)

    assert client.get("/healthz").json()["worker"] == {
        "last_heartbeat_seconds": 2.0,
        "oldest_waiting_seconds": 0.0,
        "failed_last_hour": 0,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("seconds_ago", "worker"), [(59, "running"), (61, "stopped")])
def test_healthz_reports_a_stopped_worker_within_a_minute(client, seconds_ago, worker):
    worker_heartbeat(seconds_ago)
    waiting_job(300)

    response = client.get("/healthz")

    assert response.status_code == 200  # the web server stays in service
    assert response.json()["status"] == "ok"
    reported = response.json()["worker"]
    assert (reported if reported == "stopped" else "running") == worker


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_stopped_after_the_last_worker_stops(client, tmp_path):
    background.defer(fail_for_good, path=str(tmp_path / "log"))

    run_background_jobs()  # a worker runs, fails the job, and stops cleanly

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == "stopped"
