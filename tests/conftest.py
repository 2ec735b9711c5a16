"""Shared fixtures. Tests that need PostgreSQL or Chromium are marked `postgres` or
`browser`: they skip with a reason on a laptop without them, and fail in CI (CI=true),
which must never pass by skipping."""

import os
import time
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import Group
from django.core import signing
from django.core.cache import cache
from django.db import connection

from tests.background import clear_background_jobs, is_transactional
from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
# A Redis database of its own for tests that start app servers (tests/test_multi_server.py).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def missing_service(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


def pytest_sessionstart(session):
    if IN_CI and connection.vendor != "postgresql":
        raise pytest.UsageError("CI=true but DATABASE_URL is not PostgreSQL")


@pytest.fixture(autouse=True)
def _required_services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1/…")
    if request.node.get_closest_marker("browser") and not Path(CHROMIUM).exists():
        missing_service(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    if request.node.get_closest_marker("redis") and not redis_answers(TEST_REDIS_URL):
        missing_service(f"needs Redis at {TEST_REDIS_URL}: set TEST_REDIS_URL")


def redis_answers(url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _one_signing_second(monkeypatch):
    """Manage links signed during one test carry the second the test started, so a test
    can compare the link it expects with the one a page or an email holds without the
    clock ticking between the two. Expiry is still checked against the real clock."""
    started = signing.b62_encode(int(time.time()))
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: started)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_background_jobs_left(request, django_db_blocker):
    """A transactional test commits its jobs and heartbeats: none outlives it."""
    yield
    if is_transactional(request):
        with django_db_blocker.unblock():
            clear_background_jobs()


@pytest.fixture(autouse=True)
def _health_reads_the_worker_each_time(settings):
    settings.HEALTH_WORKER_SECONDS = 0
    settings.HEALTH_CACHE_SECONDS = 0
    # Places on the register form counted after every change (a test of the seconds'
    # grace sets it).
    settings.REGISTER_PLACES_SECONDS = 0


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _mail_worker_on_commit(settings):
    """Emails are queued in the database; here the queue is sent (into `mail.outbox`)
    as soon as the transaction that queued it commits, instead of by the worker."""
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SEND_MAIL_ON_COMMIT = True


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as a browser does, running the on-commit hooks (email sending) like production."""

    def _post(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return _post


@pytest.fixture
def organiser(db):
    """A staff account that is not a superuser: only the Organisers group's rights."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def sql():
    """Runs DDL now, and its undo after the test (flushing tables keeps triggers)."""
    undo = []

    def run(statement, undo_statement):
        with connection.cursor() as cursor:
            cursor.execute(statement)
        undo.append(undo_statement)

    yield run
    connection.close()  # The test may have left a dead connection.
    with connection.cursor() as cursor:
        for statement in reversed(undo):
            cursor.execute(statement)
