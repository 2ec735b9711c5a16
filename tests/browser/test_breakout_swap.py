"""Moving to a full breakout in Chromium: the page asks first, the delegate keeps their
place, and when someone else cancels they find themselves in the new breakout."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from breakouts import services as breakout_services
from breakouts.enums import ChoiceStatus
from symposium.tokens import make_manage_token
from tests.browser.conftest import axe_violations
from tests.factories import (
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
)

EVENT_NAME = "Kent and Medway ICS symposium"


def delegate_choosing(event, email, sessions):
    delegate = DelegateFactory(event=event, email=email)
    breakout_services.set_breakout_choices(delegate=delegate, sessions=sessions)
    return delegate


@pytest.fixture
def world():
    """Two one-place breakouts in one round, both taken; someone waits for the first."""
    event = EventFactory(name=EVENT_NAME, slug="kent-medway")
    breakout_round = BreakoutRoundFactory(event=event, title="Breakout round 1")
    prevention, crisis_care = (
        BreakoutSessionFactory(
            theme=ThemeFactory(event=event, number=number, title=title),
            agenda_item=breakout_round,
            room=RoomFactory(event=event, name=room),
            capacity=1,
        )
        for number, title, room in [
            (1, "Prevention and early help", "Room A"),
            (2, "Mental health crisis care", "Room B"),
        ]
    )
    return {
        "event": event,
        "priya": delegate_choosing(event, "priya@example.org", [prevention]),
        "holly": delegate_choosing(event, "holly@example.org", [crisis_care]),
        "wendy": delegate_choosing(event, "wendy@example.org", [prevention]),
    }


def manage_path(delegate):
    return f"/events/{delegate.event.slug}/manage/{make_manage_token(delegate)}/"


def breakouts_of(delegate):
    return sorted(
        (choice.session.theme.title, choice.status) for choice in delegate.breakout_choices.all()
    )


def test_delegate_keeps_place_until_the_full_breakout_has_room(world, new_page, axe):
    priya, holly, wendy = world["priya"], world["holly"], world["wendy"]
    page = new_page()
    page.goto(manage_path(priya))
    page.get_by_role("radio", name=re.compile(r"^Mental health crisis care")).check()
    page.get_by_role("button", name="Save changes").click()

    question = page.get_by_role("alert")
    expect(question.get_by_role("heading")).to_have_text("Nothing is saved yet")
    keep = page.get_by_role(
        "radio",
        name="Keep my place in Prevention and early help until a place in Mental health "
        "crisis care comes up (recommended)",
    )
    expect(keep).to_be_checked()
    give_up = page.get_by_role(
        "radio",
        name="Give up my place in Prevention and early help and join the waitlist for Mental "
        "health crisis care",
    )
    expect(give_up).not_to_be_checked()
    question.get_by_role("link").click()
    expect(keep).to_be_focused()
    assert axe_violations(axe, page) == ""
    assert page.script_errors == []
    assert breakouts_of(priya) == [("Prevention and early help", ChoiceStatus.CONFIRMED)]

    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status")).to_contain_text("Your changes are saved")
    expect(page.locator(".registration-breakouts")).to_contain_text(
        "Prevention and early help, Room A – your place, waiting for Mental health crisis "
        "care (position 1)"
    )
    assert breakouts_of(priya) == [
        ("Mental health crisis care", ChoiceStatus.WAITLISTED),
        ("Prevention and early help", ChoiceStatus.CONFIRMED),
    ]
    mail.outbox.clear()

    other = new_page()
    other.goto(manage_path(holly))
    other.get_by_role("link", name="Cancel your registration").click()
    other.get_by_role("button", name="Yes, cancel my registration").click()
    expect(other.get_by_role("status")).to_contain_text("Your registration is cancelled")

    page.reload()
    expect(page.locator(".registration-breakouts")).to_contain_text(
        "Mental health crisis care, Room B – place confirmed"
    )
    expect(
        page.get_by_role("radio", name=re.compile(r"^Mental health crisis care"))
    ).to_be_checked()
    assert breakouts_of(priya) == [("Mental health crisis care", ChoiceStatus.CONFIRMED)]
    assert breakouts_of(wendy) == [("Prevention and early help", ChoiceStatus.CONFIRMED)]
    assert sorted((message.to[0], message.subject) for message in mail.outbox) == [
        ("holly@example.org", f"Your registration for {EVENT_NAME} is cancelled"),
        ("priya@example.org", f"You have moved to your new breakout at {EVENT_NAME}"),
        ("wendy@example.org", f"You now have a place in your breakout at {EVENT_NAME}"),
    ]
