"""Building an event's agenda from its page: times of day (a date only for multi-day
events), the event's own rooms, rounds and items only, themes reached from the event,
and the same number of queries for 1 agenda item as for 60."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from breakouts.models import BreakoutSession, Theme
from console.agenda import SAVE_FIRST
from speakers.models import Presentation
from symposium.models import AgendaItem, Event, Room
from tests.admin_forms import change_form_data, field_errors
from tests.factories import (
    AgendaItemFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    EventFactory,
    PresentationFactory,
    RoomFactory,
    ThemeFactory,
    event_day_at,
)
from tests.helpers import admin_url

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
LONDON = ZoneInfo("Europe/London")


def with_new_row(client, event, index=0, **row):
    url = admin_url(Event, "change", event.pk)
    data = change_form_data(client.get(url))
    prefix = f"agenda_items-{index}-"
    data["agenda_items-TOTAL_FORMS"] = index + 1
    data |= {f"{prefix}{name}": value for name, value in row.items()}
    return client.post(url, data)


def test_a_row_takes_times_on_the_event_day(organiser_client):
    event = EventFactory()
    room = RoomFactory(event=event, name="Nave")

    response = with_new_row(
        organiser_client,
        event,
        start="09:30",
        end="10:15",
        room=room.pk,
        kind="plenary",
        title="Welcome",
        description="Coffee from 9.",
    )

    assert response.status_code == 302
    item = AgendaItem.objects.get(event=event)
    assert item.starts_at == dt.datetime.combine(event.starts_on, dt.time(9, 30), tzinfo=LONDON)
    assert item.ends_at == dt.datetime.combine(event.starts_on, dt.time(10, 15), tzinfo=LONDON)
    assert item.description == "Coffee from 9."


def test_a_one_day_event_asks_no_date(organiser_client):
    event = EventFactory()
    AgendaItemFactory(event=event)

    response = organiser_client.get(admin_url(Event, "change", event.pk))

    [form] = next(
        i.formset
        for i in response.context["inline_admin_formsets"]
        if i.formset.prefix == "agenda_items"
    ).forms
    assert form.fields["day"].widget.is_hidden
    assert not form.fields["start"].widget.is_hidden


def test_a_multi_day_event_asks_the_day(organiser_client):
    event = EventFactory()
    event.ends_on = event.starts_on + dt.timedelta(days=1)
    event.save()

    response = with_new_row(
        organiser_client,
        event,
        day=event.ends_on.isoformat(),
        start="14:00",
        end="15:00",
        kind="plenary",
        title="Day two",
    )

    assert response.status_code == 302
    item = AgendaItem.objects.get(event=event)
    assert item.starts_at == dt.datetime.combine(event.ends_on, dt.time(14), tzinfo=LONDON)


def test_a_row_outside_the_event_dates_is_refused(organiser_client):
    event = EventFactory()
    event.ends_on = event.starts_on + dt.timedelta(days=1)
    event.save()
    after = (event.ends_on + dt.timedelta(days=1)).isoformat()

    response = with_new_row(
        organiser_client, event, day=after, start="09:00", end="10:00", kind="plenary", title="Late"
    )

    assert response.status_code == 200
    [error] = field_errors(response, "day", inline="agenda_items")
    assert error.startswith("The event runs from")


def test_a_row_ending_before_it_starts_is_refused_on_the_end(organiser_client):
    event = EventFactory()

    response = with_new_row(
        organiser_client, event, start="11:00", end="10:00", kind="plenary", title="Backwards"
    )

    assert field_errors(response, "end", inline="agenda_items") == [
        "The item must end after it starts."
    ]


def test_a_new_event_is_made_with_its_rooms_first_then_its_own_page(organiser_client):
    """Issue 24: rooms could not be chosen in the agenda until the event was saved once.
    The first step asks for the event and its rooms only; saving it lands on its page,
    whose agenda offers those rooms."""
    response = organiser_client.get(admin_url(Event, "add"))
    inlines = [formset.opts.model for formset in response.context["inline_admin_formsets"]]
    assert inlines == [Room]
    assert SAVE_FIRST not in response.content.decode()


def test_rooms_typed_and_saved_are_offered_at_once(organiser_client):
    event = EventFactory()
    RoomFactory(event=event, name="Chapter House")
    RoomFactory(name="Another event's room")

    page = organiser_client.get(admin_url(Event, "change", event.pk)).content.decode()

    assert "Chapter House" in page
    assert "Another event&#x27;s room" not in page
    assert "Another event's room" not in page


def test_themes_and_their_sessions_are_reached_from_the_event(organiser_client):
    session = BreakoutSessionFactory(theme__title="Housing and health")
    event = session.theme.event

    page = organiser_client.get(admin_url(Event, "change", event.pk)).content.decode()

    assert "Housing and health" in page
    assert admin_url(Theme, "change", session.theme.pk) in page
    theme_page = organiser_client.get(admin_url(Theme, "change", session.theme.pk))
    assert admin_url(BreakoutSession, "change", session.pk) in theme_page.content.decode()


def test_agenda_inputs_have_labels(organiser_client):
    event = EventFactory()
    AgendaItemFactory(event=event)

    page = organiser_client.get(admin_url(Event, "change", event.pk)).content.decode()

    for label in ('aria-label="Start"', 'aria-label="End"', 'aria-label="Title"'):
        assert label in page


@pytest.mark.parametrize("items", [1, 60])
def test_event_page_queries_do_not_grow_with_the_agenda(organiser_client, items):
    """Measured against an event with one item: 60 items take no more queries."""
    small = EventFactory()
    room = RoomFactory(event=small)
    AgendaItemFactory(event=small, room=room)
    url = admin_url(Event, "change", small.pk)
    organiser_client.get(url)
    with CaptureQueriesContext(connection) as one_item:
        organiser_client.get(url)

    event = EventFactory()
    rooms = [RoomFactory(event=event) for _ in range(3)]
    for index in range(items):
        start = event_day_at(event, 8) + dt.timedelta(minutes=10 * index)
        AgendaItemFactory(
            event=event,
            room=rooms[index % 3],
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=10),
        )
    ThemeFactory(event=event)
    ThemeFactory(event=small)
    organiser_client.get(admin_url(Event, "change", event.pk))
    with CaptureQueriesContext(connection) as many:
        response = organiser_client.get(admin_url(Event, "change", event.pk))

    assert response.status_code == 200
    assert len(many) <= len(one_item) + 1  # + the theme row's query on a warm page
    assert len(many) < 30


# Choices scoped to the event ---------------------------------------------------------


def test_theme_page_offers_only_its_events_rounds_and_rooms(organiser_client):
    session = BreakoutSessionFactory(room=RoomFactory(name="Our room"))
    session.room.event = session.theme.event
    session.room.save()
    elsewhere = BreakoutRoundFactory(title="Elsewhere round")
    RoomFactory(event=elsewhere.event, name="Elsewhere room")

    page = organiser_client.get(admin_url(Theme, "change", session.theme.pk)).content.decode()

    assert "Our room" in page
    assert "Elsewhere" not in page


def test_presentation_page_offers_only_its_events_agenda(organiser_client):
    presentation = PresentationFactory(agenda_item__title="Our keynote")
    AgendaItemFactory(title="Elsewhere keynote")

    page = organiser_client.get(admin_url(Presentation, "change", presentation.pk))

    assert "Our keynote" in page.content.decode()
    assert "Elsewhere keynote" not in page.content.decode()


def test_add_pages_name_each_choice_with_its_event(organiser_client):
    BreakoutRoundFactory(event__name="Spring symposium", title="Round one")
    RoomFactory(event__name="Autumn symposium", name="Hall")

    session_page = organiser_client.get(reverse("admin:breakouts_breakoutsession_add"))
    theme_page = organiser_client.get(reverse("admin:breakouts_theme_add"))

    for page in (session_page.content.decode(), theme_page.content.decode()):
        assert "Autumn symposium: Hall" in page
    assert "Spring symposium: " in session_page.content.decode()
