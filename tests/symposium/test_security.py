"""Production settings, security headers, the admin lockout and the rate limits."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from symposium.models import Delegate
from symposium.tokens import make_manage_token
from tests.factories import DelegateFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ATTACKER = "192.0.2.66"  # documentation addresses (RFC 5737): never real hosts
ORGANISER_DESK = "198.51.100.7"


def production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PYTEST_CURRENT_TEST"}}
    env |= {
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-" + "x7Qp9!" * 8,
        "ALLOWED_HOSTS": "symposium.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:///unused.sqlite3"),
    }
    return env | overrides


def manage_py(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# Production settings ----------------------------------------------------------------


def test_production_settings_pass_the_deploy_check_at_warning_level():
    result = manage_py("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = manage_py("check", env=production_env(SECRET_KEY=""))
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_settings_require_redis_for_shared_rate_limits():
    result = manage_py("check", env=production_env(REDIS_URL=""))
    assert result.returncode != 0
    assert "Set REDIS_URL" in result.stderr


def test_proxy_settings_come_from_the_environment():
    env = production_env(
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
        CSRF_TRUSTED_ORIGINS="https://symposium.example.org",
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, "
        "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "symposium.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[["HTTP_X_FORWARDED_PROTO", "https"], ["https://symposium.example.org"], '
        "31536000, true, true]"
    )


# Headers ----------------------------------------------------------------------------


def test_public_pages_send_a_strict_content_security_policy(client):
    event = EventFactory()
    response = client.get(event.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_public_pages_send_referrer_and_permissions_policies(client):
    response = client.get(EventFactory().get_absolute_url())
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_admin_pages_are_under_the_content_security_policy_too(client):
    response = client.get("/admin/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


# Admin lockout ------------------------------------------------------------------------


def admin_login(client, password, address, username="organiser"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def organiser_account(db):
    user = UserFactory(username="organiser", is_staff=True)
    user.set_password("correct horse battery staple")
    user.save()
    return user


def test_admin_login_locks_out_after_five_failures(client, organiser_account):
    answers = [admin_login(client, "guess", ATTACKER).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    response = admin_login(client, "correct horse battery staple", ATTACKER)
    assert response.status_code == 429
    assert "Sign-in locked for now" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_lockout_does_not_lock_the_organiser_out_elsewhere(client, organiser_account):
    for _ in range(6):
        admin_login(client, "guess", ATTACKER)
    response = admin_login(client, "correct horse battery staple", ORGANISER_DESK)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_admin_lockout_lifts_after_the_cool_off(client, organiser_account):
    for _ in range(5):
        admin_login(client, "guess", ATTACKER)
    assert admin_login(client, "correct horse battery staple", ATTACKER).status_code == 429
    # Fifteen minutes later (moved in the database, as the clock would move it):
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert admin_login(client, "correct horse battery staple", ATTACKER).status_code == 302


# Rate limits --------------------------------------------------------------------------


@pytest.fixture
def tight_limits(settings):
    settings.RATE_LIMITS = {
        "register": {"ip": "3/10m", "email": "2/h"},
        "resend-link": {"ip": "3/10m", "email": "2/h"},
        "manage": {"ip": "4/m"},
    }


def registration(email, name="Sam Taylor"):
    return {
        "first_name": name.split()[0],
        "last_name": name.split()[-1],
        "email": email,
        "organisation": "Dover District Council",
        "sector": "council",
        "privacy_consent": "on",
    }


def test_registration_is_limited_per_client_address(client, tight_limits):
    url = reverse("registration:register", kwargs={"event_slug": EventFactory().slug})
    for number in range(3):
        response = client.post(
            url, registration(f"person{number}@example.org"), REMOTE_ADDR=ATTACKER
        )
        assert response.status_code == 302
    response = client.post(url, registration("person9@example.org"), REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    minutes = int(re.search(r"Please try again in (\d+) minutes?\.", response.content.decode())[1])
    assert 1 <= minutes <= 10
    assert 0 < int(response["Retry-After"]) <= 600
    assert Delegate.objects.count() == 3
    # Another address is not held up by the first one's limit.
    response = client.post(url, registration("other@example.org"), REMOTE_ADDR=ORGANISER_DESK)
    assert response.status_code == 302


def test_registration_is_limited_per_email_whatever_the_address(client, tight_limits):
    url = reverse("registration:register", kwargs={"event_slug": EventFactory().slug})
    for address in ("203.0.113.1", "203.0.113.2"):
        client.post(url, registration("Sam@Example.org"), REMOTE_ADDR=address)
    response = client.post(url, registration("sam@example.org "), REMOTE_ADDR="203.0.113.3")
    assert response.status_code == 429


def test_reading_the_registration_form_is_not_limited(client, tight_limits):
    url = reverse("registration:register", kwargs={"event_slug": EventFactory().slug})
    assert {client.get(url, REMOTE_ADDR=ATTACKER).status_code for _ in range(6)} == {200}


def test_resending_the_manage_link_is_limited(client, tight_limits, mailoutbox):
    event = EventFactory()
    DelegateFactory(event=event, email="sam@example.org")
    url = reverse("registration:resend-link", kwargs={"event_slug": event.slug})
    answers = [
        client.post(url, {"email": "sam@example.org"}, REMOTE_ADDR=f"203.0.113.{n}").status_code
        for n in range(1, 4)
    ]
    assert answers == [302, 302, 429]


def test_manage_link_guessing_is_limited_per_address(client, tight_limits):
    delegate = DelegateFactory(event=EventFactory())
    good = reverse(
        "registration:manage",
        kwargs={"event_slug": delegate.event.slug, "token": make_manage_token(delegate)},
    )
    guesses = [client.get(good[:-3] + f"x{n}/", REMOTE_ADDR=ATTACKER).status_code for n in range(4)]
    assert guesses == [404, 404, 404, 404]
    assert client.get(good, REMOTE_ADDR=ATTACKER).status_code == 429
    assert client.get(good, REMOTE_ADDR=ORGANISER_DESK).status_code == 200


def test_rate_limits_can_be_switched_off_for_benchmarks(client, tight_limits, settings):
    settings.RATELIMIT_ENABLE = False
    url = reverse("registration:register", kwargs={"event_slug": EventFactory().slug})
    answers = {
        client.post(url, registration(f"p{n}@example.org"), REMOTE_ADDR=ATTACKER).status_code
        for n in range(5)
    }
    assert answers == {302}


def test_client_address_behind_a_trusted_proxy_is_the_one_it_appended(
    client, tight_limits, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("registration:register", kwargs={"event_slug": EventFactory().slug})
    for n in range(3):
        # The attacker forges the first entry each time; the proxy appends the real one.
        forwarded = f"203.0.113.{n}, {ATTACKER}"
        client.post(url, registration(f"p{n}@example.org"), HTTP_X_FORWARDED_FOR=forwarded)
    response = client.post(
        url, registration("p9@example.org"), HTTP_X_FORWARDED_FOR=f"203.0.113.99, {ATTACKER}"
    )
    assert response.status_code == 429
