"""iCalendar (RFC 5545) files: the whole agenda, and one delegate's own day."""

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from symposium.text import lines, one_line

PRODID = "-//Symposium portal//symposium//EN"


def _calendar(name):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", one_line(name))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


@lru_cache(maxsize=8192)
def _entry(*, uid, title, starts_at, ends_at, location, description="") -> bytes:
    """One VEVENT, serialised. Memoised by its whole content (so never stale): the same
    agenda items are in every delegate's confirmation email, and icalendar's serialiser
    is the slow part of building it.
    DTSTAMP is therefore when this entry was first written, which RFC 5545 allows.
    icalendar escapes line breaks in text but passes other control characters through,
    and some readers break lines at them: the texts are made plain first."""
    entry = CalendarEvent()
    entry.add("uid", uid)
    entry.add("dtstamp", timezone.now())
    entry.add("summary", one_line(title))
    entry.add("dtstart", timezone.localtime(starts_at))
    entry.add("dtend", timezone.localtime(ends_at))
    entry.add("location", one_line(location))
    if description:
        entry.add("description", lines(description))
    return entry.to_ical()


@lru_cache(maxsize=64)
def _time_zones(first_date: dt.date, last_date: dt.date) -> bytes:
    """The VTIMEZONE of the portal's zone for these dates, serialised once."""
    calendar = Calendar()
    sample = CalendarEvent()
    sample.add("dtstart", timezone.localtime(timezone.now()))
    calendar.add_component(sample)
    calendar.add_missing_timezones(first_date=first_date, last_date=last_date)
    return b"".join(zone.to_ical() for zone in calendar.walk("VTIMEZONE"))


def _finish(calendar, event, entries):
    """The calendar with the VTIMEZONE its entries refer to, then the entries.

    The time zone rules cover a year either side of the event, not icalendar's default
    1970–2038: the file stays small and still works for events after 2037.
    """
    end = b"END:VCALENDAR\r\n"
    head = calendar.to_ical()[: -len(end)]
    zones = _time_zones(
        event.starts_on - dt.timedelta(days=366), event.ends_on + dt.timedelta(days=366)
    )
    return head + zones + b"".join(entries) + end


def _location(event, room):
    return ", ".join(part for part in (room.name if room else "", event.venue_name) if part)


def agenda_calendar(event, agenda_items):
    """The event's agenda; `agenda_items` should have `room` selected."""
    entries = [
        _entry(
            uid=f"agenda-item-{item.pk}@{event.slug}.symposium",
            title=item.title,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            location=_location(event, item.room),
            description=item.description,
        )
        for item in agenda_items
    ]
    return _finish(_calendar(event.name), event, entries)


def delegate_calendar(delegate, agenda_items, breakout_choices):
    """One delegate's day: the agenda, with each breakout round replaced by their session."""
    event = delegate.event
    chosen = {choice.session.agenda_item_id: choice for choice in breakout_choices}
    entries = []
    for item in agenda_items:
        # The same UID as in the agenda's file, so a calendar holding both shows one
        # entry; only the delegate's own breakout is theirs alone.
        uid, title, room = f"agenda-item-{item.pk}@{event.slug}.symposium", item.title, item.room
        choice = chosen.get(item.pk)
        if item.is_breakout_round and choice:
            session = choice.session
            uid = f"delegate-{delegate.pk}-item-{item.pk}@{event.slug}.symposium"
            title = f"{item.title}: {session.theme.title} ({choice.get_status_display()})"
            room = session.room
        entries.append(
            _entry(
                uid=uid,
                title=title,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                location=_location(event, room),
                description=item.description,
            )
        )
    return _finish(_calendar(f"{event.name} – {delegate.full_name}"), event, entries)
