"""Every database rule the admin's forms can run into is refused in words, next to the
field concerned, never as "Constraint … is violated" or an error page."""

import pytest
from django.urls import reverse

from breakouts.models import BreakoutSession, Theme
from symposium.models import Delegate, Event
from tests.admin_forms import change_form_data, field_errors
from tests.factories import (
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
)
from tests.helpers import admin_url

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def post_change(client, obj, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    return client.post(url, change_form_data(client.get(url)) | changes)


def assert_refused(response, field, message):
    assert response.status_code == 200
    page = response.content.decode()
    assert "violated" not in page
    assert any(message in error for error in field_errors(response, field)), field_errors(
        response, field
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2020-01-01"}, "ends_on", "The event must end after it starts"),
        (
            {"registration_closes_at_0": "2020-01-01"},
            "registration_closes_at",
            "Registration must close after it opens.",
        ),
        ({"delegate_capacity": "0"}, "delegate_capacity", "Capacity must be at least 1."),
    ],
)
def test_event_rules_are_refused_next_to_the_field(organiser_client, changes, field, message):
    event = EventFactory()

    response = post_change(organiser_client, event, **changes)

    assert_refused(response, field, message)


def test_an_email_registered_twice_is_refused_on_the_email_field(organiser_client):
    event = EventFactory()
    DelegateFactory(event=event, email="sam@example.org")
    other = DelegateFactory(event=event)

    response = post_change(organiser_client, other, email="SAM@example.org")

    assert_refused(response, "email", "This email address is already registered for the event.")


def test_a_room_given_twice_in_a_round_is_refused_on_the_room(organiser_client):
    room = RoomFactory()
    breakout_round = BreakoutRoundFactory(event=room.event)
    BreakoutSessionFactory(
        theme__event=room.event, theme__title="Housing", agenda_item=breakout_round, room=room
    )
    other = BreakoutSessionFactory(theme__event=room.event, agenda_item=breakout_round)

    response = post_change(organiser_client, other, room=room.pk)

    assert_refused(response, "room", "is already used by “Housing”")


def test_a_theme_number_used_twice_is_refused_on_the_number(organiser_client):
    event = EventFactory()
    ThemeFactory(event=event, number=1)
    other = ThemeFactory(event=event, number=2)

    response = post_change(organiser_client, other, number=1)

    assert_refused(response, "number", "already has a theme 1")


def test_a_session_larger_than_its_room_is_refused(organiser_client):
    session = BreakoutSessionFactory(room=None, capacity=10)
    room = RoomFactory(event=session.theme.event, name="Chapter House", capacity=8)

    response = post_change(organiser_client, session, room=room.pk)

    assert_refused(response, "capacity", "Chapter House holds 8")


def test_an_agenda_item_outside_the_event_is_refused(organiser_client):
    from symposium.models import AgendaItem
    from tests.factories import AgendaItemFactory

    item = AgendaItemFactory()
    url = admin_url(AgendaItem, "change", item.pk)
    data = change_form_data(organiser_client.get(url))
    data["starts_at_0"] = data["ends_at_0"] = "2020-06-01"

    response = organiser_client.post(url, data)

    assert_refused(response, "starts_at", "The event is on")


def test_no_admin_error_page_mentions_a_constraint_name(organiser_client):
    """The breakouts admin's add page with a capacity of 0: a message, not a 500."""
    session = BreakoutSessionFactory()
    url = reverse("admin:breakouts_breakoutsession_add")
    data = change_form_data(organiser_client.get(url)) | {
        "theme": session.theme.pk,
        "agenda_item": session.agenda_item.pk,
        "capacity": "0",
    }

    response = organiser_client.post(url, data)

    assert_refused(response, "capacity", "Capacity must be at least 1.")
    assert BreakoutSession.objects.count() == 1
    assert Theme.objects.count() == 1
    assert Delegate.objects.count() == 0
    assert Event.objects.count() == 1
