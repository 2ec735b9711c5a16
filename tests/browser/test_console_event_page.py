"""The event's page in the admin, in Chromium (en-GB): a two-day event keeps each
agenda item on its day when something else is saved, the copy page shows its default
date, and the page fits a 1,280 px window with a full agenda."""

import datetime as dt

import pytest
from django.utils import timezone

from symposium.enums import AgendaKind
from symposium.models import AgendaItem, Event
from tests.browser.test_console import organiser_account, sign_in
from tests.factories import LONDON, AgendaItemFactory, EventFactory, RoomFactory
from tests.helpers import admin_url

pytestmark = [pytest.mark.postgres]


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def two_day_event():
    starts_on = timezone.localdate() + dt.timedelta(days=60)
    event = EventFactory(
        name="Kent and Medway two-day symposium",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=1),
    )
    hall = RoomFactory(event=event, name="Great Hall")
    second = starts_on + dt.timedelta(days=1)
    for day, hour, title in [
        (starts_on, 9, "Welcome"),
        (starts_on, 10, "Opening plenary"),
        (second, 9, "Day two welcome"),
        (second, 10, "Day two plenary"),
        (second, 11, "Closing"),
    ]:
        AgendaItemFactory(
            event=event, room=hall, title=title, starts_at=at(day, hour), ends_at=at(day, hour, 45)
        )
    return event


def days(event):
    return {
        item.title: timezone.localtime(item.starts_at).date()
        for item in AgendaItem.objects.filter(event=event)
    }


def test_saving_an_unrelated_field_keeps_every_agenda_item_on_its_day(page, two_day_event):
    event = two_day_event
    before = days(event)
    sign_in(page, organiser_account())
    page.goto(admin_url(Event, "change", event.pk))

    # Chromium shows each row's day (a non-ISO value would be shown blank); the blank
    # row that "Add another" copies is left out.
    rows = "input[name^='agenda_items-'][name$='-day']:not([name*='__prefix__'])"
    shown = page.locator(rows).evaluate_all("inputs => inputs.map(input => input.value)")
    assert sorted(shown) == sorted(day.isoformat() for day in before.values())
    page.get_by_label("Venue name").fill("Canterbury Christ Church University")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()

    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    event.refresh_from_db()
    assert event.venue_name == "Canterbury Christ Church University"
    assert days(event) == before
    assert sorted(before.values()).count(event.ends_on) == 3


def test_the_copy_page_shows_its_default_date_and_copies(page, two_day_event):
    event = two_day_event
    sign_in(page, organiser_account())
    page.goto(f"/admin/console/events/{event.pk}/copy/")

    first_day = page.get_by_label("First day of the new event")
    assert first_day.input_value() == (event.starts_on + dt.timedelta(weeks=52)).isoformat()
    page.get_by_role("button", name="Copy the event").click()
    page.wait_for_load_state()

    copy = Event.objects.exclude(pk=event.pk).get()
    assert copy.starts_on == event.starts_on + dt.timedelta(weeks=52)
    assert copy.starts_on.weekday() == event.starts_on.weekday()
    assert sorted(days(copy).values()).count(copy.ends_on) == 3


def test_the_event_page_with_a_full_agenda_fits_1280_pixels(page, two_day_event):
    event = two_day_event
    hall = event.rooms.get()
    rooms = [hall, *(RoomFactory(event=event, name=f"Seminar room {n}") for n in range(3))]
    for number in range(12):
        AgendaItemFactory(
            event=event,
            room=rooms[number % len(rooms)],
            kind=AgendaKind.PRESENTATION,
            title=f"Integrated care across Kent and Medway, part {number}: what partners learnt",
            description="Partners from the NHS, councils, the police and the voluntary "
            "sector describe what changed for the people they serve.",
            starts_at=at(event.starts_on, 12 + number // len(rooms), 15 * (number % 4)),
            ends_at=at(event.starts_on, 12 + number // len(rooms), 15 * (number % 4) + 10),
        )
    sign_in(page, organiser_account())
    page.goto(admin_url(Event, "change", event.pk))

    width = page.evaluate("document.documentElement.scrollWidth")

    assert page.viewport_size["width"] == 1280
    assert width <= 1280, f"the event page is {width} px wide in a 1,280 px window"
