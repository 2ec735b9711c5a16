"""Deleting an event and everything in it, after a page that says what goes (the
delegates' personal data first); refused, in words, while it has not ended and people
still hold or wait for a place. The dashboard lists events to come first, soonest first,
then past events."""

import datetime as dt
import re
from html import unescape

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from mailer.models import RESULT_FAILURE, Message, MessageLog

from breakouts.enums import ChoiceStatus
from checkin.models import BadgePrint, CheckIn, WalkIn
from mailings.models import Mailing, Recipient
from registration import emails
from speakers.models import Speaker
from symposium.enums import EmailKind, RegistrationStatus
from symposium.models import (
    AgendaItem,
    Delegate,
    Event,
    ExportRecord,
    OutboxEmail,
    Room,
)
from tests.factories import (
    AgendaItemFactory,
    AllocationRunFactory,
    BreakoutChoiceFactory,
    BreakoutPreferenceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    PresentationSpeakerFactory,
    RoomFactory,
    UserFactory,
    event_day_at,
)
from tests.helpers import admin_url, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
PROJECT_APPS = ("symposium", "speakers", "breakouts", "mailings", "checkin")


def today():
    return timezone.localdate()


def row_counts() -> dict:
    return {
        model._meta.label: model._default_manager.count()
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
    }


def fill(event):
    """Something in every table an event owns: rooms used by the agenda and by a
    breakout session, a presentation with a speaker, delegates with needs, choices,
    preferences, check-ins, a walk-in, a mailing sent to them, exports, badges, emails
    owed and an allocation run."""
    hall, room_a = RoomFactory(event=event, name="Great Hall"), RoomFactory(event=event)
    for hour in (9, 10, 11):
        AgendaItemFactory(
            event=event,
            room=hall,
            starts_at=event_day_at(event, hour),
            ends_at=event_day_at(event, hour, 45),
        )
    PresentationSpeakerFactory(
        presentation__agenda_item__event=event,
        presentation__agenda_item__room=hall,
        presentation__agenda_item__starts_at=event_day_at(event, 12),
        presentation__agenda_item__ends_at=event_day_at(event, 12, 30),
    )
    session = BreakoutSessionFactory(theme__event=event, room=room_a, capacity=1)
    ana = BreakoutChoiceFactory(session=session, delegate__full_name="Ana Able").delegate
    ben = BreakoutChoiceFactory(
        session=session, delegate__full_name="Ben Bell", status=ChoiceStatus.WAITLISTED
    ).delegate
    DelegateFactory(event=event, full_name="Cat Cole", status=RegistrationStatus.CANCELLED)
    DelegateNeedsFactory(delegate=ana)
    BreakoutPreferenceFactory(session=session, delegate=ben)
    CheckIn.objects.create(delegate=ana, at=timezone.now(), desk="Desk 1")
    WalkIn.objects.create(delegate=ben, desk="Desk 1")
    mailing = Mailing.objects.create(event=event, subject="Thank you", body="Thanks.")
    Recipient.objects.create(mailing=mailing, delegate=ana)
    ExportRecord.objects.create(event=event, export="attendees", file_format="csv", row_count=2)
    BadgePrint.objects.create(event=event, printed_at=timezone.now(), count=2)
    OutboxEmail.objects.create(kind=EmailKind.CHANGED, delegate=ben)
    AllocationRunFactory(event=event)
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Delegate),
        object_id=str(ana.pk),
        object_repr=str(ana),
        action_flag=CHANGE,
        user=UserFactory(),
    )
    return event


@pytest.fixture
def other_event():
    return fill(EventFactory(name="Another symposium"))


@pytest.fixture
def ended_event():
    day = today() - dt.timedelta(days=10)
    return EventFactory(
        name="Spring symposium",
        starts_on=day,
        ends_on=day,
        registration_opens_at=timezone.now() - dt.timedelta(days=60),
        registration_closes_at=timezone.now() - dt.timedelta(days=12),
    )


def delete_url(event):
    return admin_url(Event, "delete", event.pk)


def listed(html: str) -> dict[str, int]:
    items = re.findall(r"<li>([^<]+): (\d+)</li>", html)
    return {unescape(what): int(count) for what, count in items}


def test_an_event_with_rooms_in_its_agenda_is_deleted_with_everything_in_it(
    organiser_client, post, other_event, ended_event
):
    before = row_counts()
    own_mailings = Mailing.objects.filter(event=ended_event).count()  # automatic messages
    fill(ended_event)
    ana = Delegate.objects.get(event=ended_event, last_name="Able")
    made = {label: count - before[label] for label, count in row_counts().items()}
    assert all(made[model._meta.label] for model in (Room, AgendaItem, Delegate, CheckIn))

    response = post(delete_url(ended_event), {"post": "yes"})

    assert response.status_code == 302
    assert response.url == admin_url(Event, "changelist")
    after = row_counts()
    # Every table is as it was before the event was made, but for the speaker, who may
    # speak elsewhere.
    assert after == before | {
        "symposium.Event": before["symposium.Event"] - 1,
        "mailings.Mailing": before["mailings.Mailing"] - own_mailings,
        "speakers.Speaker": before["speakers.Speaker"] + 1,
    }
    assert Event.objects.get() == other_event
    assert Speaker.objects.count() == 2
    # The admin's history no longer names the delegates.
    assert LogEntry.objects.get(object_id=str(ana.pk)).object_repr == "Erased registration"
    page = organiser_client.get(response.url).content.decode()
    assert "“Spring symposium” was deleted with everything in it" in unescape(page)
    assert "the personal data of 3 delegates among them" in unescape(page)


