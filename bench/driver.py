"""The load generator: aiohttp clients that read pages and register like a browser.

Used by bench/load.py and by tests/test_multi_server.py. Nothing here imports Django:
it only speaks HTTP to app servers started elsewhere.
"""

import asyncio
import random
import re
import time
import uuid
from dataclasses import dataclass, field

import aiohttp
from yarl import URL

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = aiohttp.ClientTimeout(total=60)


@dataclass
class Stats:
    name: str
    latencies: list = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def count(self):
        return len(self.latencies) + self.errors

    @property
    def per_second(self):
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def connector(limit=64):
    return aiohttp.TCPConnector(limit=limit, force_close=False)


def client(conn, headers=None):
    """A browser: its own cookie jar (unsafe=True keeps cookies from 127.0.0.1)."""
    return aiohttp.ClientSession(
        connector=conn,
        connector_owner=False,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=TIMEOUT,
        headers=headers,
    )


async def fetch(session, url):
    async with session.get(url, allow_redirects=False) as response:
        body = await response.text()
        return response.status, body


async def register(conn, form_url, *, choices=None, forwarded_for=None, follow=False):
    """GET the form, then POST it with its CSRF token as a new delegate.

    `choices`: {field name: session pk}. Returns (POST status, done page or "") where
    the POST redirected to the done page; `follow` fetches that page too.
    """
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    async with client(conn, headers) as session:
        status, html = await fetch(session, form_url)
        if status != 200:
            return status, ""
        token = CSRF_INPUT.search(html)
        name = uuid.uuid4().hex[:12]
        data = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "first_name": "Bench",
            "last_name": f"Delegate {name}",
            "email": f"{name}@bench.example.org",
            "organisation": "Kent County Council",
            "sector": "council",
            "job_title": "Officer",
            "privacy_consent": "on",
            "dietary_requirement": "none",
            **{key: str(value) for key, value in (choices or {}).items()},
        }
        async with session.post(form_url, data=data, allow_redirects=False) as response:
            await response.read()
            status, location = response.status, response.headers.get("Location", "")
        if status != 302 or not location.endswith("/register/done/"):
            return status if status != 302 else 599, ""
        if not follow:
            return status, ""
        done_status, done = await fetch(session, str(response.url.join(URL(location))))
        return (status if done_status == 200 else done_status), done


async def _loop(stats, deadline, action):
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            ok = await action()
        except (TimeoutError, aiohttp.ClientError):
            ok = False
        if ok:
            stats.latencies.append(time.perf_counter() - started)
        else:
            stats.errors += 1


async def sustained(name, action, *, seconds, concurrency, warmup=1.0):
    """Run `action()` (True when it succeeded) from `concurrency` clients for `seconds`,
    after `warmup` seconds that are not counted."""
    warm = Stats(name)
    await asyncio.gather(
        *(_loop(warm, time.perf_counter() + warmup, action) for _ in range(concurrency))
    )
    stats = Stats(name)
    started = time.perf_counter()
    await asyncio.gather(*(_loop(stats, started + seconds, action) for _ in range(concurrency)))
    stats.seconds = time.perf_counter() - started
    return stats


def page_action(conn, url):
    session = client(conn)

    async def action():
        status, _ = await fetch(session, url)
        return status == 200

    return session, action


def registration_action(conn, form_url, choose):
    async def action():
        status, _ = await register(conn, form_url, choices=choose())
        return status == 302

    return action


@dataclass
class RushResult:
    confirmed: int = 0
    waitlisted: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    seconds: float = 0.0


async def rush(form_urls, *, delegates, field_name, session_pk, spread_seconds, seed=1):
    """`delegates` new delegates each register once for the one session, arriving at
    random moments within `spread_seconds`, each through the next of `form_urls` (one
    per app server) and from its own address (X-Forwarded-For, as a load balancer sends).
    What each delegate was told is read from the page they land on."""
    rng = random.Random(seed)
    result = RushResult()
    conn = connector(limit=256)
    started = time.perf_counter()

    async def one(n):
        await asyncio.sleep(rng.uniform(0, spread_seconds))
        try:
            status, done = await register(
                conn,
                form_urls[n % len(form_urls)],
                choices={field_name: session_pk},
                forwarded_for=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                follow=True,
            )
        except (TimeoutError, aiohttp.ClientError):
            status, done = 598, ""
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if "place confirmed" in done:
            result.confirmed += 1
        elif "on the waitlist, position" in done:
            result.waitlisted += 1
        else:
            result.errors += 1

    try:
        await asyncio.gather(*(one(n) for n in range(delegates)))
    finally:
        await conn.close()
    result.seconds = time.perf_counter() - started
    return result
