"""Moving from a breakout place to a full session: the place is kept until the new
session has room (a swap), unless the delegate gives it up."""

import pytest

from breakouts import services as breakout_services
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from console.exports.attendees import AttendeeList
from console.exports.selectors import sign_in_sessions
from registration import privacy, services
from symposium.models import Delegate
from tests.factories import (
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    ThemeFactory,
)
from tests.helpers import delegate_details

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def event():
    return EventFactory(name="Kent and Medway ICS symposium")


@pytest.fixture
def round_(event):
    return BreakoutRoundFactory(event=event)


def session_in(round_, title, capacity=1):
    theme = ThemeFactory(event=round_.event, title=title)
    return BreakoutSessionFactory(theme=theme, agenda_item=round_, capacity=capacity)


def delegate_in(session, email):
    delegate = DelegateFactory(event=session.theme.event, email=email)
    breakout_services.set_breakout_choices(delegate=delegate, sessions=[session])
    return delegate


def choices(session):
    """(email, status, waitlist position, email of the delegate whose place it replaces)."""
    rows = breakout_services.with_waitlist_positions(
        BreakoutChoice.objects.filter(session=session).select_related("replaces")
    ).order_by("status", "created_at", "pk")
    return [
        (choice.delegate.email, choice.status, choice.waitlist_position, bool(choice.replaces))
        for choice in rows
    ]


@pytest.fixture
def swapping(round_):
    """mover@ has the place in Housing and moves to Best start, which is full; queued@
    waits for Housing."""
    housing, best_start = session_in(round_, "Housing"), session_in(round_, "Best start")
    mover = delegate_in(housing, "mover@example.org")
    holder = delegate_in(best_start, "holder@example.org")
    queued = delegate_in(housing, "queued@example.org")
    return mover, holder, queued, housing, best_start


def test_moving_to_full_session_keeps_the_place_until_one_comes_up(swapping):
    mover, _, _, housing, best_start = swapping

    changes = breakout_services.set_breakout_choices(delegate=mover, sessions=[best_start])

    assert [choice.session for choice in changes.added] == [best_start]
    assert changes.removed == changes.promoted == []
    assert choices(housing) == [
        ("mover@example.org", ChoiceStatus.CONFIRMED, None, False),
        ("queued@example.org", ChoiceStatus.WAITLISTED, 1, False),
    ]
    assert choices(best_start) == [
        ("holder@example.org", ChoiceStatus.CONFIRMED, None, False),
        ("mover@example.org", ChoiceStatus.WAITLISTED, 1, True),
    ]
    [place] = breakout_services.delegate_choices(delegate=mover)
    assert (place.session, place.status) == (housing, ChoiceStatus.CONFIRMED)
    assert (place.waiting_for.session, place.waiting_for.waitlist_position) == (best_start, 1)


def test_freed_place_completes_the_swap_and_the_old_place_goes_to_its_queue(
    swapping, django_capture_on_commit_callbacks, mailoutbox
):
    mover, holder, _, housing, best_start = swapping
    breakout_services.set_breakout_choices(delegate=mover, sessions=[best_start])

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(delegate=holder)

    assert choices(best_start) == [("mover@example.org", ChoiceStatus.CONFIRMED, None, False)]
    assert choices(housing) == [("queued@example.org", ChoiceStatus.CONFIRMED, None, False)]
    mails = {message.to[0]: message for message in mailoutbox}
    assert sorted(mails) == ["holder@example.org", "mover@example.org", "queued@example.org"]
    swap = mails["mover@example.org"]
    assert swap.subject == "You have moved to your new breakout at Kent and Medway ICS symposium"
    assert 'A place has come up in the breakout you were waiting for, "Best start"' in swap.body
    assert 'we kept your place in "Housing" until then' in swap.body
    assert "Best start" in swap.alternatives[0][0]
    assert [name for name, _, _ in swap.attachments] == [f"{mover.event.slug}.ics"]
    assert mails["queued@example.org"].subject == (
        "You now have a place in your breakout at Kent and Medway ICS symposium"
    )


def test_swaps_cascade_through_the_round(round_, django_capture_on_commit_callbacks, mailoutbox):
    housing, best_start, ageing = (session_in(round_, title) for title in "HBA")
    first = delegate_in(housing, "first@example.org")
    holder = delegate_in(best_start, "holder@example.org")
    second = delegate_in(ageing, "second@example.org")
    delegate_in(ageing, "queued@example.org")
    breakout_services.set_breakout_choices(delegate=first, sessions=[best_start])
    breakout_services.set_breakout_choices(delegate=second, sessions=[housing])

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(delegate=holder)

    assert choices(best_start) == [("first@example.org", ChoiceStatus.CONFIRMED, None, False)]
    assert choices(housing) == [("second@example.org", ChoiceStatus.CONFIRMED, None, False)]
    assert choices(ageing) == [("queued@example.org", ChoiceStatus.CONFIRMED, None, False)]
    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert sorted(subjects) == [
        "first@example.org",
        "holder@example.org",
        "queued@example.org",
        "second@example.org",
    ]
    assert subjects["first@example.org"].startswith("You have moved to your new breakout")
    assert subjects["second@example.org"].startswith("You have moved to your new breakout")
    assert subjects["queued@example.org"].startswith("You now have a place in your breakout")


