"""After the event: the thank-you goes to those the desk checked in, and a "sorry we
missed you" (off until an organiser switches it on) to those it did not."""

import datetime as dt
import email
import re
from email import policy
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from checkin.models import CheckIn
from mailings import services, texts
from mailings.enums import Attendance, MailingKind
from mailings.models import Mailing
from tests.factories import DelegateFactory, EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")
DAY_AFTER = dt.datetime(2027, 6, 11, 10, 0, tzinfo=LONDON)


@pytest.fixture
def event():
    event = EventFactory(
        name="Kent and Medway ICS symposium",
        starts_on=dt.date(2027, 6, 10),
        ends_on=dt.date(2027, 6, 10),
    )
    # Not this file's subject (it would be due too).
    Mailing.objects.filter(event=event, kind=MailingKind.JOINING_INSTRUCTIONS).delete()
    return event


@pytest.fixture
def people(event):
    """Two who came (one checked in twice: an undo, then again), two who did not (one of
    them checked in by mistake and undone), and one who cancelled."""
    came = [DelegateFactory(event=event, email=f"came-{n}@example.org") for n in range(2)]
    stayed_away = [DelegateFactory(event=event, email=f"away-{n}@example.org") for n in range(2)]
    DelegateFactory(event=event, email="cancelled@example.org", status="cancelled")
    scanned = dt.datetime(2027, 6, 10, 9, 0, tzinfo=LONDON)
    CheckIn.objects.create(delegate=came[0], at=scanned, undone_at=scanned)
    for delegate in came:
        CheckIn.objects.create(delegate=delegate, at=scanned)
    CheckIn.objects.create(delegate=stayed_away[0], at=scanned, undone_at=scanned)
    return {"came": came, "away": stayed_away}


def automatic(event, kind):
    return Mailing.objects.get(event=event, kind=kind)


def delivered():
    """(To, Subject) of every email sent, read back from the bytes that went out."""
    parsed = [
        email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
        for sent in mail.outbox
    ]
    return sorted((message["To"], message["Subject"]) for message in parsed)


def test_the_thank_you_reaches_exactly_the_attendees(event, people):
    assert automatic(event, MailingKind.THANK_YOU).attendance == Attendance.ATTENDED

    services.run_scheduler(now=DAY_AFTER)

    assert delivered() == [
        ("came-0@example.org", "Thank you for coming to Kent and Medway ICS symposium"),
        ("came-1@example.org", "Thank you for coming to Kent and Medway ICS symposium"),
    ]


def test_sorry_we_missed_you_is_off_by_default(event, people):
    missed_you = automatic(event, MailingKind.MISSED_YOU)

    assert (missed_you.is_enabled, missed_you.attendance) == (False, Attendance.ABSENT)
    assert missed_you.send_at == DAY_AFTER


def test_sorry_we_missed_you_reaches_exactly_the_no_shows_once_switched_on(event, people):
    Mailing.objects.filter(event=event, kind=MailingKind.MISSED_YOU).update(is_enabled=True)
    Mailing.objects.filter(event=event, kind=MailingKind.THANK_YOU).update(is_enabled=False)

    services.run_scheduler(now=DAY_AFTER)

    assert delivered() == [
        ("away-0@example.org", "Sorry we missed you at Kent and Medway ICS symposium"),
        ("away-1@example.org", "Sorry we missed you at Kent and Medway ICS symposium"),
    ]
    [body] = {sent.body for sent in mail.outbox if sent.to == ["away-0@example.org"]}
    assert "We are sorry we did not see you at Kent and Medway ICS symposium on " in body


def test_neither_goes_before_the_day_after(event, people):
    Mailing.objects.filter(event=event, kind=MailingKind.MISSED_YOU).update(is_enabled=True)

    services.run_scheduler(now=DAY_AFTER - dt.timedelta(minutes=1))

    assert mail.outbox == []
    assert timezone.localdate(DAY_AFTER) == dt.date(2027, 6, 11)


def test_the_thank_yous_link_opens_the_delegates_data_once_the_event_is_over(client):
    """The link in a thank-you sent the day after: 200, the event is over, the data."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    event = EventFactory(
        name="Kent and Medway ICS symposium", starts_on=yesterday, ends_on=yesterday
    )
    sam = DelegateFactory(event=event, email="sam@example.org")
    CheckIn.objects.create(delegate=sam, at=timezone.now() - dt.timedelta(days=1))
    Mailing.objects.create(
        event=event,
        kind=MailingKind.THANK_YOU,
        status="scheduled",
        send_at=timezone.now(),
        **texts.DEFAULTS[MailingKind.THANK_YOU],
    )

    services.run_scheduler()

    [sent] = mail.outbox
    message = email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    html = message.get_body(("html",)).get_content()
    [href] = re.findall(r'<a href="([^"]+)">Your information: download it or delete it</a>', html)
    assert href in message.get_body(("plain",)).get_content()
    page = client.get(urlsplit(href).path)
    assert page.status_code == 200
    assert "<h1>Kent and Medway ICS symposium is over</h1>" in page.text
    [download] = re.findall(r'<a href="([^"]+)">Download your information', page.text)
    assert client.get(download).json()["registration"]["email"] == "sam@example.org"
