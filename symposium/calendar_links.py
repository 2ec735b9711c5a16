"""Links that put an event into someone's calendar or onto a map.

They carry only what the public event page shows (the event's name, times, venue and
public address): never the delegate's name, email or manage link, which would then sit
in Google's or Microsoft's logs and in the browser's history.
"""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from symposium.models import Event
from symposium.text import one_line

GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR = "https://outlook.live.com/calendar/0/action/compose"
OPENSTREETMAP_SEARCH = "https://www.openstreetmap.org/search"


def venue(event: Event) -> str:
    return one_line(f"{event.venue_name}, {event.venue_address}")


def map_url(event: Event) -> str:
    """A search for the venue on OpenStreetMap: a link, nothing loaded from there."""
    return f"{OPENSTREETMAP_SEARCH}?{urlencode({'query': venue(event)})}"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_links(
    *, event: Event, starts_at: dt.datetime | None, ends_at: dt.datetime | None
) -> dict[str, str]:
    """Google Calendar and Outlook.com links for the event: its agenda's hours, or whole
    days when it has no agenda yet. Keys: `google`, `outlook`."""
    title = one_line(event.name)
    details = f"{settings.SITE_URL}{event.get_absolute_url()}"
    if starts_at and ends_at:
        google_dates = f"{_utc(starts_at)}/{_utc(ends_at)}"
        outlook_times = {
            "startdt": timezone.localtime(starts_at).isoformat(),
            "enddt": timezone.localtime(ends_at).isoformat(),
        }
    else:
        day_after = event.ends_on + dt.timedelta(days=1)
        google_dates = f"{event.starts_on:%Y%m%d}/{day_after:%Y%m%d}"
        outlook_times = {
            "startdt": event.starts_on.isoformat(),
            "enddt": day_after.isoformat(),
            "allday": "true",
        }
    google = {
        "action": "TEMPLATE",
        "text": title,
        "dates": google_dates,
        "location": venue(event),
        "details": details,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        **outlook_times,
        "location": venue(event),
        "body": details,
    }
    return {
        "google": f"{GOOGLE_CALENDAR}?{urlencode(google)}",
        "outlook": f"{OUTLOOK_CALENDAR}?{urlencode(outlook)}",
    }
