import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from breakouts import services as breakout_services
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from registration import services
from symposium.enums import RegistrationStatus
from symposium.models import Delegate
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    ThemeFactory,
    event_day_at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(name="Kent and Medway ICS symposium")


def session_in(event, capacity, round_=None):
    round_ = round_ or BreakoutRoundFactory(event=event)
    return BreakoutSessionFactory(
        theme=ThemeFactory(event=event), agenda_item=round_, capacity=capacity
    )


def register(event, email, sessions=()):
    return services.register_delegate(
        event=event,
        first_name="Delegate",
        last_name=email.split("@")[0],
        email=email,
        organisation="Medway Council",
        sector="council",
        sessions=sessions,
    ).delegate


def positions(session):
    choices = breakout_services.with_waitlist_positions(
        BreakoutChoice.objects.filter(session=session)
    ).order_by("created_at", "pk")
    return [(choice.delegate.email, choice.status, choice.waitlist_position) for choice in choices]


def test_choice_confirmed_while_room_then_waitlisted_in_order(event):
    session = session_in(event, 2)

    for number in range(5):
        register(event, f"d{number}@example.org", [session])

    assert positions(session) == [
        ("d0@example.org", ChoiceStatus.CONFIRMED, None),
        ("d1@example.org", ChoiceStatus.CONFIRMED, None),
        ("d2@example.org", ChoiceStatus.WAITLISTED, 1),
        ("d3@example.org", ChoiceStatus.WAITLISTED, 2),
        ("d4@example.org", ChoiceStatus.WAITLISTED, 3),
    ]


def test_waitlist_position_ties_broken_by_pk(event):
    session = session_in(event, 1)
    BreakoutChoiceFactory(session=session)
    waiting = BreakoutChoiceFactory.create_batch(3, session=session, status="waitlisted")
    BreakoutChoice.objects.filter(session=session).update(created_at=waiting[0].created_at)

    assert [position for _, _, position in positions(session)] == [None, 1, 2, 3]
    assert [
        choice.waitlist_position
        for choice in breakout_services.delegate_choices(delegate=waiting[2].delegate)
    ] == [3]


def test_event_waitlisted_delegate_holds_choices_without_place_or_position(event):
    event.delegate_capacity = 1
    event.save()
    session = session_in(event, 10)
    register(event, "first@example.org", [session])

    waiting = register(event, "second@example.org", [session])

    assert waiting.status == RegistrationStatus.WAITLISTED
    assert positions(session) == [
        ("first@example.org", ChoiceStatus.CONFIRMED, None),
        ("second@example.org", ChoiceStatus.WAITLISTED, None),
    ]
    assert breakout_services.places_taken(session=session) == 1


def test_cancel_promotes_session_queue_and_event_waitlist(
    event, django_capture_on_commit_callbacks, mailoutbox
):
    event.delegate_capacity = 2
    event.save()
    session = session_in(event, 1)
    leaving = register(event, "leaving@example.org", [session])
    queued = register(event, "queued@example.org", [session])
    waiting = register(event, "waiting@example.org", [session])

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(delegate=leaving)

    assert positions(session) == [
        ("queued@example.org", ChoiceStatus.CONFIRMED, None),
        ("waiting@example.org", ChoiceStatus.WAITLISTED, 1),
    ]
    assert Delegate.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    assert Delegate.objects.get(pk=queued.pk).status == RegistrationStatus.CONFIRMED
    assert sorted(message.to[0] for message in mailoutbox) == [
        "leaving@example.org",
        "queued@example.org",
        "waiting@example.org",
    ]


def test_promoted_delegate_takes_free_breakout_place(event):
    event.delegate_capacity = 1
    event.save()
    roomy = session_in(event, 10)
    leaving = register(event, "leaving@example.org")
    waiting = register(event, "waiting@example.org", [roomy])

    services.cancel_registration(delegate=leaving)

    assert positions(roomy) == [("waiting@example.org", ChoiceStatus.CONFIRMED, None)]
    assert Delegate.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED


def test_promoted_delegate_joins_back_of_full_session_queue(event):
    event.delegate_capacity = 2
    event.save()
    session = session_in(event, 1)
    leaving = register(event, "leaving@example.org")
    register(event, "placed@example.org", [session])
    waiting = register(event, "waiting@example.org", [session])
    event.delegate_capacity = 3
    event.save()
    queued = DelegateFactory(event=event, email="queued@example.org")
    breakout_services.set_breakout_choices(delegate=queued, sessions=[session])

    services.cancel_registration(delegate=leaving)

    assert Delegate.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    assert positions(session) == [
        ("placed@example.org", ChoiceStatus.CONFIRMED, None),
        ("queued@example.org", ChoiceStatus.WAITLISTED, 1),
        ("waiting@example.org", ChoiceStatus.WAITLISTED, 2),
    ]


