import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from breakouts.enums import ChoiceStatus
from breakouts.services import delegate_choices
from symposium.ics import delegate_calendar
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
    event_day_at,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def ics_url(event):
    return reverse("symposium:agenda-ics", kwargs={"slug": event.slug})


def download(client, event):
    response = client.get(ics_url(event))
    assert response.status_code == 200
    return response, Calendar.from_ical(response.content)


def test_agenda_ics_is_a_calendar_attachment(client):
    event = EventFactory(slug="kent-2040")

    response, _ = download(client, event)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kent-2040-agenda.ics"'
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert response.content.endswith(b"END:VCALENDAR\r\n")


def test_agenda_ics_has_one_entry_per_item_in_london_time(client):
    event = EventFactory(
        name="Kent and Medway ICS Symposium",
        slug="kent-2040",
        starts_on=dt.date(2040, 6, 14),
        venue_name="Canterbury Cathedral Lodge",
    )
    hall = RoomFactory(event=event, name="Great Hall")
    welcome = AgendaItemFactory(
        event=event,
        title="Welcome",
        room=hall,
        description="Why we are here.",
        starts_at=dt.datetime(2040, 6, 14, 8, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2040, 6, 14, 9, 0, tzinfo=dt.UTC),
    )
    AgendaItemFactory(
        event=event,
        title="Lunch",
        description="",
        starts_at=event_day_at(event, 12, 30),
        ends_at=event_day_at(event, 13, 15),
    )
    AgendaItemFactory(event=EventFactory(), title="Another event's item")

    _, calendar = download(client, event)

    assert calendar["X-WR-CALNAME"] == "Kent and Medway ICS Symposium"
    entries = calendar.walk("VEVENT")
    assert [str(entry["SUMMARY"]) for entry in entries] == ["Welcome", "Lunch"]
    first, lunch = entries
    assert first["DTSTART"].params["TZID"] == "Europe/London"
    assert first["DTEND"].params["TZID"] == "Europe/London"
    assert first.decoded("DTSTART") == dt.datetime(2040, 6, 14, 9, 30, tzinfo=LONDON)
    assert first.decoded("DTEND") == dt.datetime(2040, 6, 14, 10, 0, tzinfo=LONDON)
    assert first["DTSTART"].to_ical() == b"20400614T093000"
    assert str(first["UID"]) == f"agenda-item-{welcome.pk}@kent-2040.symposium"
    assert str(first["LOCATION"]) == "Great Hall, Canterbury Cathedral Lodge"
    assert str(first["DESCRIPTION"]) == "Why we are here."
    assert lunch["DTSTART"].to_ical() == b"20400614T123000"
    assert str(lunch["LOCATION"]) == "Canterbury Cathedral Lodge"
    assert "DESCRIPTION" not in lunch
    assert all("DTSTAMP" in entry for entry in entries)


def test_agenda_ics_defines_the_london_time_zone_it_uses(client):
    # After 2037 too: icalendar's default VTIMEZONE stops at 2038.
    event = EventFactory(starts_on=dt.date(2040, 1, 12))
    AgendaItemFactory(event=event, starts_at=event_day_at(event, 9, 30))
    summer = dt.datetime(2040, 6, 14, 9, 30)
    winter = dt.datetime(2040, 1, 12, 9, 30)

    _, calendar = download(client, event)

    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/London"
    own_rules = vtimezone.to_tz(lookup_tzid=False)
    assert own_rules.utcoffset(winter) == dt.timedelta(0)
    assert own_rules.utcoffset(summer) == dt.timedelta(hours=1)
    assert calendar.get_missing_tzids() == set()
    assert calendar.walk("VEVENT")[0]["DTSTART"].to_ical() == b"20400112T093000"


def test_agenda_ics_of_an_unpublished_event_is_not_found(client):
    event = EventFactory(is_published=False)
    AgendaItemFactory(event=event)

    assert client.get(ics_url(event)).status_code == 404


