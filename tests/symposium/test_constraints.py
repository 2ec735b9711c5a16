"""The rules the database enforces, and the words the organiser sees before it has to."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape

from breakouts.models import BreakoutChoice
from speakers.models import Presentation, PresentationSpeaker
from symposium.models import AgendaItem, Delegate
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    PresentationFactory,
    PresentationSpeakerFactory,
    RoomFactory,
    ThemeFactory,
    event_day_at,
)
from tests.helpers import admin_url

DUPLICATE_EMAIL = "This email address is already registered for the event."


def new_delegate(event, email):
    return Delegate(
        event=event,
        first_name="Sam",
        last_name="Patel",
        email=email,
        organisation="Kent Police",
        sector="police",
        privacy_consent_at=timezone.now(),
    )


@pytest.mark.parametrize("email", ["sam@example.org", "Sam@Example.ORG"])
def test_delegate_email_registered_twice_for_one_event_is_refused_by_database(db, email):
    first = DelegateFactory(email="sam@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        new_delegate(first.event, email).save()

    assert Delegate.objects.count() == 1


@pytest.mark.parametrize("email", ["sam@example.org", "SAM@example.org"])
def test_delegate_email_registered_twice_for_one_event_is_refused_by_full_clean(db, email):
    first = DelegateFactory(email="sam@example.org")

    with pytest.raises(ValidationError) as refused:
        new_delegate(first.event, email).full_clean()

    assert refused.value.message_dict == {"__all__": [DUPLICATE_EMAIL]}


def test_delegate_email_may_register_for_two_events(db):
    first = DelegateFactory(email="sam@example.org")
    second = new_delegate(EventFactory(), "Sam@example.org")

    second.full_clean()
    second.save()

    assert Delegate.objects.filter(email__iexact="sam@example.org").count() == 2
    assert first.event != second.event


def test_two_breakout_choices_in_one_round_are_refused_by_database(db):
    choice = BreakoutChoiceFactory()
    same_round = BreakoutSessionFactory(
        theme=ThemeFactory(event=choice.session.theme.event),
        agenda_item=choice.session.agenda_item,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        BreakoutChoiceFactory(delegate=choice.delegate, session=same_round)

    assert list(BreakoutChoice.objects.all()) == [choice]


def agenda_item_form(event, room, starts, ends, title="Keynote", presentations=()):
    day = event.starts_on.isoformat()
    data = {
        "event": event.pk,
        "starts_at_0": day,
        "starts_at_1": starts,
        "ends_at_0": day,
        "ends_at_1": ends,
        "room": room.pk if room else "",
        "kind": "presentation",
        "title": title,
        "description": "",
        "presentations-TOTAL_FORMS": len(presentations),
        "presentations-INITIAL_FORMS": len(presentations),
    }
    for index, presentation in enumerate(presentations):
        prefix = f"presentations-{index}-"
        data |= {
            f"{prefix}id": presentation.pk,
            f"{prefix}agenda_item": presentation.agenda_item_id,
            f"{prefix}title": presentation.title,
            f"{prefix}kind": presentation.kind,
            f"{prefix}order": presentation.order,
        }
    return data


def test_overlapping_agenda_item_in_one_room_is_refused_by_admin(organiser_client):
    room = RoomFactory(name="Chapter House")
    booked = AgendaItemFactory(event=room.event, room=room, title="Welcome")  # 09:00–09:45

    response = organiser_client.post(
        admin_url(AgendaItem, "add"), agenda_item_form(room.event, room, "09:30", "10:30")
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert escape("Chapter House is already booked from ") in content
    assert escape(" for “Welcome”.") in content
    assert list(AgendaItem.objects.all()) == [booked]


@pytest.mark.postgres
def test_overlapping_agenda_item_in_one_room_is_refused_by_database(db):
    room = RoomFactory()
    AgendaItemFactory(event=room.event, room=room)  # 09:00–09:45

    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(
            event=room.event,
            room=room,
            starts_at=event_day_at(room.event, 9, 30),
            ends_at=event_day_at(room.event, 10, 30),
            kind="plenary",
            title="Keynote",
        )

    assert AgendaItem.objects.count() == 1


def overlapping_items():
    """Two agenda items in different rooms whose times overlap: 09:00–09:45, 09:30–10:30."""
    event = EventFactory()
    first = AgendaItemFactory(event=event, room=RoomFactory(event=event), title="Welcome")
    second = AgendaItemFactory(
        event=event,
        room=RoomFactory(event=event),
        starts_at=event_day_at(event, 9, 30),
        ends_at=event_day_at(event, 10, 30),
        kind="presentation",
        title="Prevention workshop",
    )
    return first, second


def presentation_form(item, speakers):
    data = {
        "agenda_item": item.pk,
        "title": "Working together on prevention",
        "kind": "talk",
        "order": 0,
        "abstract": "",
        "speaker_bookings-TOTAL_FORMS": len(speakers),
        "speaker_bookings-INITIAL_FORMS": 0,
    }
    for index, speaker in enumerate(speakers):
        data |= {
            f"speaker_bookings-{index}-speaker": speaker.pk,
            f"speaker_bookings-{index}-order": index,
        }
    return data


def test_double_booked_speaker_is_refused_by_admin_presentation_inline(organiser_client):
    first, second = overlapping_items()
    booking = PresentationSpeakerFactory(presentation__agenda_item=first, speaker__name="Ada Obi")

    response = organiser_client.post(
        admin_url(Presentation, "add"), presentation_form(second, [booking.speaker])
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert escape("Ada Obi is already speaking in “Welcome” from ") in content
    assert escape(": a speaker cannot be in two places at once.") in content
    assert list(PresentationSpeaker.objects.all()) == [booking]
    assert list(Presentation.objects.all()) == [booking.presentation]


def test_moving_a_presentation_into_a_speaker_clash_is_refused_by_admin(organiser_client):
    first, second = overlapping_items()
    booking = PresentationSpeakerFactory(presentation__agenda_item=first, speaker__name="Ada Obi")
    later = AgendaItemFactory(event=first.event, starts_at=event_day_at(first.event, 15))
    other = PresentationSpeakerFactory(presentation__agenda_item=later, speaker=booking.speaker)
    moving = other.presentation
    data = presentation_form(second, []) | {
        "title": moving.title,
        "speaker_bookings-TOTAL_FORMS": 1,
        "speaker_bookings-INITIAL_FORMS": 1,
        "speaker_bookings-0-id": other.pk,
        "speaker_bookings-0-presentation": moving.pk,
        "speaker_bookings-0-speaker": booking.speaker.pk,
        "speaker_bookings-0-order": 0,
    }

    response = organiser_client.post(admin_url(Presentation, "change", moving.pk), data)

    assert response.status_code == 200
    assert escape("Ada Obi is already speaking in “Welcome” from ") in response.content.decode()
    moving.refresh_from_db()
    other.refresh_from_db()
    assert (moving.agenda_item, other.agenda_item, other.starts_at) == (
        later,
        later,
        later.starts_at,
    )


@pytest.mark.postgres
def test_double_booked_speaker_is_refused_by_database(db):
    first, second = overlapping_items()
    booking = PresentationSpeakerFactory(presentation__agenda_item=first)

    with pytest.raises(IntegrityError), transaction.atomic():
        PresentationSpeakerFactory(
            presentation=PresentationFactory(agenda_item=second), speaker=booking.speaker
        )

    assert list(PresentationSpeaker.objects.all()) == [booking]


def test_speaker_in_two_presentations_of_one_agenda_item_is_allowed(db):
    panel = AgendaItemFactory(kind="panel")
    booking = PresentationSpeakerFactory(presentation__agenda_item=panel)
    again = PresentationSpeaker(
        presentation=PresentationFactory(agenda_item=panel), speaker=booking.speaker
    )

    again.full_clean()
    again.save()

    assert PresentationSpeaker.objects.filter(speaker=booking.speaker).count() == 2


def test_moving_agenda_item_into_a_speaker_clash_is_refused_by_full_clean(db):
    first, _ = overlapping_items()
    booking = PresentationSpeakerFactory(presentation__agenda_item=first, speaker__name="Ada Obi")
    later = AgendaItemFactory(event=first.event, starts_at=event_day_at(first.event, 15))
    PresentationSpeakerFactory(presentation__agenda_item=later, speaker=booking.speaker)

    later.starts_at = event_day_at(first.event, 9, 30)
    later.ends_at = later.starts_at + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        later.full_clean()

    [message] = refused.value.messages
    assert message.startswith("Ada Obi would be in two places at once: they are also in “Welcome”")


def test_moving_agenda_item_into_a_speaker_clash_is_refused_by_admin(organiser_client):
    first, _ = overlapping_items()
    booking = PresentationSpeakerFactory(presentation__agenda_item=first, speaker__name="Ada Obi")
    later = AgendaItemFactory(event=first.event, starts_at=event_day_at(first.event, 15))
    talk = PresentationSpeakerFactory(
        presentation__agenda_item=later, speaker=booking.speaker
    ).presentation

    response = organiser_client.post(
        admin_url(AgendaItem, "change", later.pk),
        agenda_item_form(later.event, None, "09:30", "10:30", presentations=[talk]),
    )

    assert response.status_code == 200
    expected = escape("Ada Obi would be in two places at once: they are also in “Welcome”")
    assert expected in response.content.decode()
    later.refresh_from_db()
    assert later.starts_at == event_day_at(first.event, 15)


def test_room_clash_message_gives_the_local_time(db):
    event = EventFactory(starts_on=dt.date(2030, 7, 10), ends_on=dt.date(2030, 7, 10))
    room = RoomFactory(event=event, name="Nave")
    AgendaItemFactory(event=event, room=room, title="Welcome")  # 09:00–09:45 BST
    clash = AgendaItem(
        event=event,
        room=room,
        starts_at=event_day_at(event, 9, 30),
        ends_at=event_day_at(event, 10),
        kind="plenary",
        title="Keynote",
    )

    with pytest.raises(ValidationError) as refused:
        clash.full_clean()

    assert refused.value.message_dict == {
        "room": ["Nave is already booked from 09:00 to 09:45 for “Welcome”."]
    }
