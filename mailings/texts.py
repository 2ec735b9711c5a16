"""What the automatic messages say until an organiser changes them."""

import datetime as dt
from zoneinfo import ZoneInfo

from mailings.enums import Attendance, MailingKind

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
            "Venue: {venue}\n"
            "Starts at: {start_time}\n\n"
            "Your breakouts:\n{breakouts}\n\n"
            "To check or change your registration, or to tell us you can no longer come, "
            "use your personal link: {manage_link}\n\n"
            "Please bring your check-in code (below) on your phone or printed: the "
            "registration desk scans it."
        ),
        # What the desk scans, and the day for their calendar.
        "include_check_in": True,
    },
    # Only those the desk checked in: a no-show thanked "for taking part" reads as a
    # form letter, and tells them nobody noticed.
    MailingKind.THANK_YOU: {
        "subject": "Thank you for coming to {event}",
        "body": (
            "Dear {first_name},\n\n"
            "Thank you for taking part in {event}. We will share the slides and the "
            "breakout notes with you soon."
        ),
        "attendance": Attendance.ATTENDED,
    },
    # Off until an organiser switches it on: it goes to everyone with a place the desk
    # did not check in, so it is only right once the check-in record is complete (an
    # event that checked nobody in at the desk would send it to every delegate), and
    # once it says where the materials are.
    MailingKind.MISSED_YOU: {
        "subject": "Sorry we missed you at {event}",
        "body": (
            "Dear {first_name},\n\n"
            "We are sorry we did not see you at {event} on {date}. We hope to see you at "
            "a future event.\n\n"
            "The slides and the breakout notes will be shared with everyone who "
            "registered: we will send them to you too."
        ),
        "attendance": Attendance.ABSENT,
        "is_enabled": False,
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
