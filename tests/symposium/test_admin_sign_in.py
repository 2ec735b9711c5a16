"""The admin sign-in behind the documented load balancer (TRUSTED_PROXY_COUNT=1): the
lockout and the throttle count the client's address, and bad usernames get the form's
error. Every attempt goes through the login form as served, CSRF token included."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ATTACKER = "192.0.2.66"  # documentation addresses (RFC 5737): never real hosts
ORGANISER_DESK = "198.51.100.7"
BALANCER = "10.0.0.2"
PASSWORD = "correct horse battery staple"


class Browser:
    """One visitor behind the balancer, which appends their address to X-Forwarded-For."""

    def __init__(self, address):
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"REMOTE_ADDR": BALANCER, "HTTP_X_FORWARDED_FOR": address}

    def sign_in(self, username, password):
        page = self.client.get("/admin/login/?next=/admin/", **self.headers).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        data = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        return self.client.post("/admin/login/?next=/admin/", data, **self.headers)


@pytest.fixture
def behind_the_balancer(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def organiser_account(db):
    return UserFactory(username="organiser", is_staff=True, password=PASSWORD)


def test_failures_from_one_address_never_lock_the_organiser_out_at_another(
    behind_the_balancer, organiser_account
):
    attacker = Browser(ATTACKER)
    answers = [attacker.sign_in("organiser", "guess").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    response = Browser(ORGANISER_DESK).sign_in("organiser", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]
    # The attacker's address stays locked for that username, right password or not.
    assert attacker.sign_in("organiser", PASSWORD).status_code == 429


def test_one_address_trying_many_usernames_is_throttled(behind_the_balancer, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"login": {"ip": "6/10m"}}
    UserFactory(username="organiser", is_staff=True, password=PASSWORD)
    attacker = Browser(ATTACKER)
    answers = [attacker.sign_in(f"user{n}", "Summer2025!").status_code for n in range(7)]
    assert answers == [200] * 6 + [429]
    response = attacker.sign_in("organiser", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 600
    # The throttle is per address: the organiser at their desk signs in.
    assert Browser(ORGANISER_DESK).sign_in("organiser", PASSWORD).status_code == 302


def test_the_configured_login_limit_is_per_address_over_all_usernames(settings):
    assert settings.RATE_LIMITS["login"] == {"ip": "30/10m"}
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.parametrize(
    "username",
    ["o" * 10_000, "o" * 256, "organiser\x00", "\x00" * 300],
    ids=["10000-characters", "256-characters", "with-nul", "300-nuls"],
)
def test_a_bad_username_gets_the_login_pages_error_not_a_500(organiser_account, username):
    response = Browser(ATTACKER).sign_in(username, "guess")
    assert response.status_code == 200
    errors = response.context["form"].errors["username"]
    assert errors[0] in {
        f"Ensure this value has at most 150 characters (it has {len(username)}).",
        "Null characters are not allowed.",
    }
    assert 'class="errornote"' in response.content.decode()
