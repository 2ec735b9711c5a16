"""Joining instructions carry what the day needs: the check-in code, its QR code (an
inline PNG, by Content-ID), the start time and the delegate's day as a calendar file;
whoever registers after they went out gets them too; and an organiser's message
carries the same when the organiser ticks it. Each email is read back from its bytes:
the QR decoded (zxing-cpp), the calendar parsed (icalendar)."""

import datetime as dt
import email
import io
from email import policy
from zoneinfo import ZoneInfo

import icalendar
import pytest
import zxingcpp
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from checkin.codes import check_in_code
from checkin.models import CheckIn
from mailings import services
from mailings.enums import MailingKind, MailingStatus
from mailings.models import Mailing
from symposium.models import Delegate
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
)
from tests.helpers import admin_url
from tests.mailings.conftest import make_mailing
from tests.symposium.test_email_queue import registration_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")
DUE = dt.datetime(2027, 6, 7, 9, 0, tzinfo=LONDON)
SUBJECT = "Joining instructions for Kent and Medway ICS symposium"


@pytest.fixture
def event():
    event = EventFactory(
        name="Kent and Medway ICS symposium",
        slug="kent-medway",
        starts_on=dt.date(2027, 6, 10),
        ends_on=dt.date(2027, 6, 10),
        registration_closes_at=dt.datetime(2027, 6, 9, 17, 0, tzinfo=LONDON),
    )
    AgendaItemFactory(
        event=event,
        title="Welcome and keynote",
        starts_at=dt.datetime(2027, 6, 10, 9, 30, tzinfo=LONDON),
        ends_at=dt.datetime(2027, 6, 10, 10, 30, tzinfo=LONDON),
    )
    return event


@pytest.fixture
def sam(event):
    sam = DelegateFactory(event=event, first_name="Sam", email="sam@example.org")
    session = BreakoutSessionFactory(
        theme__event=event,
        theme__title="Prevention and early help",
        agenda_item=BreakoutRoundFactory(event=event, title="Breakout round 1"),
    )
    BreakoutChoiceFactory(delegate=sam, session=session)
    return sam


def parsed(sent):
    return email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)


def sent_to(address, subject=SUBJECT):
    [message] = [
        parsed(sent) for sent in mail.outbox if sent.to == [address] and sent.subject == subject
    ]
    return message


def decoded_qr(message) -> str:
    """The text of the QR code the HTML shows, found by the Content-ID it refers to."""
    html = message.get_body(("html",)).get_content()
    [image] = [part for part in message.walk() if part.get_content_type() == "image/png"]
    content_id = image["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in html
    assert image.get_content_disposition() == "inline"
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.get_content())))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


def calendar(message):
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "kent-medway.ics"
    return icalendar.Calendar.from_ical(attachment.get_content())


def test_joining_instructions_carry_the_code_its_qr_the_start_time_and_the_day(event, sam):
    services.run_scheduler(now=DUE)

    message = sent_to("sam@example.org")
    code = check_in_code(sam)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Starts at: 09:30" in text
    assert "Starts at: 09:30" in html
    assert f"Your check-in code for the registration desk: {code}" in text
    assert f"Code: <strong>{code}</strong>" in html
    assert decoded_qr(message) == code
    entries = {
        str(entry["SUMMARY"]): entry["DTSTART"].dt for entry in calendar(message).walk("VEVENT")
    }
    assert entries == {
        "Welcome and keynote": dt.datetime(2027, 6, 10, 9, 30, tzinfo=LONDON),
        "Breakout round 1: Prevention and early help (Confirmed)": dt.datetime(
            2027, 6, 10, 14, 0, tzinfo=LONDON
        ),
    }


def test_whoever_registers_after_they_went_out_gets_them(event, sam, post, settings):
    services.run_scheduler(now=DUE)
    assert automatic_joining(event).status == MailingStatus.SENT
    mail.outbox.clear()

    url = reverse("registration:register", kwargs={"event_slug": event.slug})
    data = registration_data(event) | {"email": "late@example.org", "first_name": "Lola"}
    assert post(url, data).status_code == 302
    services.run_scheduler(now=DUE + dt.timedelta(days=1))  # The next minute's run.
    services.run_scheduler(now=DUE + dt.timedelta(days=1, minutes=1))

    assert sorted((sent.to[0], sent.subject) for sent in mail.outbox) == [
        ("late@example.org", SUBJECT),
        ("late@example.org", "Your place at Kent and Medway ICS symposium is confirmed"),
    ]
    late = Delegate.objects.get(email="late@example.org")
    assert decoded_qr(sent_to("late@example.org")) == check_in_code(late)
    joining = automatic_joining(event)
    assert (joining.total, joining.queued) == (2, 2)


def test_a_walk_in_already_checked_in_is_not_sent_them(event, sam):
    services.run_scheduler(now=DUE)
    walk_in = DelegateFactory(event=event, email="walk-in@example.org")
    CheckIn.objects.create(delegate=walk_in, at=timezone.now())
    mail.outbox.clear()

    services.run_scheduler(now=dt.datetime(2027, 6, 10, 11, 0, tzinfo=LONDON))

    assert mail.outbox == []


def test_no_late_copies_once_the_event_is_over(event, sam):
    services.run_scheduler(now=DUE)
    DelegateFactory(event=event, email="after@example.org")
    Mailing.objects.filter(event=event).exclude(kind=MailingKind.JOINING_INSTRUCTIONS).update(
        is_enabled=False
    )
    mail.outbox.clear()

    services.run_scheduler(now=dt.datetime(2027, 6, 11, 0, 1, tzinfo=LONDON))

    assert mail.outbox == []


def automatic_joining(event):
    return Mailing.objects.get(event=event, kind=MailingKind.JOINING_INSTRUCTIONS)


def test_an_organisers_message_carries_the_code_and_calendar_when_ticked(
    event, sam, organiser_client, settings
):
    waitlisted = DelegateFactory(event=event, email="wait@example.org", status="waitlisted")
    data = {
        "event": event.pk,
        "subject": "Your code for {event}",
        "body": "Dear {first_name},\n\nYour code is {check_in_code}; we start at {start_time}.",
        "include_check_in": "on",
        "statuses": ["confirmed", "waitlisted"],
        "organisations": "",
        "attendance": "any",
    }
    response = organiser_client.post(admin_url(Mailing, "add"), data)
    assert response.status_code == 302
    mailing = Mailing.objects.get(kind=MailingKind.MESSAGE)
    assert mailing.include_check_in
    services.schedule(mailing=mailing, send_at=timezone.now())
    services.run_scheduler(now=dt.datetime(2027, 6, 1, 9, 0, tzinfo=LONDON))

    subject = "Your code for Kent and Medway ICS symposium"
    message = sent_to("sam@example.org", subject)
    code = check_in_code(sam)
    text = message.get_body(("plain",)).get_content()
    assert f"Your code is {code}; we start at 09:30." in text
    assert decoded_qr(message) == code
    assert len(list(calendar(message).walk("VEVENT"))) == 2
    # No place, no code: the desk would refuse it; no QR and no calendar either.
    other = sent_to(waitlisted.email, subject)
    assert [part.get_content_type() for part in other.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]


def test_unticked_an_organisers_message_has_neither(event, sam):
    mailing = make_mailing(event, subject="News")
    services.schedule(mailing=mailing, send_at=timezone.now())
    services.run_scheduler(now=dt.datetime(2027, 6, 1, 9, 0, tzinfo=LONDON))

    message = sent_to("sam@example.org", "News")
    assert not [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert not [part for part in message.walk() if part.get_filename()]
