"""The organisers' console in Chromium: the admin pages organisers use most have no
critical axe violation, and an organiser (not a superuser) builds a small event from an
empty database to published, counting the page loads it takes."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from playwright.sync_api import expect

from breakouts.models import BreakoutSession, Theme
from symposium.models import AgendaItem, Event, Room
from tests.browser.conftest import WCAG_TAGS
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateNeedsFactory,
    RoomFactory,
    UserFactory,
)
from tests.helpers import admin_url

pytestmark = [pytest.mark.postgres]
PASSWORD = "correct-horse-battery"
PAGE_LOADS_BEFORE = 31  # issue 11: the stock admin, counted by hand


def organiser_account():
    """The groups come from data migrations, which a live-server test's flush removes."""
    if not Group.objects.filter(name="Organisers").exists():
        editor = SimpleNamespace(connection=connection)
        importlib.import_module("symposium.migrations.0003_groups").create_groups(apps, editor)
        importlib.import_module("symposium.migrations.0008_organisers_manage_staff_accounts").grant(
            apps, editor
        )
    user = UserFactory(username="olu", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


def sign_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def critical_violations(axe, page):
    results = axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [
        f"{violation['id']}: {violation['help']} at "
        + "; ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] == "critical"
    ]


def test_busiest_admin_pages_have_no_critical_axe_violation(page, axe):
    room = RoomFactory(name="Nave", capacity=40)
    event = room.event
    AgendaItemFactory(event=event, room=room, title="Welcome")
    session = BreakoutSessionFactory(theme__event=event, room=room, capacity=20)
    choice = BreakoutChoiceFactory(session=session)
    DelegateNeedsFactory(delegate=choice.delegate)
    sign_in(page, organiser_account())

    problems = []
    for url in (
        "/admin/",
        admin_url(Event, "change", event.pk),
        admin_url(Theme, "change", session.theme.pk),
        admin_url(type(choice.delegate), "change", choice.delegate.pk),
        admin_url(type(choice.delegate), "changelist"),
    ):
        assert page.goto(url).status == 200, url
        problems += [f"{url}: {problem}" for problem in critical_violations(axe, page)]
    assert not problems, "\n".join(problems)


def fill_row(page, prefix, **values):
    for name, value in values.items():
        field = page.locator(f'[name="{prefix}{name}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)


def test_organiser_builds_an_event_from_nothing_to_published(page):
    user = organiser_account()
    assert not Event.objects.exists()
    loads = []
    page.on("load", lambda: loads.append(page.url))

    sign_in(page, user)
    page.goto("/admin/symposium/event/add/")
    fill_row(
        page,
        "",
        name="Thanet partners' symposium",
        summary="Partners meet.",
        starts_on="2031-06-12",
        ends_on="2031-06-12",
        venue_name="Turner Contemporary",
        venue_address="Margate CT9 1HG",
        registration_opens_at_0="2031-01-05",
        registration_opens_at_1="09:00",
        registration_closes_at_0="2031-06-01",
        registration_closes_at_1="17:00",
        delegate_capacity="80",
    )
    for index, (name, capacity) in enumerate([("Main hall", "80"), ("Studio", "20")]):
        page.get_by_text("Add another Room").click()
        fill_row(page, f"rooms-{index}-", name=name, capacity=capacity)
    page.get_by_text("Add another Theme").click()
    fill_row(page, "themes-0-", number="1", title="Health and housing")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    expect(page.locator(".errornote")).to_have_count(0)

    rows = [
        ("09:30", "10:30", "Main hall", "Plenary", "Welcome"),
        ("11:00", "12:00", None, "Breakout round", "Breakout round 1"),
    ]
    for index, (start, end, room, kind, title) in enumerate(rows):
        page.get_by_text("Add another Agenda item").click()
        fill_row(page, f"agenda_items-{index}-", start=start, end=end, kind=kind, title=title)
        if room:
            fill_row(page, f"agenda_items-{index}-", room=room)
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    expect(page.locator(".errornote")).to_have_count(0)

    page.get_by_role("link", name="Change").last.click()  # the theme's own page
    page.wait_for_load_state()
    page.get_by_text("Add another Breakout session").click()
    fill_row(page, "sessions-0-", agenda_item="11:00 Breakout round 1", room="Studio")
    fill_row(page, "sessions-0-", capacity="20")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    expect(page.locator(".errornote")).to_have_count(0)

    page.goto(admin_url(Event, "change", Event.objects.get().pk))
    page.get_by_label("Is published").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    page.goto("/events/thanet-partners-symposium/")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Thanet")
    event = Event.objects.get(slug="thanet-partners-symposium")
    assert event.is_published
    assert Room.objects.filter(event=event).count() == 2
    assert AgendaItem.objects.filter(event=event).count() == 2
    assert BreakoutSession.objects.get(theme__event=event).room.name == "Studio"
    assert not page.script_errors
    print(
        f"\nPage loads to build and publish the event: {len(loads)} (before: {PAGE_LOADS_BEFORE})"
    )
    assert len(loads) < PAGE_LOADS_BEFORE
