"""Two app servers (gunicorn, production settings) on one PostgreSQL and one Redis, as
behind a load balancer: a registration rush sent to both never overbooks a breakout,
and a client's rate limit is counted once across both."""

import asyncio
import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from bench import driver
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from tests.factories import BreakoutRoundFactory, BreakoutSessionFactory, EventFactory, ThemeFactory
from tests.servers import collectstatic, forget_cached, free_port, gunicorn, plain_http_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CAPACITY = 10
DELEGATES = 60


@pytest.fixture
def servers():
    """Two gunicorn instances sharing the test database and one Redis; their base URLs."""
    env = plain_http_env()
    collectstatic(env)
    with gunicorn(env, [free_port(), free_port()]) as urls:
        yield urls
    forget_cached(env)


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
