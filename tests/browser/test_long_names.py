"""A delegate whose name is one long word (100 characters, as the form allows) still
gets pages that fit a 375 px phone, and the printed agenda says which event it is."""

import pytest

from symposium.tokens import make_manage_token
from tests.browser.conftest import SLUG, axe_violations
from tests.factories import AgendaItemFactory, DelegateFactory, EventFactory, event_day_at

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_375 = {"width": 375, "height": 812}
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff" * 2 + "x" * 30
LONG_EMAIL = "a" * 60 + "@" + "kent-and-medway-integrated-care-board-partnerships" * 1 + ".nhs.uk"


@pytest.fixture
def event():
    event = EventFactory(name="Kent and Medway ICS symposium", slug=SLUG)
    AgendaItemFactory(
        event=event,
        title="Welcome",
        starts_at=event_day_at(event, 9, 30),
        ends_at=event_day_at(event, 10),
    )
    return event


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_long_name_fits_the_manage_and_cancel_pages_at_375_px(event, new_page):
    assert len(LONG_NAME) == 100
    delegate = DelegateFactory(event=event, first_name=LONG_NAME, last_name=LONG_NAME)
    manage = f"/events/{SLUG}/manage/{make_manage_token(delegate)}/"
    page = new_page(PHONE_375)

    widths = {}
    for name, path in {"manage": manage, "cancel": f"{manage}cancel/"}.items():
        page.goto(path)
        assert LONG_NAME in page.content()
        widths[name] = page_width(page)

    assert widths == {"manage": 375, "cancel": 375}


def test_long_name_and_address_fit_the_registered_page_at_375_px(event, new_page, axe):
    page = new_page(PHONE_375)
    page.goto(f"/events/{SLUG}/register/")
    page.get_by_label("First name").fill(LONG_NAME)
    page.get_by_label("Last name").fill(LONG_NAME)
    page.get_by_label("Email address").fill(LONG_EMAIL)
    page.get_by_label("Organisation").fill("Kent and Medway ICB")
    page.get_by_label("Sector").select_option("nhs")
    page.get_by_label("I have read the privacy notice", exact=False).check()
    page.get_by_role("button", name="Register").click()

    page.get_by_role("heading", name="You are registered").wait_for()
    assert LONG_EMAIL in page.content()
    assert page_width(page) == 375
    assert axe_violations(axe, page) == ""


def test_printed_agenda_names_the_event(event, new_page):
    page = new_page()
    page.goto(f"/events/{SLUG}/agenda/")
    page.emulate_media(media="print")

    printed = page.evaluate("document.body.innerText")

    assert "Kent and Medway ICS symposium" in printed
    assert page.locator("main").get_by_text("Kent and Medway ICS symposium").is_visible()
    # On screen the site's header names it already, once.
    page.emulate_media(media="screen")
    assert page.evaluate("document.body.innerText").count("Kent and Medway ICS symposium") == 1
