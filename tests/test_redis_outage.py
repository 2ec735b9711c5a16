"""An app server (gunicorn, production settings) whose Redis is killed under traffic:
public pages, registration, the manage link and the admin keep answering, the outage is
logged once, and when Redis is back the server uses it again without a restart."""

import asyncio
import re
import subprocess
import time

import pytest
from django.conf import settings

from bench import driver
from tests.factories import DelegateFactory, EventFactory, UserFactory
from tests.helpers import manage_url
from tests.redis_server import own_redis  # noqa: F401 - a fixture
from tests.servers import BIN, GUNICORN, ROOT, free_port, plain_http_env, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "correct-horse-battery"
OUTAGE_STARTED = "Redis does not answer"
OUTAGE_ENDED = "Redis answers again"


@pytest.fixture
def server(own_redis, tmp_path):  # noqa: F811 - the fixture imported above
    """One gunicorn worker on the test's own Redis; its base URL and its stderr file."""
    env = plain_http_env() | {
        "REDIS_URL": own_redis.url,
        # Manage links made here must be valid there.
        "SECRET_KEY": settings.SECRET_KEY,
        "WEB_CONCURRENCY": "1",
        "REDIS_RETRY_SECONDS": "0.2",
    }
    subprocess.run(
        [BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    stderr = tmp_path / "gunicorn.log"
    with stderr.open("w") as log:
        process = subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{port}", "symposium.wsgi"],
            cwd=ROOT,
            env=env,
            stderr=log,
        )
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}", stderr
    finally:
        process.terminate()
        process.wait(timeout=30)


class Visitors:
    """Each round: the public pages, a new delegate registering, a manage link, a new
    organiser signing in, and one signed in before it all (their session must last)."""

    def __init__(self, base, event, delegate, organiser):
        self.base = base
        self.pages = [event.get_absolute_url(), f"/events/{event.slug}/agenda/", "/healthz"]
        self.form = f"{base}/events/{event.slug}/register/"
        self.manage = manage_url(delegate)
        self.organiser = organiser
        self.statuses = []
        self.rounds = 0

    async def admin_login(self, conn):
        browser = driver.client(conn)
        status, page = await driver.fetch(browser, f"{self.base}/admin/login/")
        self.statuses.append(("admin login page", status))
        data = {
            "csrfmiddlewaretoken": CSRF_INPUT.search(page).group(1),
            "username": self.organiser.username,
            "password": PASSWORD,
            "next": "/admin/",
        }
        login = f"{self.base}/admin/login/?next=/admin/"
        async with browser.post(login, data=data, allow_redirects=False) as response:
            self.statuses.append(("admin login", response.status))
        return browser

    async def one_round(self, conn, signed_in):
        anyone = driver.client(conn)
        async with anyone:
            for page in self.pages:
                self.statuses.append((page, (await driver.fetch(anyone, self.base + page))[0]))
            status, _ = await driver.register(
                conn, self.form, forwarded_for=f"198.51.100.{self.rounds % 250}"
            )
            self.statuses.append(("register", status))
            self.statuses.append(
                ("manage", (await driver.fetch(anyone, self.base + self.manage))[0])
            )
        async with await self.admin_login(conn):
            pass
        self.statuses.append(("admin", (await driver.fetch(signed_in, f"{self.base}/admin/"))[0]))
        self.rounds += 1

    async def until(self, stop, conn, signed_in):
        while not stop.is_set():
            await self.one_round(conn, signed_in)


async def kill_under_traffic(visitors, redis):
    """Rounds of traffic; Redis killed in the middle of them. Rounds done after the kill."""
    conn = driver.connector()
    try:
        signed_in = await visitors.admin_login(conn)
        async with signed_in:
            stop = asyncio.Event()
            traffic = asyncio.create_task(visitors.until(stop, conn, signed_in))
            await asyncio.sleep(1)
            redis.kill()
            before = visitors.rounds
            await asyncio.sleep(2)
            stop.set()
            await traffic
            return visitors.rounds - before
    finally:
        await conn.close()


async def round_after(visitors):
    conn = driver.connector()
    try:
        async with await visitors.admin_login(conn) as signed_in:
            await visitors.one_round(conn, signed_in)
    finally:
        await conn.close()


async def health(base):
    conn = driver.connector()
    try:
        async with driver.client(conn) as browser, browser.get(f"{base}/healthz") as response:
            return response.status, await response.json()
    finally:
        await conn.close()


def test_redis_killed_under_traffic_costs_no_request_and_is_used_again_when_back(
    server,
    own_redis,  # noqa: F811 - the fixture imported above
):
    base, stderr = server
    event = EventFactory(name="Kent and Medway ICS symposium")
    visitors = Visitors(
        base, event, DelegateFactory(event=event), UserFactory(is_staff=True, is_superuser=True)
    )

    rounds_without_redis = asyncio.run(kill_under_traffic(visitors, own_redis))

    assert rounds_without_redis >= 2
    assert {status for _, status in visitors.statuses} <= {200, 302}
    assert ("admin", 200) in visitors.statuses[-1:]
    assert event.delegates.count() == visitors.rounds + 1
    assert asyncio.run(health(base)) == (
        200,
        {"status": "ok", "database": "ok", "cache": "down", "worker": "stopped"},
    )

    own_redis.start()  # empty, on the same port
    time.sleep(0.3)
    asyncio.run(round_after(visitors))

    assert {status for _, status in visitors.statuses} <= {200, 302}
    assert any(key.startswith(b"test-") for key in own_redis.stored_keys())
    assert asyncio.run(health(base)) == (
        200,
        {"status": "ok", "database": "ok", "cache": "ok", "worker": "stopped"},
    )
    log = stderr.read_text()
    assert log.count(OUTAGE_STARTED) == 1
    assert log.count(OUTAGE_ENDED) == 1
    assert "Internal Server Error" not in log
