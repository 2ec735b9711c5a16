"""Signing out of the admin in Chromium ends the session for good, even when the server
signed out on cannot reach Redis: the same cookie, put into another browser, opens
nothing on the other server, nor on either once Redis is reachable again.

Two gunicorn servers in production settings (tests/relay.py): A reaches Redis through
a relay the test cuts, B reaches it directly.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.factories import UserFactory
from tests.relay import redis_behind_relay, two_servers  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def new_context(browser, base):
    context = browser.new_context(viewport=DESKTOP, base_url=base, locale="en-GB")
    context.set_default_timeout(10_000)
    return context


def assert_sign_in_page(page, url):
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_a_session_signed_out_in_the_browser_opens_nothing_anywhere_after(
    browser,
    two_servers,  # noqa: F811 - the fixture imported above
):
    a, b, relay = two_servers
    relay.restore()
    staff = UserFactory(is_staff=True, is_superuser=True, username="amara.osei")
    own = new_context(browser, a)
    page = own.new_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    [session] = [cookie for cookie in own.cookies() if cookie["name"] == "sessionid"]
    # Opened on B too while signed in: the session is known everywhere.
    page.goto(f"{b}/admin/")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto(f"{a}/admin/")

    relay.cut()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("Thanks for spending some quality time")).to_be_visible()
    assert [cookie for cookie in own.cookies() if cookie["name"] == "sessionid"] == []

    # Someone who copied the cookie before (a shared computer, a stolen cookie). A
    # refused cookie is deleted by the answer: it is put back before each try.
    copied = new_context(browser, b)
    other = copied.new_page()
    for restored in (False, True):
        if restored:
            relay.restore()
        for server in (b, a):
            copied.add_cookies([{**session, "domain": "127.0.0.1", "path": "/"}])
            assert_sign_in_page(other, f"{server}/admin/")
    own.close()
    copied.close()
