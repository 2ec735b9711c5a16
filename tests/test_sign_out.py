"""A session that has ended stays ended on every server, whatever Redis does.

Two app servers (gunicorn, production settings) on one PostgreSQL and one Redis; server
A reaches Redis through a relay that the test cuts, server B reaches it directly. A
member of staff signs out on A (or their password is changed there, or their account
is deactivated) while A cannot reach Redis: their old session cookie is refused by B at
once, and by both once A reaches Redis again.
"""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import UserFactory
from tests.relay import Visitor, admits, redis_behind_relay, two_servers  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def staff(two_servers):  # noqa: F811 - the fixture imported above
    two_servers[2].restore()  # whatever an earlier test left
    return UserFactory(is_staff=True, is_superuser=True)


def assert_refused_everywhere(servers, cookie, relay):
    a, b, _ = servers
    assert not admits(b, cookie)  # B reads Redis, which A could not tell
    assert not admits(a, cookie)
    relay.restore()
    assert not admits(b, cookie)
    assert not admits(a, cookie)


def test_a_sign_out_while_redis_is_out_of_reach_is_a_sign_out_on_every_server(
    two_servers,  # noqa: F811 - the fixture imported above
    staff,
):
    a, b, relay = two_servers
    browser = Visitor()
    cookie = browser.sign_in(a, staff.username, PASSWORD)
    assert admits(a, cookie)
    assert admits(b, cookie)

    relay.cut()
    browser.sign_out(a)

    assert_refused_everywhere(two_servers, cookie, relay)
    # Signing in again works on both, Redis back.
    cookie = Visitor().sign_in(b, staff.username, PASSWORD)
    assert admits(a, cookie)
    assert admits(b, cookie)


def test_a_deactivated_account_is_signed_out_on_every_server(
    two_servers,  # noqa: F811 - the fixture imported above
    staff,
):
    a, b, relay = two_servers
    cookie = Visitor().sign_in(a, staff.username, PASSWORD)
    assert admits(a, cookie)
    assert admits(b, cookie)

    relay.cut()
    get_user_model().objects.filter(pk=staff.pk).update(is_active=False)

    assert_refused_everywhere(two_servers, cookie, relay)


def test_a_changed_password_signs_out_every_other_session_on_every_server(
    two_servers,  # noqa: F811 - the fixture imported above
    staff,
):
    a, b, relay = two_servers
    laptop, phone = Visitor(), Visitor()
    laptop.sign_in(a, staff.username, PASSWORD)
    lost_phone = phone.sign_in(b, staff.username, PASSWORD)
    assert admits(a, lost_phone)
    assert admits(b, lost_phone)

    relay.cut()
    laptop.change_password(a, PASSWORD, "a-new-long-passphrase-2027")

    # The session that changed it goes on (Django's update_session_auth_hash)...
    assert admits(a, laptop.cookies["sessionid"])
    assert admits(b, laptop.cookies["sessionid"])
    # ...every other one is over.
    assert_refused_everywhere(two_servers, lost_phone, relay)