def test_the_confirmation_page_says_what_goes(organiser_client, ended_event):
    fill(ended_event)

    response = organiser_client.get(delete_url(ended_event))

    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert (
        "The personal data of 3 delegates is deleted, including the dietary and access "
        "needs of 1." in page
    )
    rows = listed(page)
    assert rows["Delegates' registrations: names, email addresses, organisations, job titles"] == 3
    assert rows["Delegates' dietary and access needs"] == 1
    assert rows["Rooms"] == 2
    assert rows["Agenda items"] == 5  # three, a presentation's and a breakout round
    assert rows["Breakout sessions"] == 1
    assert rows["Mailings"] >= 1
    assert rows["Check ins"] == 1
    assert "Speakers stay" in page
    assert Event.objects.filter(pk=ended_event.pk).exists()  # a GET deletes nothing


def test_an_event_with_nobody_says_no_personal_data_goes(organiser_client):
    event = EventFactory()
    RoomFactory(event=event)

    page = unescape(organiser_client.get(delete_url(event)).content.decode())

    assert "It has no delegates: no one’s personal data is deleted." in page
    rows = listed(page)
    assert rows["Rooms"] == 1
    assert not any("Delegates" in what for what in rows)


def test_an_event_to_come_with_people_holding_places_is_refused_in_words(organiser_client, post):
    event = fill(EventFactory(name="Autumn symposium"))
    before = row_counts()
    refusal = (
        "“Autumn symposium” cannot be deleted yet: it has not ended and 2 delegates still "
        "have a place or a place on its waitlist, and would not be told. Cancel their "
        "registrations first (each of them is emailed), or delete the event once it is over."
    )

    page = unescape(organiser_client.get(delete_url(event)).content.decode())
    response = post(delete_url(event), {"post": "yes"})

    assert refusal in page
    assert "Yes, delete" not in page
    assert response.status_code == 200
    assert refusal in unescape(response.content.decode())
    assert row_counts() == before
    assert not LogEntry.objects.filter(action_flag=3).exists()  # no deletion in the history


def test_an_event_to_come_whose_registrations_are_all_cancelled_can_be_deleted(
    organiser_client, post
):
    event = EventFactory()
    DelegateFactory(event=event, status=RegistrationStatus.CANCELLED)
    room = RoomFactory(event=event)
    AgendaItemFactory(event=event, room=room)

    post(delete_url(event), {"post": "yes"})

    assert not Event.objects.exists()
    assert not Delegate.objects.exists()


def test_a_room_in_use_still_cannot_be_deleted_on_its_own(organiser_client, post):
    room = RoomFactory()
    AgendaItemFactory(event=room.event, room=room)

    page = organiser_client.get(admin_url(Room, "delete", room.pk)).content.decode()
    post(admin_url(Room, "delete", room.pk), {"post": "yes"})

    assert "protected related objects" in page
    assert Room.objects.filter(pk=room.pk).exists()


def test_events_cannot_be_deleted_in_bulk_from_the_list(organiser_client):
    EventFactory()

    response = organiser_client.get(admin_url(Event, "changelist"))

    assert "delete_selected" not in response.content.decode()


def test_an_organiser_without_rights_on_delegates_cannot_delete_an_event(client, ended_event):
    client.force_login(staff_user("delete_event", "view_event", "change_event"))

    assert client.get(delete_url(ended_event)).status_code == 403


def test_the_dashboard_shows_events_to_come_soonest_first_then_past_events(organiser_client):
    def on(days, name):
        day = today() + dt.timedelta(days=days)
        return EventFactory(name=name, starts_on=day, ends_on=day)

    on(-100, "Long ago")
    on(200, "Next year")
    on(-3, "Last week")
    on(10, "Soon")
    on(0, "Today")

    response = organiser_client.get(reverse("admin:index"))

    names = [card.event.name for card in response.context["event_cards"]]
    assert names == ["Today", "Soon", "Next year", "Last week", "Long ago"]
    page = response.content.decode()
    assert [page.index(f">{name}</a>") for name in names] == sorted(
        page.index(f">{name}</a>") for name in names
    )


def test_deleting_an_event_deletes_the_emails_queued_and_logged_for_its_delegates(
    organiser_client, post, other_event, ended_event
):
    ana = DelegateFactory(event=ended_event, full_name="Ana Able", email="ana@example.org")
    elsewhere = DelegateFactory(event=other_event, email="bo@example.org")
    for delegate in (ana, elsewhere):
        Message.objects.create(email=emails.build(EmailKind.REGISTERED, delegate.pk, None))
    [anas] = [m for m in Message.objects.all() if m.to_addresses == ["ana@example.org"]]
    MessageLog.objects.log(anas, RESULT_FAILURE, "connection refused")

    post(delete_url(ended_event), {"post": "yes"})

    assert [message.to_addresses for message in Message.objects.all()] == [["bo@example.org"]]
    # The log keeps no copy of an email (MAILER settings); what it keeps names nobody.
    assert not [
        log for log in MessageLog.objects.all() if log.email and "ana@" in str(log.email.to)
    ]
