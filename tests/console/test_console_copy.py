"""“Copy as a new event”: rooms, agenda moved to the new date, presentations with their
speakers, themes and sessions; unpublished; no delegates."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from speakers.models import PresentationSpeaker
from symposium.models import AgendaItem, Delegate, Event, Room
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    PresentationSpeakerFactory,
    RoomFactory,
    event_day_at,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def original():
    room = RoomFactory(name="Nave", capacity=30)
    event = room.event
    session = BreakoutSessionFactory(
        theme__event=event, theme__title="Housing", room=room, capacity=25
    )
    PresentationSpeakerFactory(
        presentation__agenda_item__event=event,
        presentation__agenda_item__room=room,
        presentation__agenda_item__starts_at=event_day_at(event, 9, 30),
        presentation__agenda_item__ends_at=event_day_at(event, 10, 15),
        presentation__title="Keynote",
        speaker__name="Dr Ada Osei",
    )
    BreakoutChoiceFactory(session=session)
    return event


def copy(client, event, **data):
    url = reverse("admin:console-copy-event", args=[event.pk])
    return client.post(url, {"name": "Next year", "slug": "next-year"} | data)


def test_the_action_opens_the_copy_page(organiser_client, original):
    response = organiser_client.post(
        reverse("admin:symposium_event_changelist"),
        {"action": "copy_as_new_event", "_selected_action": [original.pk]},
    )

    assert response.url == reverse("admin:console-copy-event", args=[original.pk])
    assert organiser_client.get(response.url).status_code == 200


def test_copy_has_everything_but_the_delegates(organiser_client, original):
    starts_on = original.starts_on + dt.timedelta(days=200)  # across a clock change

    response = copy(organiser_client, original, starts_on=starts_on.isoformat())

    new = Event.objects.get(slug="next-year")
    assert response.url == reverse("admin:symposium_event_change", args=[new.pk])
    assert (new.name, new.is_published, new.starts_on) == ("Next year", False, starts_on)
    assert new.delegate_capacity == original.delegate_capacity
    assert list(Room.objects.filter(event=new).values_list("name", "capacity")) == [("Nave", 30)]
    keynote = AgendaItem.objects.get(event=new, presentations__title="Keynote")
    assert keynote.starts_at == dt.datetime.combine(starts_on, dt.time(9, 30), tzinfo=LONDON)
    assert keynote.room.event == new
    assert [b.speaker.name for b in PresentationSpeaker.objects.filter(agenda_item=keynote)] == [
        "Dr Ada Osei"
    ]
    session = BreakoutSession.objects.get(theme__event=new)
    assert (session.theme.title, session.capacity, session.room.event) == ("Housing", 25, new)
    assert session.agenda_item.event == new
    assert not Delegate.objects.filter(event=new).exists()
    assert not BreakoutChoice.objects.filter(session__theme__event=new).exists()
    # The original is untouched.
    assert Theme.objects.filter(event=original).count() == 1
    assert Delegate.objects.filter(event=original).count() == 1


def test_copy_on_the_same_dates_is_refused(organiser_client, original):
    response = copy(organiser_client, original, starts_on=original.starts_on.isoformat())

    assert response.status_code == 200
    assert "do not overlap" in response.content.decode()
    assert Event.objects.count() == 1


def test_copy_needs_a_free_address(organiser_client, original):
    later = (original.starts_on + dt.timedelta(days=30)).isoformat()

    response = copy(organiser_client, original, slug=original.slug, starts_on=later)

    assert "Another event has this web address" in response.content.decode()


@pytest.fixture
def with_window(original):
    """Registration opens on a Monday five weeks before, 09:00, closes 2 days before, 17:00."""
    first = original.starts_on
    opens_on = first - dt.timedelta(days=35 + (first.weekday() - 0) % 7)
    original.registration_opens_at = dt.datetime.combine(opens_on, dt.time(9), tzinfo=LONDON)
    original.registration_closes_at = dt.datetime.combine(
        first - dt.timedelta(days=2), dt.time(17), tzinfo=LONDON
    )
    original.save()
    return original


def test_the_default_date_is_the_same_weekday_52_weeks_on(organiser_client, original):
    response = organiser_client.get(reverse("admin:console-copy-event", args=[original.pk]))

    page = response.content.decode()
    default = original.starts_on + dt.timedelta(weeks=52)
    assert f'type="date" name="starts_on" value="{default.isoformat()}"' in page
    assert default.weekday() == original.starts_on.weekday()
    assert f"the same weekday a year on ({original.starts_on:%A}s)" in page


def test_the_registration_window_keeps_its_distance_from_the_event(organiser_client, with_window):
    original = with_window
    page = organiser_client.get(reverse("admin:console-copy-event", args=[original.pk]))
    opens_before = (original.starts_on - original.registration_opens_at.date()).days
    assert (
        f"it opens {opens_before} days before it starts, at 09:00 and closes 2 days before "
        "it starts, at 17:00" in page.content.decode()
    )

    # Across a change of the clocks, and on a weekday other than the default's.
    for slug, starts_on in [
        ("next-year", original.starts_on + dt.timedelta(weeks=52)),
        ("in-spring", original.starts_on + dt.timedelta(days=200)),
    ]:
        response = copy(organiser_client, original, slug=slug, starts_on=starts_on.isoformat())
        new = Event.objects.get(slug=slug)
        opens = new.registration_opens_at.astimezone(LONDON)
        closes = new.registration_closes_at.astimezone(LONDON)

        assert (starts_on - opens.date()).days == opens_before
        assert (opens.time(), closes.time()) == (dt.time(9), dt.time(17))
        assert starts_on - closes.date() == dt.timedelta(days=2)
        message = organiser_client.get(response.url).content.decode()
        assert f"Its registration opens on {opens:%A %-d %B %Y at 09:00}" in message