@pytest.mark.parametrize("size", [1, 6])
def test_agenda_ics_query_count_does_not_grow(client, django_assert_num_queries, size):
    event = EventFactory()
    for index in range(size):
        AgendaItemFactory(
            event=event,
            room=RoomFactory(event=event),
            starts_at=event_day_at(event, 9 + index),
            ends_at=event_day_at(event, 9 + index, 45),
        )

    # The event and its items with their rooms.
    with django_assert_num_queries(2):
        response = client.get(ics_url(event))

    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == size


def delegate_file(delegate):
    agenda = delegate.event.agenda_items.select_related("room").order_by("starts_at", "pk")
    return Calendar.from_ical(
        delegate_calendar(delegate, agenda, delegate_choices(delegate=delegate))
    )


def test_delegate_calendars_share_the_agenda_uids_and_keep_their_breakout_own():
    event = EventFactory(slug="kent-2040")
    welcome = AgendaItemFactory(event=event, title="Welcome")
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event, title="Housing"))
    ana, ben = DelegateFactory.create_batch(2, event=event)
    BreakoutChoiceFactory(delegate=ana, session=session, status=ChoiceStatus.CONFIRMED)

    ana_file, ben_file = delegate_file(ana), delegate_file(ben)

    uids = {str(entry["SUMMARY"]): str(entry["UID"]) for entry in ana_file.walk("VEVENT")}
    round_title = session.agenda_item.title
    assert uids["Welcome"] == f"agenda-item-{welcome.pk}@kent-2040.symposium"
    assert uids[f"{round_title}: Housing (Confirmed)"] == (
        f"delegate-{ana.pk}-item-{session.agenda_item.pk}@kent-2040.symposium"
    )
    assert {str(entry["UID"]) for entry in ben_file.walk("VEVENT")} == {
        f"agenda-item-{welcome.pk}@kent-2040.symposium",
        f"agenda-item-{session.agenda_item.pk}@kent-2040.symposium",
    }
    assert ana_file.get_missing_tzids() == set()


def test_delegate_calendar_shows_an_edited_agenda_item_at_once():
    event = EventFactory()
    item = AgendaItemFactory(event=event, title="Welcome")
    delegate = DelegateFactory(event=event)
    assert [str(e["SUMMARY"]) for e in delegate_file(delegate).walk("VEVENT")] == ["Welcome"]

    item.title = "Welcome and introductions"
    item.ends_at += dt.timedelta(minutes=15)
    item.save()

    (entry,) = delegate_file(delegate).walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Welcome and introductions"
    assert entry["DTEND"].dt == timezone.localtime(item.ends_at)


def test_control_characters_in_texts_neither_break_nor_add_lines(client):
    # Text the admin or an import can hold, whatever the public forms refuse.
    event = EventFactory(name="Kent\r\nX-INJECTED:event", venue_name="Lodge\x1b")
    hall = RoomFactory(event=event, name="Hall\u2028X-INJECTED:room")
    AgendaItemFactory(
        event=event,
        room=hall,
        title="Welcome\r\nATTENDEE:mailto:x@example.com",
        description="Line one\r\nLine two\x07\u2028three",
    )

    response, calendar = download(client, event)

    text = response.content.decode()
    assert not [line for line in text.split("\r\n") if "INJECTED" in line.split(":")[0]]
    assert not [line for line in text.split("\r\n") if line.startswith("ATTENDEE")]
    assert not set(text.replace("\r\n", "")) & {"\r", "\n", "\x07", "\x1b", "\u2028"}
    assert calendar["X-WR-CALNAME"] == "Kent X-INJECTED:event"
    [entry] = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Welcome ATTENDEE:mailto:x@example.com"
    assert str(entry["LOCATION"]) == "Hall X-INJECTED:room, Lodge"
    assert str(entry["DESCRIPTION"]) == "Line one\nLine two \nthree"
    assert "ATTENDEE" not in entry
