"""Ranked preferences in Chromium: a delegate ranks three groups, the organiser previews
(computed in the background, its progress on the page) and confirms the allocation in the
admin, and each delegate's page and email show what they got and why."""

import importlib
import re
import threading
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from playwright.sync_api import expect

from breakouts.models import BreakoutChoice
from symposium.enums import Sector
from tests.background import run_background_jobs as run_jobs
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


@pytest.mark.postgres  # the preview runs on the task queue
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
    expect(admin.get_by_text("Computing the allocation")).to_be_visible()
    run_background_jobs()
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


def run_background_jobs():
    """tests.background's worker, in a thread of its own: Playwright's sync API keeps an
    event loop running in this one, and the worker starts its own."""
    worker = threading.Thread(target=run_jobs)
    worker.start()
    worker.join(timeout=120)


def sign_in(admin):
    admin.goto("/admin/breakouts/allocationrun/add/")
    admin.get_by_label("Username").fill("organiser")
    admin.get_by_label("Password").fill("correct-horse-battery")
    admin.get_by_role("button", name="Log in").click()


@pytest.fixture
def mixed_event():
    """Groups of 2, 2 and 1. Two NHS colleagues want only the first group, a police
    officer only the second, and a council officer ranked nothing: without a rule the NHS
    pair fills the first group; at least two sectors a group moves one of them."""
    event = RankedEventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    breakout_round = BreakoutRoundFactory(event=event, title="Breakout round 1")
    sessions = [
        BreakoutSessionFactory(
            theme=ThemeFactory(event=event, number=number, title=title),
            agenda_item=breakout_round,
            capacity=capacity,
        )
        for number, (title, capacity) in enumerate(zip(THEMES, [2, 2, 1], strict=True), 1)
    ]
    people = {}
    for name, sector, organisation, ranked in [
        ("Nadia NHS", Sector.NHS, "Kent and Medway ICB", [0]),
        ("Nick NHS", Sector.NHS, "Kent and Medway ICB", [0]),
        ("Paul Police", Sector.POLICE, "Kent Police", [1]),
        ("Cara Council", Sector.COUNCIL, "Kent County Council", []),
    ]:
        first, last = name.split()
        delegate = DelegateFactory(
            event=event,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}@example.org",
            sector=sector,
            organisation=organisation,
        )
        for rank, index in enumerate(ranked, start=1):
            BreakoutPreferenceFactory(delegate=delegate, session=sessions[index], rank=rank)
        people[first] = delegate
    return event, people


def what_you_got(body):
    return body.split("What you got:\n", 1)[1].split("\n\n", 1)[0].splitlines()


@pytest.mark.postgres  # the preview runs on the task queue
def test_a_delegate_moved_by_a_rule_is_told_so(mixed_event, organiser_login, new_page):
    event, _people = mixed_event
    delegate_page = new_page()
    delegate_page.goto(f"/events/{event.slug}/register/")
    expect(delegate_page.get_by_text("through the link in the email we send")).to_be_visible()
    fill_details(delegate_page, name="Priya Shah", email="priya.shah@kent.police.uk")
    delegate_page.get_by_label("First choice").select_option(label=THEMES[0])
    delegate_page.get_by_label("Second choice").select_option(label=THEMES[1])
    delegate_page.get_by_label("I have read the privacy notice").check()
    delegate_page.get_by_role("button", name="Register").click()
    expect(delegate_page.get_by_text("Allocation pending:")).to_be_visible()

    admin = new_page()
    sign_in(admin)
    admin.get_by_label("Event").select_option(label=event.name)
    admin.get_by_label("Largest share of one sector in a group (%)").fill("")
    admin.get_by_label("Least number of sectors in a group").fill("2")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_role("status")).to_contain_text("%")
    run_background_jobs()
    # The page's script notices the run is done and shows the report.
    expect(admin.get_by_text("people placed: 5, the best possible")).to_be_visible(timeout=15000)
    expect(admin.get_by_text("1 delegate moved by a mix rule")).to_be_visible()
    assert not BreakoutChoice.objects.exists()
    admin.get_by_role("button", name="Confirm this allocation and email delegates").click()
    expect(admin.get_by_text("Allocation confirmed: 5 places written")).to_be_visible()

    emails = {message.to[0]: message for message in mail.outbox[-5:]}
    assert len(emails) == 5
    [priya] = what_you_got(emails["priya.shah@kent.police.uk"].body)
    assert priya == f"- Breakout round 1: “{THEMES[0]}”, your first choice."
    told = [what_you_got(emails[f"{n}@example.org"].body)[0] for n in ("nadia", "nick")]
    moved = [line for line in told if "to mix sectors" in line]
    assert len(moved) == 1
    assert re.fullmatch(
        r"- Breakout round 1: “(Mental health crisis care|Housing and health)”\. None of "
        r"your choices could be kept: we placed you here to mix sectors, as the organisers "
        r"chose\.",
        moved[0],
    )
    assert f"- Breakout round 1: “{THEMES[0]}”, your first choice." in told
    [cara] = what_you_got(emails["cara@example.org"].body)
    assert "You did not rank any groups in this round" in cara
    for message in emails.values():
        assert "none chosen" not in message.body
    assert not admin.script_errors
    assert not delegate_page.script_errors
