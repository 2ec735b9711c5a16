"""Ranked preferences in Chromium: a delegate ranks three groups, the organiser previews
and confirms the allocation in the admin, and the delegate's page and email show the place."""

import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from playwright.sync_api import expect

from breakouts.models import BreakoutChoice
from symposium.enums import Sector
from tests.browser.test_delegate_journey import MANAGE_LINK, fill_details
from tests.factories import (
    BreakoutPreferenceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    RankedEventFactory,
    ThemeFactory,
    UserFactory,
)

THEMES = ["Prevention and early help", "Mental health crisis care", "Housing and health"]


@pytest.fixture
def event():
    """Ranked places; two NHS colleagues already want Prevention most. Groups of two, and
    one person of an organisation in each: the police officer registering last still gets
    Prevention, where first come, first served would have given it to the colleagues."""
    event = RankedEventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    breakout_round = BreakoutRoundFactory(event=event, title="Breakout round 1")
    sessions = [
        BreakoutSessionFactory(
            theme=ThemeFactory(event=event, number=number, title=title),
            agenda_item=breakout_round,
            capacity=2,
        )
        for number, title in enumerate(THEMES, start=1)
    ]
    for _ in range(2):
        delegate = DelegateFactory(
            event=event, sector=Sector.NHS, organisation="Kent and Medway ICB"
        )
        for rank, session in enumerate(sessions, start=1):
            BreakoutPreferenceFactory(delegate=delegate, session=session, rank=rank)
    return event


@pytest.fixture
def organiser_login():
    # Live-server tests flush the database after each test, groups made by migrations too.
    editor = SimpleNamespace(connection=connection)
    importlib.import_module("symposium.migrations.0003_groups").create_groups(apps, editor)
    importlib.import_module("breakouts.migrations.0004_allocation_permissions").add_permissions(
        apps, editor
    )
    user = UserFactory(username="organiser", is_staff=True, password="correct-horse-battery")
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


def test_delegate_ranks_organiser_confirms_and_the_place_is_shown(event, organiser_login, new_page):
    delegate_page = new_page()
    delegate_page.goto(f"/events/{event.slug}/register/")
    expect(
        delegate_page.get_by_text(re.compile(r"We allocate places on \d+ \w+ \d{4}"))
    ).to_be_visible()
    fill_details(delegate_page, name="Priya Shah", email="priya.shah@kent.police.uk")
    delegate_page.get_by_label("First choice").select_option(label=THEMES[0])
    delegate_page.get_by_label("Second choice").select_option(label=THEMES[1])
    delegate_page.get_by_label("Third choice").select_option(label=THEMES[2])
    delegate_page.get_by_label("I have read the privacy notice").check()
    delegate_page.get_by_role("button", name="Register").click()
    expect(delegate_page.get_by_text("Allocation pending:")).to_be_visible()
    manage_link = MANAGE_LINK.search(mail.outbox[-1].body).group(0)

    admin = new_page()
    admin.goto("/admin/breakouts/allocationrun/add/")
    admin.get_by_label("Username").fill("organiser")
    admin.get_by_label("Password").fill("correct-horse-battery")
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_label("Event").select_option(label=event.name)
    admin.get_by_label("Largest share of one sector in a group (%)").fill("")
    admin.get_by_label("Least number of sectors in a group").fill("")
    admin.get_by_label("Most colleagues of one organisation in a group").fill("1")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_text("Every mix rule is met")).to_be_visible()
    expect(admin.get_by_role("row", name=re.compile(r"^This allocation 2 1 0 0 0"))).to_be_visible()
    assert not BreakoutChoice.objects.exists()
    admin.get_by_role("button", name="Confirm this allocation and email delegates").click()
    expect(admin.get_by_text("Allocation confirmed: 3 places written")).to_be_visible()

    delegate_page.goto(manage_link)
    breakouts = delegate_page.locator(".registration-breakouts")
    expect(breakouts).to_contain_text(f"{THEMES[0]} – place confirmed")
    expect(delegate_page.get_by_text("Allocation pending")).to_have_count(0)
    [email] = [m for m in mail.outbox if m.to == ["priya.shah@kent.police.uk"]][-1:]
    assert email.subject == f"Your breakout places at {event.name}"
    assert f"{THEMES[0]} – place confirmed" in email.body
    assert not delegate_page.script_errors
