"""Two `manage.py migrate` runs at once (two release jobs) take turns: the second waits
for the first, then finds nothing to apply (symposium/management/commands/migrate.py).
Real processes on a new, empty database, so that there is everything to migrate."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from symposium.management.commands.migrate import MIGRATE_LOCK
from tests.servers import database_url

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_database(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    name = f"test_migrate_lock_{uuid.uuid4().hex[:8]}"
    admin = database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def waiting_for_the_lock(database_url):
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND ((classid::bigint << 32) | objid::bigint) = %s",
            [MIGRATE_LOCK & 0xFFFFFFFFFFFFFFFF],
        ).fetchone()[0]


def test_two_migrate_runs_at_once_take_turns(empty_database):
    env = {
        **os.environ,
        "DATABASE_URL": empty_database,
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    command = [sys.executable, "manage.py", "migrate", "--noinput"]
    # Hold the lock ourselves until both runs wait on it, then let them race for it.
    with psycopg.connect(empty_database, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
        runs = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        deadline = time.monotonic() + 60
        while waiting_for_the_lock(empty_database) < 2:
            assert all(run.poll() is None for run in runs), "a run did not wait"
            assert time.monotonic() < deadline, "the runs never waited for the lock"
            time.sleep(0.1)
        holder.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK])

    outputs = [run.communicate(timeout=180)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert all("waiting for it to finish" in output for output in outputs)
    # One applied everything; the other, once it had the lock, had nothing left.
    assert sorted("No migrations to apply" in output for output in outputs) == [False, True]
    with psycopg.connect(empty_database) as conn:
        duplicates = conn.execute(
            "SELECT count(*) FROM (SELECT app, name FROM django_migrations"
            " GROUP BY app, name HAVING count(*) > 1) d"
        ).fetchone()[0]
    assert duplicates == 0
