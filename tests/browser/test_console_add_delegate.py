"""An organiser adds a delegate in the admin, in Chromium (en-GB): from the event's card,
breakouts chosen on the same page (a full session puts them on its waitlist), and the
delegate, in a browser of their own, opens the manage link the confirmation carries.
Ticking "Don't email them" sends nothing."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from symposium.enums import RegistrationSource, RegistrationStatus
from symposium.models import Delegate
from tests.browser.test_console import organiser_account, sign_in
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    EventFactory,
    event_day_at,
)

pytestmark = [pytest.mark.postgres]
MANAGE_LINK = re.compile(r"https?://\S+/manage/[^/\s]+/")
EVENT_NAME = "Kent and Medway ICS symposium"


@pytest.fixture
def event():
    event = EventFactory(name=EVENT_NAME, slug="kent-medway")
    morning = BreakoutRoundFactory(event=event, title="Morning breakouts")
    afternoon = BreakoutRoundFactory(
        event=event,
        title="Afternoon breakouts",
        starts_at=event_day_at(event, 15, 30),
        ends_at=event_day_at(event, 16, 30),
    )
    full = BreakoutSessionFactory(
        theme__event=event, theme__title="Crisis care", agenda_item=morning, capacity=1
    )
    BreakoutSessionFactory(
        theme__event=event, theme__title="Prevention", agenda_item=afternoon, capacity=20
    )
    BreakoutChoiceFactory(session=full)
    return event


def add_from_the_dashboard(page, *, dont_email=False):
    page.goto("/admin/")
    page.get_by_role("link", name="Add a delegate").click()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Added")
    page.get_by_role("textbox", name="Email").fill("ada.added@example.org")
    page.get_by_label("Organisation").fill("Medway Council")
    page.get_by_label("Sector").select_option(label="Local council")
    page.get_by_label(re.compile(r"Crisis care")).check()
    page.get_by_label(re.compile(r"Prevention")).check()
    if dont_email:
        page.get_by_label("Don't email them").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()


def test_an_organiser_adds_a_delegate_who_opens_the_emailed_link(page, new_page, event):
    organiser = organiser_account()
    sign_in(page, organiser)

    add_from_the_dashboard(page)

    expect(page.locator(".messagelist")).to_contain_text(
        "Ada Added has a place. Breakouts: Crisis care (on the waitlist), Prevention "
        "(confirmed). Their confirmation and personal link were emailed to "
        "ada.added@example.org."
    )
    delegate = Delegate.objects.get(email="ada.added@example.org")
    assert (delegate.status, delegate.source) == (
        RegistrationStatus.CONFIRMED,
        RegistrationSource.ADMIN,
    )
    assert (delegate.added_by, delegate.privacy_consent_at) == (organiser, None)
    assert sorted(
        BreakoutChoice.objects.filter(delegate=delegate).values_list(
            "session__theme__title", "status"
        )
    ) == [("Crisis care", ChoiceStatus.WAITLISTED), ("Prevention", ChoiceStatus.CONFIRMED)]
    [message] = mail.outbox
    assert message.to == ["ada.added@example.org"]
    assert message.subject == f"Your place at {EVENT_NAME} is confirmed"

    delegates_browser = new_page()  # no cookies of the organiser's
    delegates_browser.goto(MANAGE_LINK.search(message.body).group())
    expect(delegates_browser.get_by_role("heading", level=1)).to_have_text("Your registration")
    expect(delegates_browser.get_by_label("Email")).to_have_value("ada.added@example.org")


def test_dont_email_them_sends_nothing(page, event):
    sign_in(page, organiser_account())

    add_from_the_dashboard(page, dont_email=True)

    expect(page.locator(".messagelist")).to_contain_text("They were not emailed, as you chose.")
    assert Delegate.objects.filter(email="ada.added@example.org").exists()
    assert mail.outbox == []
