"""The go-live checklist: publishing is refused while any blocker remains, allowed once
it is fixed; warnings never stop it; the event's own form cannot publish it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from console import golive
from console.services import publish_event, unpublish_event
from mailings.models import Mailing
from speakers.models import Speaker
from symposium.enums import AgendaKind
from symposium.models import Event
from tests.factories import (
    AgendaItemFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    EventFactory,
    RoomFactory,
    SpeakerFactory,
    ThemeFactory,
    event_day_at,
)
from tests.helpers import admin_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready():
    """An unpublished event with nothing missing."""
    event = EventFactory(is_published=False, delegate_capacity=40)
    hall = RoomFactory(event=event, name="Hall", capacity=40)
    room_a = RoomFactory(event=event, name="Room A", capacity=20)
    room_b = RoomFactory(event=event, name="Room B", capacity=20)
    plenary = AgendaItemFactory(event=event, room=hall, title="Welcome")
    AgendaItemFactory(
        event=event,
        kind=AgendaKind.BREAK,
        title="Coffee",
        starts_at=event_day_at(event, 10),
        ends_at=event_day_at(event, 10, 30),
    )
    breakout_round = BreakoutRoundFactory(event=event, title="Round 1")
    sessions = [
        BreakoutSessionFactory(
            theme=ThemeFactory(event=event, number=number),
            agenda_item=breakout_round,
            room=room,
            capacity=20,
        )
        for number, room in ((1, room_a), (2, room_b))
    ]
    return {"event": event, "plenary": plenary, "round": breakout_round, "sessions": sessions}


def no_room_for_plenary(world):
    world["plenary"].room = None
    world["plenary"].save()
    return "“Welcome” (09:00) has no room."


def session_without_room(world):
    session = world["sessions"][0]
    session.room = None
    session.save()
    return f"The session “{session.theme.title}” in “Round 1” has no room."


def round_too_small(world):
    session = world["sessions"][0]
    session.capacity = 10
    session.save()
    return "The breakout round “Round 1” has 30 places for 40 delegates"


def round_without_sessions(world):
    BreakoutRoundFactory(
        event=world["event"],
        title="Round 2",
        starts_at=event_day_at(world["event"], 15, 30),
        ends_at=event_day_at(world["event"], 16, 30),
    )
    return "The breakout round “Round 2” has no sessions."


def registration_closes_after_start(world):
    event = world["event"]
    event.registration_closes_at = event_day_at(event, 12)
    event.save()
    return "Registration closes after the event starts"


def blank(field, text):
    def _blank(world):
        setattr(world["event"], field, "")
        world["event"].save()
        return text

    _blank.__name__ = f"no_{field}"
    return _blank


BLOCKERS = [
    no_room_for_plenary,
    session_without_room,
    round_too_small,
    round_without_sessions,
    registration_closes_after_start,
    blank("privacy_notice", "The event has no privacy notice"),
    blank("contact_email", "The event has no contact email"),
    blank("venue_address", "The event has no venue address"),
]


def fix(world):
    """Undo every blocker at once: back to the ready event's state."""
    event = Event.objects.get(pk=world["event"].pk)
    event.privacy_notice = "We use your details only to run this event."
    event.contact_email = "events@example.org"
    event.venue_address = "The Precincts, Canterbury CT1 2EH"
    event.registration_closes_at = event_day_at(event, 0) - dt.timedelta(days=1)
    event.save()
    world["plenary"].room = event.rooms.get(name="Hall")
    world["plenary"].save()
    for session, room in zip(world["sessions"], ("Room A", "Room B"), strict=True):
        session.room, session.capacity = event.rooms.get(name=room), 20
        session.save()
    event.agenda_items.filter(title="Round 2").delete()


def test_a_ready_event_has_no_blocker_and_publishes(ready):
    assert golive.blockers(ready["event"]) == []
    assert publish_event(event=ready["event"]).is_published
    assert not unpublish_event(event=ready["event"]).is_published


@pytest.mark.parametrize("make_blocker", BLOCKERS, ids=lambda f: f.__name__)
def test_publishing_is_refused_with_the_blocker_and_allowed_once_fixed(ready, make_blocker):
    expected = make_blocker(ready)
    event = ready["event"]

    with pytest.raises(ValidationError) as refusal:
        publish_event(event=event)

    assert any(expected in message for message in refusal.value.messages), refusal.value
    event.refresh_from_db()
    assert not event.is_published
    fix(ready)
    assert publish_event(event=event).is_published


def test_warnings_are_listed_but_do_not_stop_publishing(ready):
    event = ready["event"]
    speaker = SpeakerFactory(name="Dr Ada Okoro", biography="")
    speaker.events.add(event)
    Mailing.objects.filter(event=event).update(is_enabled=False)
    ready["sessions"][0].room.capacity = 5
    ready["sessions"][0].room.save()

    texts = [issue.text for issue in golive.go_live_issues(event) if not issue.is_blocker]

    assert "Dr Ada Okoro has no photo and no biography." in texts
    assert any("Joining instructions" in text for text in texts)
    assert any("holds 5" in text for text in texts)
    assert publish_event(event=event).is_published


def test_the_checklist_page_refuses_publishing_and_links_each_fix(organiser_client, ready):
    event = ready["event"]
    no_room_for_plenary(ready)
    url = reverse("admin:console-event-go-live", args=[event.pk])

    response = organiser_client.post(url, {"action": "publish"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Not published: fix the blockers below first." in page
    assert "“Welcome” (09:00) has no room." in page
    assert f'href="{admin_url(Event, "change", event.pk)}#agenda_items-group"' in page
    event.refresh_from_db()
    assert not event.is_published

    fix(ready)
    response = organiser_client.post(url, {"action": "publish"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_published
    organiser_client.post(url, {"action": "unpublish"})
    event.refresh_from_db()
    assert not event.is_published


def test_the_event_form_cannot_publish(organiser_client, ready):
    event = ready["event"]
    no_room_for_plenary(ready)
    response = organiser_client.get(admin_url(Event, "change", event.pk))
    assert 'name="is_published"' not in response.content.decode()
    assert "is_published" in response.context["adminform"].readonly_fields


def test_the_checklist_needs_the_right_to_change_events(client, ready):
    from tests.helpers import staff_user

    client.force_login(staff_user("view_event"))
    url = reverse("admin:console-event-go-live", args=[ready["event"].pk])
    assert client.post(url, {"action": "publish"}).status_code == 403
    assert not Event.objects.get(pk=ready["event"].pk).is_published


def test_speakers_of_the_event_only(ready):
    mine = SpeakerFactory(name="Mine")
    mine.events.add(ready["event"])
    SpeakerFactory(name="Someone else's")
    from speakers.models import speakers_of

    assert list(speakers_of(ready["event"])) == [mine]
    assert Speaker.objects.count() == 2
