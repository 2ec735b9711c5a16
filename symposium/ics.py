"""iCalendar (RFC 5545) files: the whole agenda, and one delegate's own day."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

PRODID = "-//Symposium portal//symposium//EN"


def _calendar(name):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _entry(*, uid, title, starts_at, ends_at, location, description=""):
    entry = CalendarEvent()
    entry.add("uid", uid)
    entry.add("dtstamp", timezone.now())
    entry.add("summary", title)
    entry.add("dtstart", timezone.localtime(starts_at))
    entry.add("dtend", timezone.localtime(ends_at))
    entry.add("location", location)
    if description:
        entry.add("description", description)
    return entry


def _finish(calendar, event):
    """Add the VTIMEZONE the entries refer to, and serialise.

    The time zone rules cover a year either side of the event, not icalendar's default
    1970–2038: the file stays small and still works for events after 2037.
    """
    calendar.add_missing_timezones(
        first_date=event.starts_on - dt.timedelta(days=366),
        last_date=event.ends_on + dt.timedelta(days=366),
    )
    return calendar.to_ical()


def _location(event, room):
    return ", ".join(part for part in (room.name if room else "", event.venue_name) if part)


def agenda_calendar(event, agenda_items):
    """The event's agenda; `agenda_items` should have `room` selected."""
    calendar = _calendar(event.name)
    for item in agenda_items:
        calendar.add_component(
            _entry(
                uid=f"agenda-item-{item.pk}@{event.slug}.symposium",
                title=item.title,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                location=_location(event, item.room),
                description=item.description,
            )
        )
    return _finish(calendar, event)


def delegate_calendar(delegate, agenda_items, breakout_choices):
    """One delegate's day: the agenda, with each breakout round replaced by their session."""
    event = delegate.event
    chosen = {choice.session.agenda_item_id: choice for choice in breakout_choices}
    calendar = _calendar(f"{event.name} – {delegate.full_name}")
    for item in agenda_items:
        title, room = item.title, item.room
        choice = chosen.get(item.pk)
        if item.is_breakout_round and choice:
            session = choice.session
            title = f"{item.title}: {session.theme.title} ({choice.get_status_display()})"
            room = session.room
        calendar.add_component(
            _entry(
                uid=f"delegate-{delegate.pk}-item-{item.pk}@{event.slug}.symposium",
                title=title,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                location=_location(event, room),
                description=item.description,
            )
        )
    return _finish(calendar, event)
