"""Redis is a cache, not a single point of failure (symposium.web.cache): with it gone, every
page, registration, the manage link and the admin still answer; rate limits fail open;
sessions come from the database; it is logged once; and when it is back it is used
again. The Redis is the test's own, really killed or really out of reach."""

import logging
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from symposium.models import Delegate
from tests.factories import DelegateFactory, EventFactory, UserFactory
from tests.helpers import manage_url
from tests.redis_server import own_redis  # noqa: F401 - a fixture
from tests.registration.test_registration import form_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RETRY_SECONDS = 0.2
PASSWORD = "correct-horse-battery"


@pytest.fixture
def redis_cache(settings, own_redis):  # noqa: F811 - the fixture imported above
    """Production's cache, on the test's own Redis (sessions are in the database)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "symposium.web.cache.FailOpenRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.25,
                "retry_seconds": RETRY_SECONDS,
            },
        }
    }
    return own_redis


@pytest.fixture
def cache_log(caplog):
    caplog.set_level(logging.INFO, logger="symposium.web.cache")

    def records(level):
        return [r for r in caplog.records if r.name == "symposium.web.cache" and r.levelno == level]

    return records


def csrf_token(response):
    return CSRF_INPUT.search(response.content.decode()).group(1)


def admin_login(client, user):
    login = reverse("admin:login")
    page = client.get(login)
    assert page.status_code == 200
    data = {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    return client.post(login, data | {"csrfmiddlewaretoken": csrf_token(page)})


def register(client, url, email):
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(email=email) | {"csrfmiddlewaretoken": csrf_token(page)}
    return client.post(url, data)


def test_with_redis_killed_the_site_works_and_uses_redis_again_when_it_returns(
    redis_cache, cache_log, django_capture_on_commit_callbacks
):
    event = EventFactory(name="Kent and Medway ICS symposium")
    delegate = DelegateFactory(event=event)
    organiser = UserFactory(is_staff=True, is_superuser=True)
    public = [
        event.get_absolute_url(),
        reverse("symposium:agenda", kwargs={"slug": event.slug}),
        reverse("symposium:privacy", kwargs={"slug": event.slug}),
    ]
    register_url = reverse("registration:register", kwargs={"event_slug": event.slug})
    signed_in = Client(enforce_csrf_checks=True)
    assert admin_login(signed_in, organiser).status_code == 302
    for url in public:
        assert Client().get(url).status_code == 200
    assert redis_cache.stored_keys()

    redis_cache.kill()

    visitor = Client(enforce_csrf_checks=True)
    for _ in range(3):
        for url in public:
            response = visitor.get(url)
            assert response.status_code == 200
            assert b"Kent and Medway ICS symposium" in response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = register(visitor, register_url, "priya.oneill@nhs.net")
    assert response.status_code == 302
    assert Delegate.objects.filter(email="priya.oneill@nhs.net").exists()
    assert visitor.get(manage_url(delegate)).status_code == 200
    # Signed in before Redis went: the session is still there, read from the database.
    assert signed_in.get("/admin/").status_code == 200
    # Signing in while it is gone works too.
    newcomer = Client(enforce_csrf_checks=True)
    assert admin_login(newcomer, organiser).status_code == 302
    assert newcomer.get("/admin/").status_code == 200
    assert len(cache_log(logging.WARNING)) == 1
    assert cache_log(logging.INFO) == []

    redis_cache.start()  # empty, on the same port
    time.sleep(RETRY_SECONDS)

    assert visitor.get(public[0]).status_code == 200
    assert redis_cache.stored_keys()
    assert len(cache_log(logging.INFO)) == 1
    assert newcomer.get("/admin/").status_code == 200
    assert len(cache_log(logging.WARNING)) == 1


def test_every_cache_operation_misses_or_does_nothing_while_redis_is_gone(redis_cache, cache_log):
    cache.set("kept", "value")
    redis_cache.kill()

    assert cache.get("kept") is None
    assert cache.get("kept", "default") == "default"
    assert cache.get_many(["kept", "other"]) == {}
    assert cache.add("new", 1) is False
    assert cache.get_or_set("computed", lambda: "fresh") == "fresh"
    assert cache.has_key("kept") is False
    assert cache.touch("kept") is False
    assert cache.delete("kept") is False
    cache.set("kept", "new value")
    cache.set_many({"a": 1, "b": 2})
    cache.delete_many(["a", "b"])
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
    with pytest.raises(ValueError, match="not found"):
        cache.decr("counter")
    assert len(cache_log(logging.WARNING)) == 1


@pytest.fixture
def tight_manage_limit(settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"manage": {"ip": "2/m"}}


def test_rate_limits_count_in_redis_and_let_everyone_through_while_it_is_gone(
    redis_cache, tight_manage_limit, client
):
    url = manage_url(DelegateFactory())
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]

    redis_cache.kill()

    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]


def test_healthz_reports_redis_down_but_stays_in_service(redis_cache, client):
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "worker": "stopped",
    }

    redis_cache.kill()

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "down",
        "worker": "stopped",
    }


def test_healthz_pings_redis_at_most_once_a_second_per_process(redis_cache, client, settings):
    """The ping is /healthz's costliest part after the database: each process reuses its
    last answer for HEALTH_CACHE_SECONDS, so Redis going away shows within that time."""
    assert client.get("/healthz").json()["cache"] == "ok"  # Read now (the tests' 0 s).
    settings.HEALTH_CACHE_SECONDS = 60

    redis_cache.kill()

    # Read less than a minute ago: this process says what it saw then.
    assert client.get("/healthz").json()["cache"] == "ok"
    settings.HEALTH_CACHE_SECONDS = 0.2
    time.sleep(0.25)
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "down",
        "worker": "stopped",
    }


class OutOfReach:
    """The Redis keeps its data but refuses the app (a password it does not know, its
    connections dropped), as a Redis behind a network fault would, until `end()`."""

    def __init__(self, server):
        self.admin = server.client()
        self.admin.ping()

    def start(self):
        self.admin.config_set("requirepass", "not-the-apps")
        self.admin.client_kill_filter(_type="normal", skipme=True)

    def end(self):
        self.admin.config_set("requirepass", "")
        time.sleep(RETRY_SECONDS)


def test_what_changed_while_redis_was_out_of_reach_is_not_served_stale_after(
    redis_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(name="Kent and Medway ICS symposium")
    organiser = UserFactory(is_staff=True, is_superuser=True)
    signed_in = Client(enforce_csrf_checks=True)
    assert admin_login(signed_in, organiser).status_code == 302
    session_cookie = signed_in.cookies["sessionid"].value
    assert b"Kent and Medway ICS" in Client().get(event.get_absolute_url()).content
    out_of_reach = OutOfReach(redis_cache)

    out_of_reach.start()
    logout_page = signed_in.get("/admin/")
    signed_in.post("/admin/logout/", {"csrfmiddlewaretoken": csrf_token(logout_page)})
    event.name = "Medway partners day"
    with django_capture_on_commit_callbacks(execute=True):
        event.save()
    assert b"Medway partners day" in Client().get(event.get_absolute_url()).content
    out_of_reach.end()

    # Redis still held the signed-out session and the old version of the pages.
    stolen = Client()
    stolen.cookies["sessionid"] = session_cookie
    assert stolen.get("/admin/").status_code == 302
    assert b"Medway partners day" in Client().get(event.get_absolute_url()).content
