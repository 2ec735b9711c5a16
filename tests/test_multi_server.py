"""Two app servers (gunicorn, production settings) on one PostgreSQL and one Redis, as
behind a load balancer: a registration rush sent to both never overbooks a breakout,
and a client's rate limit is counted once across both."""

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench import driver
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from tests.conftest import TEST_REDIS_URL
from tests.factories import BreakoutRoundFactory, BreakoutSessionFactory, EventFactory, ThemeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUNICORN = [BIN / "gunicorn", "-c", "symposium/gunicorn.conf.py"]
CAPACITY = 10
DELEGATES = 60


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env():
    db = connection.settings_dict
    return {
        **os.environ,
        # The test database, which this test commits to (transaction=True).
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": TEST_REDIS_URL,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "CONN_MAX_AGE": "0",
        "DEBUG": "false",
        "SECRET_KEY": "multi-server-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "RATELIMIT_ENABLE": "true",
        # Behind one load balancer, which appends the client's address.
        "TRUSTED_PROXY_COUNT": "1",
        "WEB_CONCURRENCY": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


def wait_for(port, process):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"gunicorn on port {port} did not start")


@pytest.fixture
def servers():
    """Two gunicorn instances sharing the test database and one Redis; their base URLs."""
    env = server_env()
    # Production settings serve hashed static files: the manifest must exist.
    subprocess.run(
        [BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{port}", "symposium.wsgi"],
            cwd=ROOT,
            env=env,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_for(port, process)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.fixture
def rush_session():
    now = timezone.now()
    event = EventFactory(
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=1),
        delegate_capacity=1000,
    )
    return BreakoutSessionFactory(
        theme=ThemeFactory(event=event),
        agenda_item=BreakoutRoundFactory(event=event),
        capacity=CAPACITY,
    )


def form_urls(servers, session):
    return [f"{base}/events/{session.theme.event.slug}/register/" for base in servers]


def test_a_rush_on_two_servers_fills_the_breakout_exactly(servers, rush_session):
    result = asyncio.run(
        driver.rush(
            form_urls(servers, rush_session),
            delegates=DELEGATES,
            field_name=f"round_{rush_session.agenda_item_id}",
            session_pk=rush_session.pk,
            spread_seconds=2,
        )
    )

    choices = BreakoutChoice.objects.filter(session=rush_session)
    assert choices.filter(status=ChoiceStatus.CONFIRMED).count() == CAPACITY
    assert choices.filter(status=ChoiceStatus.WAITLISTED).count() == DELEGATES - CAPACITY
    assert result.statuses == {302: DELEGATES}
    assert (result.confirmed, result.waitlisted, result.errors) == (
        CAPACITY,
        DELEGATES - CAPACITY,
        0,
    )


async def register_from_one_address(urls, count):
    """`count` registrations from one client address, alternating between the servers;
    the statuses of their POSTs in order."""
    conn = driver.connector()
    try:
        statuses = []
        for n in range(count):
            status, _ = await driver.register(
                conn, urls[n % len(urls)], forwarded_for="203.0.113.7"
            )
            statuses.append(status)
        return statuses
    finally:
        await conn.close()


def test_a_clients_registration_limit_is_shared_by_both_servers(servers, rush_session):
    limit = int(settings.RATE_LIMITS["register"]["ip"].split("/")[0])

    # Fixed windows: this takes a few seconds of a window of minutes, so it falls across
    # a window's end only rarely; then more would pass, never fewer.
    statuses = asyncio.run(register_from_one_address(form_urls(servers, rush_session), limit + 4))

    # Each server alone would have let `limit` through: together they let `limit` in all.
    assert statuses == [302] * limit + [429] * 4
    assert BreakoutChoice.objects.count() == 0  # no breakout chosen: only delegates
    assert rush_session.theme.event.delegates.count() == limit