def test_moving_session_frees_place_and_keeps_unchanged_choice(event):
    morning = BreakoutRoundFactory(event=event, starts_at=event_day_at(event, 11))
    afternoon = BreakoutRoundFactory(event=event, starts_at=event_day_at(event, 14))
    full = session_in(event, 1, morning)
    other = session_in(event, 5, morning)
    kept = session_in(event, 1, afternoon)
    mover = register(event, "mover@example.org", [full, kept])
    queued = register(event, "queued@example.org", [full])
    kept_choice = mover.breakout_choices.get(session=kept)

    changes = breakout_services.set_breakout_choices(delegate=mover, sessions=[other, kept])

    assert [choice.session for choice in changes.added] == [other]
    assert [choice.session for choice in changes.removed] == [full]
    assert [choice.delegate for choice in changes.promoted] == [queued]
    assert positions(full) == [("queued@example.org", ChoiceStatus.CONFIRMED, None)]
    assert mover.breakout_choices.get(session=kept).pk == kept_choice.pk


def test_moving_from_waitlist_frees_no_place(event):
    round_ = BreakoutRoundFactory(event=event)
    full, other = session_in(event, 1, round_), session_in(event, 5, round_)
    register(event, "placed@example.org", [full])
    mover = register(event, "mover@example.org", [full])
    register(event, "behind@example.org", [full])

    changes = breakout_services.set_breakout_choices(delegate=mover, sessions=[other])

    assert changes.promoted == []
    assert positions(full)[1:] == [("behind@example.org", ChoiceStatus.WAITLISTED, 1)]


def test_choices_must_be_one_per_round_at_the_event(event):
    round_ = BreakoutRoundFactory(event=event)
    first, second = session_in(event, 5, round_), session_in(event, 5, round_)
    elsewhere = BreakoutSessionFactory()
    delegate = DelegateFactory(event=event)

    with pytest.raises(ValidationError, match="at most one breakout in each round"):
        breakout_services.set_breakout_choices(delegate=delegate, sessions=[first, second])
    with pytest.raises(ValidationError, match="Choose breakouts at this event"):
        breakout_services.set_breakout_choices(delegate=delegate, sessions=[elsewhere])
    assert not BreakoutChoice.objects.exists()


def test_fill_breakout_session_after_capacity_rises(
    event, django_capture_on_commit_callbacks, mailoutbox
):
    session = session_in(event, 1)
    for number in range(4):
        register(event, f"d{number}@example.org", [session])
    session.capacity = 3
    session.save()

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.fill_breakout_session(session=session)

    assert [choice.delegate.email for choice in promoted] == ["d1@example.org", "d2@example.org"]
    assert [position for _, _, position in positions(session)] == [None, None, None, 1]
    assert [message.to for message in mailoutbox] == [["d1@example.org"], ["d2@example.org"]]


def test_promote_from_event_waitlist_after_capacity_rises(event):
    event.delegate_capacity = 1
    event.save()
    register(event, "first@example.org")
    second = register(event, "second@example.org")
    third = register(event, "third@example.org")
    event.delegate_capacity = 2
    event.save()

    promoted = services.promote_from_event_waitlist(event=event)

    assert promoted == [second]
    assert Delegate.objects.get(pk=third.pk).status == RegistrationStatus.WAITLISTED


def test_rolled_back_registration_sends_nothing(
    event, django_capture_on_commit_callbacks, mailoutbox
):
    def register_then_fail():
        with transaction.atomic():
            register(event, "rolled@example.org")
            raise RuntimeError("something later failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        register_then_fail()

    assert callbacks == []
    assert mailoutbox == []
    assert not Delegate.objects.exists()


def test_register_outside_window_raises_unless_organiser(event):
    event.registration_opens_at, event.registration_closes_at = (
        event.registration_closes_at,
        event.registration_closes_at.replace(year=event.registration_closes_at.year + 1),
    )
    event.save()

    with pytest.raises(services.RegistrationClosed):
        register(event, "early@example.org")
    delegate = services.register_delegate(
        event=event,
        first_name="Added",
        last_name="by organiser",
        email="early@example.org",
        organisation="Kent Police",
        sector="police",
        enforce_window=False,
    ).delegate
    assert delegate.status == RegistrationStatus.CONFIRMED
