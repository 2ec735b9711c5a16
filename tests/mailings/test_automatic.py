"""Automatic messages: joining instructions N days before, a thank-you after, on by
default for every event to come, each editable and switchable."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from checkin.models import CheckIn
from mailings import services
from mailings.enums import MailingKind, MailingStatus
from mailings.models import Mailing
from registration.emails import manage_url
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    RoomFactory,
)
from tests.helpers import admin_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def event():
    return EventFactory(
        name="Kent and Medway ICS symposium",
        slug="kent-medway",
        starts_on=dt.date(2027, 6, 10),
        ends_on=dt.date(2027, 6, 10),
        venue_name="Canterbury Cathedral Lodge",
        venue_address="The Precincts\nCanterbury CT1 2EH",
    )


def automatic(event):
    return {m.kind: m for m in Mailing.objects.filter(event=event).exclude(kind="message")}


def test_an_event_to_come_gets_both_automatic_messages_switched_on(event):
    mailings = automatic(event)

    joining = mailings[MailingKind.JOINING_INSTRUCTIONS]
    thank_you = mailings[MailingKind.THANK_YOU]
    assert (joining.is_enabled, joining.status, joining.days_before) == (True, "scheduled", 3)
    assert joining.send_at == dt.datetime(2027, 6, 7, 9, 0, tzinfo=LONDON)
    assert thank_you.send_at == dt.datetime(2027, 6, 11, 10, 0, tzinfo=LONDON)
    assert thank_you.is_enabled
    assert joining.statuses == ["confirmed"]


def test_an_event_already_under_way_or_past_gets_none():
    past = EventFactory(starts_on=timezone.localdate(), ends_on=timezone.localdate())

    services.run_scheduler()

    assert automatic(past) == {}


def test_joining_instructions_go_to_confirmed_delegates_when_due(event):
    room = RoomFactory(event=event, name="Room A")
    session = BreakoutSessionFactory(
        theme__event=event,
        theme__title="Prevention and early help",
        agenda_item=BreakoutRoundFactory(event=event, title="Breakout round 1"),
        room=room,
    )
    sam = DelegateFactory(event=event, first_name="Sam", email="sam@example.org")
    BreakoutChoiceFactory(delegate=sam, session=session)
    DelegateFactory(event=event, status="waitlisted")

    services.run_scheduler(now=dt.datetime(2027, 6, 7, 8, 59, tzinfo=LONDON))
    assert mail.outbox == []
    services.run_scheduler(now=dt.datetime(2027, 6, 7, 9, 0, tzinfo=LONDON))

    [sent] = mail.outbox
    assert sent.to == ["sam@example.org"]
    assert sent.subject == "Joining instructions for Kent and Medway ICS symposium"
    assert (
        "We look forward to seeing you at Kent and Medway ICS symposium on Thursday 10 June 2027"
        in sent.body
    )
    assert "Venue: Canterbury Cathedral Lodge, The Precincts, Canterbury CT1 2EH" in sent.body
    assert "- Breakout round 1, 14:00 to 15:00: Prevention and early help, Room A" in sent.body
    assert manage_url(sam) in sent.body
    assert automatic(event)[MailingKind.JOINING_INSTRUCTIONS].status == MailingStatus.SENT


def test_an_automatic_message_switched_off_is_not_sent(event, organiser_client):
    joining = automatic(event)[MailingKind.JOINING_INSTRUCTIONS]
    DelegateFactory(event=event)
    data = {
        "subject": joining.subject,
        "body": joining.body,
        "statuses": ["confirmed"],
        "organisations": "",
        "attendance": "any",
        "days_before": 3,
        # is_enabled unticked
    }

    response = organiser_client.post(admin_url(Mailing, "change", joining.pk), data)
    services.run_scheduler(now=dt.datetime(2027, 6, 9, 12, 0, tzinfo=LONDON))

    assert response.status_code == 302
    assert mail.outbox == []


def test_days_before_and_the_text_are_editable(event, organiser_client):
    joining = automatic(event)[MailingKind.JOINING_INSTRUCTIONS]
    DelegateFactory(event=event, first_name="Sam")
    data = {
        "subject": "See you next week, {first_name}",
        "body": joining.body,
        "statuses": ["confirmed"],
        "organisations": "",
        "attendance": "any",
        "days_before": 7,
        "is_enabled": "on",
    }

    organiser_client.post(admin_url(Mailing, "change", joining.pk), data)
    services.run_scheduler(now=dt.datetime(2027, 6, 3, 9, 0, tzinfo=LONDON))

    [sent] = mail.outbox
    assert sent.subject == "See you next week, Sam"
    joining.refresh_from_db()
    assert joining.send_at == dt.datetime(2027, 6, 3, 9, 0, tzinfo=LONDON)


def test_moving_the_event_moves_its_automatic_messages(event):
    event.starts_on = event.ends_on = dt.date(2027, 7, 1)
    event.save()

    services.run_scheduler(now=dt.datetime(2027, 6, 7, 9, 0, tzinfo=LONDON))

    assert automatic(event)[MailingKind.JOINING_INSTRUCTIONS].send_at == dt.datetime(
        2027, 6, 28, 9, 0, tzinfo=LONDON
    )
    assert mail.outbox == []


def test_the_thank_you_goes_the_day_after_the_event(event):
    sam = DelegateFactory(event=event, first_name="Sam")
    CheckIn.objects.create(delegate=sam, at=dt.datetime(2027, 6, 10, 9, 0, tzinfo=LONDON))
    joining = automatic(event)[MailingKind.JOINING_INSTRUCTIONS]
    joining.is_enabled = False
    joining.save()

    services.run_scheduler(now=dt.datetime(2027, 6, 11, 10, 0, tzinfo=LONDON))

    [sent] = mail.outbox
    assert sent.subject == "Thank you for coming to Kent and Medway ICS symposium"
    assert sent.body.startswith("Dear Sam,\n\nThank you for taking part in")
