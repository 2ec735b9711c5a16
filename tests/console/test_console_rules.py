"""Every admin path that touches registrations goes through the registration rules. After
each, the invariants hold: confirmed ≤ capacity (event and sessions), nobody waits while
a place is free and the first to wait are the first promoted, cancelled rows have
`cancelled_at`, and the public "places left" and the sign-in sheets agree with the rows."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from breakouts import selectors as breakout_selectors
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession
from breakouts.selectors import sessions_with_places
from console.exports import selectors as sheets
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, Event
from tests.admin_forms import change_form_data, field_errors, resubmit
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
)
from tests.helpers import admin_url

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


@dataclass
class World:
    event: Event
    first: Delegate  # confirmed, with the only place in `small`
    second: Delegate  # confirmed, first in `small`'s queue
    waiting: list  # the event's waitlist, in the order they joined
    small: BreakoutSession
    big: BreakoutSession


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """An event of 2 places, both taken, and 3 people waiting; a round with a session of
    1 place (taken, one in its queue) and one of 3 places. Made as if committed, so the
    page cache's versions move on as they would (see assert_public_pages_agree)."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_world()


def make_world():
    event = EventFactory(delegate_capacity=2)
    room = RoomFactory(event=event, name="Room A", capacity=5)
    breakout_round = BreakoutRoundFactory(event=event)
    small = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, title="Housing"),
        agenda_item=breakout_round,
        room=room,
        capacity=1,
    )
    big = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, title="Prevention"), agenda_item=breakout_round, capacity=3
    )
    start = timezone.now() - dt.timedelta(days=5)
    people = []
    for index, status in enumerate([CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED, WAITLISTED]):
        delegate = DelegateFactory(event=event, status=status, last_name=f"Person{index}")
        Delegate.objects.filter(pk=delegate.pk).update(created_at=start + dt.timedelta(hours=index))
        people.append(delegate)
    first, second, *waiting = people
    BreakoutChoiceFactory(session=small, delegate=first)
    BreakoutChoiceFactory(session=small, delegate=second, status=ChoiceStatus.WAITLISTED)
    # Held until they get a place at the event.
    BreakoutChoiceFactory(session=small, delegate=waiting[0], status=ChoiceStatus.WAITLISTED)
    assert_invariants(event)
    return World(event, first, second, waiting, small, big)


def assert_invariants(event):
    event.refresh_from_db()
    delegates = Delegate.objects.filter(event=event)
    confirmed = delegates.confirmed().count()
    assert confirmed <= event.delegate_capacity
    if delegates.filter(status=WAITLISTED).exists():
        assert confirmed == event.delegate_capacity, "someone waits while a place is free"
    assert not delegates.filter(status=RegistrationStatus.CANCELLED, cancelled_at=None).exists()
    assert (
        not delegates.exclude(status=RegistrationStatus.CANCELLED)
        .exclude(cancelled_at=None)
        .exists()
    )
    assert not BreakoutChoice.objects.filter(
        delegate__event=event, delegate__status=RegistrationStatus.CANCELLED
    ).exists()
    assert sheets.sign_in_list(event=event).count() == confirmed
    public = {
        session.pk: session.places_left
        for theme in breakout_selectors.breakout_themes(event=event)
        for session in theme.round_sessions
    }
    sheet = {session.pk: len(session.delegates) for session in sheets.sign_in_sessions(event=event)}
    for session in sessions_with_places(BreakoutSession.objects.filter(theme__event=event)):
        assert session.places_taken <= session.capacity
        queue = BreakoutChoice.objects.filter(
            session=session, status=ChoiceStatus.WAITLISTED, delegate__status=CONFIRMED
        )
        if queue.exists():
            assert session.places_taken == session.capacity, "a queue beside a free place"
        assert public[session.pk] == session.capacity - session.places_taken
        assert sheet[session.pk] == session.places_taken
    assert_public_pages_agree(event)


def assert_public_pages_agree(event):
    """The public breakouts page (places left), as the shared cache serves it, is the page
    rendered afresh from the database."""
    url = reverse("breakouts:breakout-list", args=[event.slug])
    served = Client().get(url).content
    cache.clear()
    assert served == Client().get(url).content


def statuses(*delegates):
    return [Delegate.objects.get(pk=delegate.pk).status for delegate in delegates]


def choice_status(delegate, session):
    return BreakoutChoice.objects.get(delegate=delegate, session=session).status


def emailed(delegate):
    return any(delegate.email in message.to for message in mail.outbox)


# Delegates -------------------------------------------------------------------------


