"""An organiser's decision about an automatic message sticks: `send_mailings` never
brings back one that was deleted, nor switches on one that was switched off."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from mailings import services
from mailings.enums import MailingKind
from mailings.models import Mailing
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import admin_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def event():
    event = EventFactory(starts_on=dt.date(2027, 6, 10), ends_on=dt.date(2027, 6, 10))
    DelegateFactory(event=event)
    return event


def kinds(event):
    return dict(
        Mailing.objects.filter(event=event)
        .exclude(kind=MailingKind.MESSAGE)
        .values_list("kind", "is_enabled")
    )


def test_a_deleted_automatic_message_is_not_recreated(event, organiser_client):
    joining = Mailing.objects.get(event=event, kind=MailingKind.JOINING_INSTRUCTIONS)

    response = organiser_client.post(admin_url(Mailing, "delete", joining.pk), {"post": "yes"})
    call_command("send_mailings")
    services.run_scheduler(now=dt.datetime(2027, 6, 7, 9, 0, tzinfo=LONDON))

    assert response.status_code == 302
    assert kinds(event) == {MailingKind.THANK_YOU: True, MailingKind.MISSED_YOU: False}
    assert mail.outbox == []


def test_a_switched_off_automatic_message_stays_off(event):
    Mailing.objects.filter(event=event).update(is_enabled=False)

    for _minute in range(3):
        call_command("send_mailings")
    services.run_scheduler(now=dt.datetime(2027, 6, 11, 10, 0, tzinfo=LONDON))

    assert set(kinds(event).values()) == {False}
    assert mail.outbox == []
