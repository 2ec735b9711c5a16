"""A delegate's whole journey in Chromium, by labels and roles as a person would:
register with a breakout, open the emailed link, change the breakout, cancel; and the
places this frees go to the people waiting for them. A second visitor, in a browser of
their own, registers straight after the first, from the same server and its cache."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from registration import services
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
)

EVENT_NAME = "Kent and Medway ICS symposium"
MANAGE_LINK = re.compile(r"https?://\S+/manage/[^/\s]+/")


@pytest.fixture
def event():
    """Four places at the event; one is taken by someone in the small breakout."""
    event = EventFactory(name=EVENT_NAME, slug="kent-medway", delegate_capacity=4)
    breakout_round = BreakoutRoundFactory(event=event, title="Breakout round 1")
    BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=1, title="Prevention and early help"),
        agenda_item=breakout_round,
        room=RoomFactory(event=event, name="Room A"),
        capacity=20,
    )
    crisis_care = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=2, title="Mental health crisis care"),
        agenda_item=breakout_round,
        room=RoomFactory(event=event, name="Room B"),
        capacity=2,
    )
    BreakoutChoiceFactory(session=crisis_care, status=ChoiceStatus.CONFIRMED)
    return event


def register_someone(event, name, sessions=()):
    return services.register_delegate(
        event=event,
        first_name=name.split()[0],
        last_name=name.split()[-1],
        email=f"{name.split()[0].lower()}@example.org",
        organisation="Medway Council",
        sector=Sector.COUNCIL,
        sessions=list(sessions),
    ).delegate


def fill_details(page, *, name, email):
    page.get_by_label("First name").fill(name.split()[0])
    page.get_by_label("Last name").fill(name.split()[-1])
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Organisation").fill("Kent Police")
    page.get_by_label("Sector").select_option(label="Police")
    page.get_by_label("Job title (optional)").fill("Chief Inspector")


def register_from_event_page(page, *, name, email):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(EVENT_NAME)
    page.get_by_role("main").get_by_role("link", name="Register", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Register for {EVENT_NAME}")

    fill_details(page, name=name, email=email)
    page.get_by_role("radio", name=re.compile(r"^Prevention and early help")).check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    expect(page.get_by_role("main")).to_contain_text("Prevention and early help")


def test_delegate_registers_changes_breakout_and_cancels(event, page, new_page):
    register_from_event_page(page, name="Priya Shah", email="priya.shah@kent.police.uk")
    delegate = Delegate.objects.get(event=event, email="priya.shah@kent.police.uk")
    assert delegate.status == RegistrationStatus.CONFIRMED
    assert delegate.full_name == "Priya Shah"
    assert delegate.sector == Sector.POLICE
    assert [message.to for message in mail.outbox] == [["priya.shah@kent.police.uk"]]
    assert mail.outbox[0].subject == f"Your place at {EVENT_NAME} is confirmed"
    manage_url = MANAGE_LINK.search(mail.outbox[0].body).group()

    # Someone else, with cookies of their own, is served the page the first visitor
    # warmed the cache with, and is just as welcome.
    register_from_event_page(new_page(), name="Tom Reeve", email="tom.reeve@kent.police.uk")
    colleague = Delegate.objects.get(event=event, email="tom.reeve@kent.police.uk")
    assert (colleague.full_name, colleague.status) == ("Tom Reeve", RegistrationStatus.CONFIRMED)
    assert mail.outbox[1].to == ["tom.reeve@kent.police.uk"]

    page.goto(manage_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration")
    expect(
        page.get_by_role("radio", name=re.compile(r"^Prevention and early help"))
    ).to_be_checked()
    page.get_by_role("radio", name=re.compile(r"^Mental health crisis care")).check()
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status")).to_contain_text("Your changes are saved")
    expect(page.locator(".registration-breakouts")).to_contain_text(
        "Mental health crisis care, Room B – place confirmed"
    )
    expect(
        page.get_by_role("radio", name=re.compile(r"^Mental health crisis care"))
    ).to_be_checked()
    choice = BreakoutChoice.objects.select_related("session__theme").get(delegate=delegate)
    assert (choice.session.theme.title, choice.status) == (
        "Mental health crisis care",
        ChoiceStatus.CONFIRMED,
    )

    # Now the small breakout and the event are full: one person queues for the
    # breakout, another for the event.
    crisis_care = choice.session
    breakout_queuer = register_someone(event, "Wendy Waits", sessions=[crisis_care])
    event_queuer = register_someone(event, "Ed Queue")
    assert BreakoutChoice.objects.get(delegate=breakout_queuer).status == ChoiceStatus.WAITLISTED
    assert event_queuer.status == RegistrationStatus.WAITLISTED
    mail.outbox.clear()

    page.get_by_role("link", name="Cancel your registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your registration")
    page.get_by_role("button", name="Yes, cancel my registration").click()

    expect(page.get_by_role("status")).to_contain_text("Your registration is cancelled")
    expect(page.get_by_role("main")).to_contain_text("This registration was cancelled on")
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)
    delegate.refresh_from_db()
    assert delegate.status == RegistrationStatus.CANCELLED
    assert delegate.cancelled_at is not None
    assert not BreakoutChoice.objects.filter(delegate=delegate).exists()
    assert BreakoutChoice.objects.get(delegate=breakout_queuer).status == ChoiceStatus.CONFIRMED
    event_queuer.refresh_from_db()
    assert event_queuer.status == RegistrationStatus.CONFIRMED
    assert Delegate.objects.filter(event=event).confirmed().count() == 4
    assert sorted((message.to[0], message.subject) for message in mail.outbox) == [
        ("ed@example.org", f"A place has come up: you are now confirmed for {EVENT_NAME}"),
        ("priya.shah@kent.police.uk", f"Your registration for {EVENT_NAME} is cancelled"),
        ("wendy@example.org", f"You now have a place in your breakout at {EVENT_NAME}"),
    ]


def test_invalid_email_shows_error_summary_linked_to_the_field(event, page):
    page.goto(f"/events/{event.slug}/register/")
    fill_details(page, name="Priya Shah", email="priya.shah-at-kent.police.uk")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    error_link = summary.get_by_role(
        "link", name="Enter an email address in the correct format, like name@example.com"
    )
    expect(error_link).to_have_count(1)
    error_link.click()
    expect(page.get_by_label("Email address")).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_value("priya.shah-at-kent.police.uk")
    expect(page.get_by_label("Last name")).to_have_value("Shah")
    assert not Delegate.objects.filter(event=event).exclude(first_name="Delegate").exists()
    assert mail.outbox == []
