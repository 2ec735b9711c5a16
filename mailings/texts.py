"""What the automatic messages say until an organiser changes them."""

import datetime as dt
from zoneinfo import ZoneInfo

from mailings.enums import MailingKind

LONDON = ZoneInfo("Europe/London")
JOINING_DAYS_BEFORE = 3
# Morning sends: read before the working day rather than overnight.
JOINING_SENT_AT = dt.time(9, 0)
THANK_YOU_SENT_AT = dt.time(10, 0)

DEFAULTS = {
    MailingKind.JOINING_INSTRUCTIONS: {
        "subject": "Joining instructions for {event}",
        "body": (
            "Dear {first_name},\n\n"
            "We look forward to seeing you at {event} on {date}.\n\n"
            "Venue: {venue}\n\n"
            "Your breakouts:\n{breakouts}\n\n"
            "To check or change your registration, or to tell us you can no longer come, "
            "use your personal link: {manage_link}"
        ),
    },
    MailingKind.THANK_YOU: {
        "subject": "Thank you for coming to {event}",
        "body": (
            "Dear {first_name},\n\n"
            "Thank you for taking part in {event}. We will share the slides and the "
            "breakout notes with you soon."
        ),
    },
}


def due_at(*, kind: str, starts_on: dt.date, ends_on: dt.date, days_before: int | None):
    """When an automatic message is due, in Europe/London."""
    if kind == MailingKind.JOINING_INSTRUCTIONS:
        day = starts_on - dt.timedelta(
            days=JOINING_DAYS_BEFORE if days_before is None else days_before
        )
        return dt.datetime.combine(day, JOINING_SENT_AT, tzinfo=LONDON)
    return dt.datetime.combine(ends_on + dt.timedelta(days=1), THANK_YOU_SENT_AT, tzinfo=LONDON)
