"""A registration sent after the browser lost this site's cookies (blocked, or cleared
while the form was open): the page that says so meets WCAG 2.2 AA and leads back to
the form, which then works."""

import pytest

from symposium.models import Delegate
from tests.browser.conftest import SLUG, axe_violations
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fill_registration(page):
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("O'Neill")
    page.get_by_label("Email address").fill("priya.oneill@nhs.net")
    page.get_by_label("Organisation").fill("Kent and Medway ICB")
    page.get_by_label("Sector").select_option("nhs")
    page.get_by_label("I have read the privacy notice", exact=False).check()


def test_form_sent_without_cookies_explains_and_leads_back_to_the_form(new_page, axe):
    EventFactory(name="Kent and Medway ICS symposium", slug=SLUG)
    page = new_page()
    page.goto(f"/events/{SLUG}/register/")
    fill_registration(page)
    page.context.clear_cookies()

    with page.expect_response(f"**/events/{SLUG}/register/") as sent:
        page.get_by_role("button", name="Register").click()

    assert sent.value.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Sorry, your form could not be sent"
    )
    assert "It may be blocking cookies" in page.locator("main").inner_text()
    assert axe_violations(axe, page) == ""
    assert page.script_errors == []
    assert not Delegate.objects.exists()

    page.get_by_role("link", name="Open the form again").click()
    fill_registration(page)
    page.get_by_role("button", name="Register").click()

    page.get_by_role("heading", name="You are registered").wait_for()
    assert Delegate.objects.get().email == "priya.oneill@nhs.net"