def test_giving_up_the_place_joins_the_back_of_the_queue_and_frees_the_place(swapping):
    mover, _, _, housing, best_start = swapping
    delegate_in(best_start, "ahead@example.org")

    changes = breakout_services.set_breakout_choices(
        delegate=mover, sessions=[best_start], give_up_rounds=[best_start.agenda_item_id]
    )

    assert [choice.delegate.email for choice in changes.promoted] == ["queued@example.org"]
    assert choices(housing) == [("queued@example.org", ChoiceStatus.CONFIRMED, None, False)]
    assert choices(best_start) == [
        ("holder@example.org", ChoiceStatus.CONFIRMED, None, False),
        ("ahead@example.org", ChoiceStatus.WAITLISTED, 1, False),
        ("mover@example.org", ChoiceStatus.WAITLISTED, 2, False),
    ]


def test_moving_to_a_session_with_room_moves_at_once(swapping, round_):
    mover, _, _, housing, _ = swapping
    roomy = session_in(round_, "Roomy", capacity=5)

    breakout_services.set_breakout_choices(delegate=mover, sessions=[roomy])

    assert choices(roomy) == [("mover@example.org", ChoiceStatus.CONFIRMED, None, False)]
    assert choices(housing) == [("queued@example.org", ChoiceStatus.CONFIRMED, None, False)]


def test_choosing_the_kept_session_again_calls_the_swap_off(swapping):
    mover, _, _, housing, best_start = swapping
    breakout_services.set_breakout_choices(delegate=mover, sessions=[best_start])
    place = mover.breakout_choices.get(session=housing)

    changes = breakout_services.set_breakout_choices(delegate=mover, sessions=[housing])

    assert [choice.session for choice in changes.removed] == [best_start]
    assert changes.added == changes.promoted == []
    assert list(mover.breakout_choices.values_list("pk", "status")) == [
        (place.pk, ChoiceStatus.CONFIRMED)
    ]
    assert choices(best_start) == [("holder@example.org", ChoiceStatus.CONFIRMED, None, False)]


def test_keeping_the_same_choices_changes_nothing_while_waiting(swapping):
    mover, _, _, _, best_start = swapping
    breakout_services.set_breakout_choices(delegate=mover, sessions=[best_start])
    before = list(mover.breakout_choices.values_list("pk", "status", "replaces"))

    changes = breakout_services.set_breakout_choices(delegate=mover, sessions=[best_start])

    assert not changes
    assert list(mover.breakout_choices.values_list("pk", "status", "replaces")) == before


def test_choosing_a_third_full_session_replaces_the_swap(swapping, round_):
    mover, _, _, housing, best_start = swapping
    ageing = session_in(round_, "Ageing")
    delegate_in(ageing, "ageing@example.org")
    breakout_services.set_breakout_choices(delegate=mover, sessions=[best_start])

    breakout_services.set_breakout_choices(delegate=mover, sessions=[ageing])

    assert choices(best_start) == [("holder@example.org", ChoiceStatus.CONFIRMED, None, False)]
    assert choices(ageing)[1] == ("mover@example.org", ChoiceStatus.WAITLISTED, 1, True)
    assert choices(housing)[0] == ("mover@example.org", ChoiceStatus.CONFIRMED, None, False)


def test_cancelling_the_registration_releases_both(
    swapping, django_capture_on_commit_callbacks, mailoutbox
):
    mover, _, _, housing, best_start = swapping
    breakout_services.set_breakout_choices(delegate=mover, sessions=[best_start])

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(delegate=mover)

    assert not mover.breakout_choices.exists()
    assert choices(housing) == [("queued@example.org", ChoiceStatus.CONFIRMED, None, False)]
    assert choices(best_start) == [("holder@example.org", ChoiceStatus.CONFIRMED, None, False)]
    assert sorted(message.to[0] for message in mailoutbox) == [
        "mover@example.org",
        "queued@example.org",
    ]


def test_update_registration_keeps_the_place_unless_told_to_give_it_up(swapping):
    mover, _, _, housing, best_start = swapping
    details = delegate_details(mover)

    services.update_registration(delegate=mover, **details, sessions=[best_start])
    kept = choices(housing)
    services.update_registration(delegate=mover, **details, sessions=[housing])
    services.update_registration(
        delegate=mover,
        **details,
        sessions=[best_start],
        give_up_rounds=[best_start.agenda_item_id],
    )

    assert kept[0] == ("mover@example.org", ChoiceStatus.CONFIRMED, None, False)
    assert choices(housing) == [("queued@example.org", ChoiceStatus.CONFIRMED, None, False)]
    assert choices(best_start)[1] == ("mover@example.org", ChoiceStatus.WAITLISTED, 1, False)


def test_exports_and_sign_in_sheets_count_only_the_place_kept(swapping):
    mover, _, _, _, best_start = swapping
    breakout_services.set_breakout_choices(delegate=mover, sessions=[best_start])
    event = mover.event

    sheets = {session.theme.title: session.delegates for session in sign_in_sessions(event=event)}
    rows = AttendeeList(
        event=event, delegates=Delegate.objects.filter(pk=mover.pk), include_needs=False
    ).rows()

    assert sheets == {"Housing": [mover], "Best start": [sheets["Best start"][0]]}
    assert sheets["Best start"][0].email == "holder@example.org"
    assert next(rows)[7] == "Housing (Confirmed)"
    assert breakout_services.places_taken(session=best_start) == 1


def test_the_delegates_own_data_lists_the_place_and_the_swap(swapping):
    mover, _, _, _, best_start = swapping
    breakout_services.set_breakout_choices(delegate=mover, sessions=[best_start])

    data = privacy.delegate_data(delegate=mover)

    assert [
        (choice["theme"], choice["status"], choice["waitlist_position"])
        for choice in data["breakout_choices"]
    ] == [("Housing", "Confirmed", None), ("Best start", "On the waitlist", 1)]
