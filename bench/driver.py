"""The browser-like client: aiohttp sessions that register as a browser does.

Used by bench/load.py and by tests/test_multi_server.py. Nothing here imports Django:
it only speaks HTTP to app servers started elsewhere. Page throughput is measured with
wrk (bench/wrk.py), a C load generator, which leaves the two cores to the server.
"""

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
from yarl import URL

from bench.browser_form import browser_post_data, form_controls

TIMEOUT = aiohttp.ClientTimeout(total=60)
# In a rush the servers queue registrations; a delegate's browser waits minutes, not one.
RUSH_TIMEOUT = aiohttp.ClientTimeout(total=300)


@dataclass
class Stats:
    name: str
    expected: int = 200
    latencies: list = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def errors(self):
        return sum(self.failures.values())

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


def client(conn, headers=None, timeout=TIMEOUT):
    """A browser: its own cookie jar (unsafe=True keeps cookies from 127.0.0.1)."""
    return aiohttp.ClientSession(
        connector=conn,
        connector_owner=False,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=timeout,
        headers=headers,
    )


async def fetch(session, url):
    async with session.get(url, allow_redirects=False) as response:
        body = await response.text()
        return response.status, body


def delegate_answers(choices=None):
    """What a new delegate types and ticks; `choices`: {round field name: session pk}."""
    name = uuid.uuid4().hex[:12]
    return {
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


def round_options(html):
    """{round field name: [session pks offered]}, read from the form's radio buttons
    (of the page, or of its controls already read with `form_controls`)."""
    options = {}
    for control in form_controls(html) if isinstance(html, str) else html:
        if control.type == "radio" and control.name.startswith("round_") and control.value:
            options.setdefault(control.name, []).append(control.value)
    return options


async def register(
    conn, form_url, *, choices=None, forwarded_for=None, follow=False, timeout=TIMEOUT
):
    """GET the form, then POST what a browser would post for it as a new delegate:
    every field and token the page holds, with its cookies.

    `choices`: {field name: session pk}, or a function of the page's
    {round field name: [session pks]} that returns them. Returns (POST status, done page
    or "") where the POST redirected to the done page; `follow` fetches that page too.
    """
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    async with client(conn, headers, timeout) as session:
        status, html = await fetch(session, form_url)
        if status != 200:
            return status, ""
        # The page parsed once, as a browser parses it (it was parsed twice here).
        controls = form_controls(html)
        options = round_options(controls)
        if callable(choices):
            choices = choices(options)
        # Rounds not chosen keep "No breakout", the option the page ticks.
        choices = dict.fromkeys(options, "") | (choices or {})
        data = browser_post_data(controls, delegate_answers(choices))
        form = [(name, value) for name, values in data.items() for value in values]
        async with session.post(form_url, data=form, allow_redirects=False) as response:
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
            status = await action()
        except (TimeoutError, aiohttp.ClientError) as error:
            status = type(error).__name__
        if status == stats.expected:
            stats.latencies.append(time.perf_counter() - started)
        else:
            stats.failures[status] += 1


async def sustained(name, action, *, seconds, concurrency, expected=302, warmup=1.0):
    """Run `action()` (which returns an HTTP status) from `concurrency` clients for
    `seconds`, after `warmup` seconds that are not counted; any status but `expected`
    is a failure, counted by status (warm-up failures included)."""
    warm = Stats(name, expected)
    await asyncio.gather(
        *(_loop(warm, time.perf_counter() + warmup, action) for _ in range(concurrency))
    )
    stats = Stats(name, expected, failures=warm.failures)
    started = time.perf_counter()
    await asyncio.gather(*(_loop(stats, started + seconds, action) for _ in range(concurrency)))
    stats.seconds = time.perf_counter() - started
    return stats


def registration_action(conn, form_url, choose):
    """One full registration (GET + POST) by a new visitor; returns the POST's status.
    `choose`: {round field name: [session pks]} -> {round field name: session pk}."""

    async def action():
        status, _ = await register(conn, form_url, choices=choose)
        return status

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
                timeout=RUSH_TIMEOUT,
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