def test_cancelling_by_status_runs_the_cancel_service(organiser_client, post, world):
    response = resubmit(
        organiser_client, post, admin_url(Delegate, "change", world.first.pk), status="cancelled"
    )

    assert response.status_code == 302
    first = Delegate.objects.get(pk=world.first.pk)
    assert first.status == RegistrationStatus.CANCELLED
    assert first.cancelled_at is not None
    # The event's place goes to the first waiting, the session's to the first queued.
    assert statuses(*world.waiting) == [CONFIRMED, WAITLISTED, WAITLISTED]
    assert choice_status(world.second, world.small) == ChoiceStatus.CONFIRMED
    assert emailed(world.waiting[0])
    assert emailed(world.second)
    assert emailed(world.first)
    assert_invariants(world.event)


def test_cancel_action_runs_the_cancel_service(organiser_client, post, world):
    response = post(
        admin_url(Delegate, "changelist"),
        {"action": "cancel_registrations", "_selected_action": [world.first.pk, world.second.pk]},
    )

    assert response.status_code == 302
    assert statuses(world.first, world.second) == ["cancelled", "cancelled"]
    assert statuses(*world.waiting) == [CONFIRMED, CONFIRMED, WAITLISTED]
    # Promoted to the event, the held choice takes the freed place.
    assert choice_status(world.waiting[0], world.small) == ChoiceStatus.CONFIRMED
    assert_invariants(world.event)


def test_deleting_a_delegate_frees_their_places_first(organiser_client, post, world):
    response = post(admin_url(Delegate, "delete", world.first.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Delegate.objects.filter(pk=world.first.pk).exists()
    assert statuses(*world.waiting) == [CONFIRMED, WAITLISTED, WAITLISTED]
    assert_invariants(world.event)


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [
        ("waiting", CONFIRMED, "Promote from the waitlist"),
        ("first", WAITLISTED, "cancel the registration instead"),
    ],
)
def test_other_status_changes_are_refused_in_words(
    organiser_client, post, world, who, status, message
):
    delegate = world.waiting[1] if who == "waiting" else world.first
    response = resubmit(
        organiser_client, post, admin_url(Delegate, "change", delegate.pk), status=status
    )

    assert response.status_code == 200
    assert message in " ".join(field_errors(response, "status"))
    assert_invariants(world.event)


def test_a_cancelled_registration_is_not_restored_in_the_admin(organiser_client, post, world):
    resubmit(
        organiser_client, post, admin_url(Delegate, "change", world.first.pk), status="cancelled"
    )

    response = resubmit(
        organiser_client, post, admin_url(Delegate, "change", world.first.pk), status=CONFIRMED
    )

    assert "cannot be restored" in " ".join(field_errors(response, "status"))
    assert_invariants(world.event)


def test_a_delegate_added_to_a_full_event_joins_its_waitlist(organiser_client, post, world):
    data = change_form_data(organiser_client.get(admin_url(Delegate, "add")))
    data |= {
        "event": world.event.pk,
        "first_name": "Ada",
        "last_name": "Added",
        "email": "ada@example.org",
        "organisation": "NHS Kent",
        "sector": "nhs",
    }

    response = post(admin_url(Delegate, "add"), data)

    assert response.status_code == 302
    assert Delegate.objects.get(email="ada@example.org").status == WAITLISTED
    assert_invariants(world.event)


def test_promote_action_fills_free_places_in_waitlist_order(organiser_client, post, world):
    # Places freed outside the admin's forms (a bulk import, say): the action fills them.
    Event.objects.filter(pk=world.event.pk).update(delegate_capacity=4)

    response = post(
        admin_url(Delegate, "changelist"),
        {"action": "promote_from_waitlist", "_selected_action": [world.waiting[2].pk]},
    )

    assert response.status_code == 302
    # The last selected, but the first two waiting are the ones promoted.
    assert statuses(*world.waiting) == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert_invariants(world.event)


def test_promote_action_on_a_full_event_says_so(organiser_client, post, world):
    response = post(
        admin_url(Delegate, "changelist"),
        {"action": "promote_from_waitlist", "_selected_action": [world.waiting[0].pk]},
    )

    assert statuses(*world.waiting) == [WAITLISTED] * 3
    follow = organiser_client.get(response.url)
    assert "has no free place: raise its capacity" in follow.content.decode()


def test_move_action_moves_and_frees_the_place_for_the_queue(organiser_client, post, world):
    response = post(
        admin_url(Delegate, "changelist"),
        {"action": "move_to_session", "_selected_action": [world.first.pk]},
    )
    move_url = response.url
    assert organiser_client.get(move_url).status_code == 200

    response = post(move_url, {"session": world.big.pk})

    assert response.status_code == 302
    assert choice_status(world.first, world.big) == ChoiceStatus.CONFIRMED
    assert not BreakoutChoice.objects.filter(delegate=world.first, session=world.small).exists()
    assert choice_status(world.second, world.small) == ChoiceStatus.CONFIRMED
    assert emailed(world.first)
    assert emailed(world.second)
    assert_invariants(world.event)


def test_move_to_a_full_session_is_refused(organiser_client, post, world):
    url = reverse("admin:console-move-delegates", args=[world.event.pk])

    response = post(f"{url}?ids={world.second.pk}", {"session": world.small.pk})

    assert response.status_code == 200
    assert "has 0 place(s) left" in response.content.decode()
    assert choice_status(world.second, world.small) == ChoiceStatus.WAITLISTED
    assert_invariants(world.event)


# Capacities --------------------------------------------------------------------------


def test_raising_the_event_capacity_promotes_the_waitlist_in_order(organiser_client, post, world):
    response = resubmit(
        organiser_client, post, admin_url(Event, "change", world.event.pk), delegate_capacity=4
    )

    assert response.status_code == 302
    assert statuses(*world.waiting) == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert emailed(world.waiting[0])
    assert not emailed(world.waiting[2])
    assert_invariants(world.event)


def test_lowering_the_event_capacity_below_confirmed_is_refused(organiser_client, post, world):
    response = resubmit(
        organiser_client, post, admin_url(Event, "change", world.event.pk), delegate_capacity=1
    )

    assert response.status_code == 200
    assert field_errors(response, "delegate_capacity") == [
        "2 delegates already have a place: the capacity cannot go below 2. Cancel "
        "registrations first to lower it."
    ]
    assert_invariants(world.event)


def test_raising_a_session_capacity_promotes_its_queue(organiser_client, post, world):
    url = admin_url(BreakoutSession, "change", world.small.pk)

    response = resubmit(organiser_client, post, url, capacity=2)

    assert response.status_code == 302
    assert choice_status(world.second, world.small) == ChoiceStatus.CONFIRMED
    assert emailed(world.second)
    assert_invariants(world.event)


def test_raising_a_capacity_on_the_theme_page_promotes_its_queue(organiser_client, post, world):
    from breakouts.models import Theme

    url = admin_url(Theme, "change", world.small.theme_id)

    response = resubmit(organiser_client, post, url, **{"sessions-0-capacity": 2})

    assert response.status_code == 302
    assert choice_status(world.second, world.small) == ChoiceStatus.CONFIRMED
    assert_invariants(world.event)


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        (0, "Capacity must be at least 1."),
        (6, "Room A holds 5: a session there can take at most 5."),
    ],
)
def test_session_capacity_limits_are_refused_in_words(
    organiser_client, post, world, capacity, message
):
    url = admin_url(BreakoutSession, "change", world.small.pk)

    response = resubmit(organiser_client, post, url, capacity=capacity)

    assert response.status_code == 200
    assert message in " ".join(field_errors(response, "capacity"))
    assert_invariants(world.event)


