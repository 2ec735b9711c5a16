"""The issue's figure, as production receives it: 200 registrations of a partner's
people POSTed at once for the last 3 seats of its quota, to two app servers (gunicorn,
production settings) on one PostgreSQL, confirm exactly 3; the rest are on the quota's
waitlist, and each was told which on the page they landed on.

200 database connections at once are not possible here (PostgreSQL's max_connections is
100) nor in production: the servers' workers are the bound, 2 servers × 4 sync
workers = 8 connections, and the other POSTs wait in gunicorn's listen queue as they
would behind the balancer."""

import datetime as dt
import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.utils import timezone

from bench.browser_form import browser_post_data
from partners.models import SeatQuota
from registration import services
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate
from tests.factories import EventFactory, OrganisationFactory
from tests.servers import collectstatic, forget_cached, free_port, gunicorn, plain_http_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PEOPLE = 200
SERVERS = 2
WORKERS = 4  # Per server: 8 database connections in all.


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor: their own cookies and address (the balancer's X-Forwarded-For)."""

    def __init__(self, number):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )
        self.address = f"10.9.{number // 256}.{number % 256}"

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"X-Forwarded-For": self.address})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            return error.code, error.headers, error.read().decode(errors="replace")


@pytest.fixture
def servers():
    env = plain_http_env(WEB_CONCURRENCY=str(WORKERS))
    collectstatic(env)
    with gunicorn(env, [free_port() for _ in range(SERVERS)]) as urls:
        yield urls
    forget_cached(env)


def register(event, partner=None, number=0):
    return services.register_delegate(
        event=event,
        first_name="Earlier",
        last_name=f"Delegate {number}",
        email=f"earlier{number}@example.org",
        organisation=partner.name if partner else "Somewhere else",
        sector=Sector.COUNCIL if partner else Sector.OTHER,
        directory_entry=partner,
    ).delegate


def test_200_posts_at_once_for_a_quotas_last_3_seats_confirm_exactly_3(servers):
    now = timezone.now()
    event = EventFactory(
        delegate_capacity=60,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=1),
    )
    medway = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    kept = SeatQuota.objects.create(
        event=event, seats=10, release_at=now + dt.timedelta(days=10), organisation=medway
    )
    for number in range(7):
        register(event, medway, number)
    for number in range(7, 57):
        register(event, None, number)
    assert Delegate.objects.filter(event=event).confirmed().count() == 57  # 3 left: Medway's.

    browsers = [Browser(n) for n in range(PEOPLE)]
    forms = [f"{servers[n % SERVERS]}/events/{event.slug}/register/" for n in range(PEOPLE)]
    barrier = threading.Barrier(PEOPLE)
    outcomes, errors = [None] * PEOPLE, []

    def one(n):
        try:
            browser, url = browsers[n], forms[n]
            status, _, html = browser.request(url)
            assert status == 200, status
            data = browser_post_data(
                html,
                {
                    "first_name": "Medway",
                    "last_name": f"Officer {n}",
                    "email": f"officer{n}@medway.example.org",
                    "organisation": "medway council",  # As typed: the directory finds it.
                    "sector": "other",
                    "privacy_consent": "on",
                },
            )
            barrier.wait(timeout=120)
            status, headers, _ = browser.request(url, data)
            if status != 302:
                outcomes[n] = (status, "")
                return
            done = urllib.parse.urljoin(url, headers["Location"])
            done_status, _, page = browser.request(done)
            outcomes[n] = (status if done_status == 200 else done_status, page)
        except Exception as error:  # Reported below, not lost in a thread.
            errors.append(repr(error))
            barrier.abort()

    started = time.perf_counter()
    threads = [threading.Thread(target=one, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    seconds = time.perf_counter() - started

    assert errors == []
    statuses = [status for status, _ in outcomes]
    assert statuses == [302] * PEOPLE  # No 5xx, no rate limit: each from their own address.
    officers = Delegate.objects.filter(event=event, email__endswith="@medway.example.org")
    assert officers.count() == PEOPLE
    assert officers.filter(status=RegistrationStatus.CONFIRMED).count() == 3
    assert officers.filter(status=RegistrationStatus.WAITLISTED).count() == PEOPLE - 3
    # Every one of them counts against Medway's quota: its waitlist, not the general one.
    assert officers.filter(quota_place__quota=kept).count() == PEOPLE
    assert Delegate.objects.filter(event=event).confirmed().count() == event.delegate_capacity
    assert set(officers.values_list("organisation", "sector")) == {
        ("Medway Council", Sector.COUNCIL)
    }
    told = [page for _, page in outcomes]
    assert sum("<h1>You are registered</h1>" in page for page in told) == 3
    assert sum("<h1>You are on the waitlist</h1>" in page for page in told) == PEOPLE - 3
    assert seconds < 60