def test_lowering_a_session_below_its_places_is_refused(organiser_client, post, world):
    BreakoutChoiceFactory(session=world.big, delegate=world.second)
    BreakoutChoiceFactory(session=world.big, delegate=DelegateFactory(event=world.event))
    Event.objects.filter(pk=world.event.pk).update(delegate_capacity=3)

    url = admin_url(BreakoutSession, "change", world.big.pk)
    response = resubmit(organiser_client, post, url, capacity=1)

    assert "cannot go below 2" in " ".join(field_errors(response, "capacity"))


# Breakout choices --------------------------------------------------------------------


def test_deleting_a_place_in_the_choices_admin_promotes_the_queue(organiser_client, post, world):
    place = BreakoutChoice.objects.get(delegate=world.first, session=world.small)

    response = post(admin_url(BreakoutChoice, "delete", place.pk), {"post": "yes"})

    assert response.status_code == 302
    assert choice_status(world.second, world.small) == ChoiceStatus.CONFIRMED
    assert_invariants(world.event)


def test_confirming_a_choice_in_a_full_session_is_refused(organiser_client, post, world):
    queued = BreakoutChoice.objects.get(delegate=world.second, session=world.small)

    response = resubmit(
        organiser_client,
        post,
        admin_url(BreakoutChoice, "change", queued.pk),
        status=ChoiceStatus.CONFIRMED,
    )

    assert "is full (1 of 1 places)" in " ".join(field_errors(response, "session"))
    assert_invariants(world.event)


def test_moving_a_place_in_the_choices_admin_promotes_the_queue(organiser_client, post, world):
    place = BreakoutChoice.objects.get(delegate=world.first, session=world.small)

    response = resubmit(
        organiser_client, post, admin_url(BreakoutChoice, "change", place.pk), session=world.big.pk
    )

    assert response.status_code == 302
    assert choice_status(world.second, world.small) == ChoiceStatus.CONFIRMED
    assert_invariants(world.event)
