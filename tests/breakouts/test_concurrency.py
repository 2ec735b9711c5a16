"""Many people registering at the same moment never overfill a session or the event.

Each thread is a browser with its own database connection; a barrier releases them
together. Only PostgreSQL has the row locks this relies on (SQLite locks the whole
database), so these run there.
"""

import itertools
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from breakouts.services import with_waitlist_positions
from registration import services
from symposium.enums import RegistrationStatus
from symposium.models import Delegate
from symposium.tokens import make_manage_token
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    ThemeFactory,
)
from tests.helpers import delegate_details

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 40


def all_at_once(requests):
    """Run each callable in its own thread, released together; return the status codes
    and any exceptions raised."""
    barrier = threading.Barrier(len(requests))
    statuses, errors = [], []

    def run(request):
        try:
            barrier.wait(timeout=30)
            statuses.append(request())
        except Exception as error:  # Reported by the assertions, not lost in a thread.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, errors


def registration(number, **fields):
    return {
        "first_name": "Concurrent",
        "last_name": f"Delegate {number}",
        "email": f"concurrent{number}@example.org",
        "organisation": "Kent Community Health NHS Foundation Trust",
        "sector": "nhs",
        "privacy_consent": "on",
        **fields,
    }


_addresses = itertools.count(1)


def browser():
    """A client from its own address, as each delegate is: the per-address rate limit
    is for one machine hammering the form, not for forty people."""
    number = next(_addresses)
    return Client(REMOTE_ADDR=f"198.18.{number // 250}.{number % 250 + 1}")


def post_registration(event, data):
    url = reverse("registration:register", kwargs={"event_slug": event.slug})
    client = browser()
    return lambda: client.post(url, data).status_code


def queue_positions(session):
    waiting = BreakoutChoice.objects.filter(session=session, status=ChoiceStatus.WAITLISTED)
    ordered = with_waitlist_positions(waiting).order_by("created_at", "pk")
    return [choice.waitlist_position for choice in ordered]


@pytest.fixture
def nearly_full_session():
    """Capacity 45 with 40 places taken, at an event with room for everyone."""
    event = EventFactory(delegate_capacity=500)
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event), capacity=45)
    BreakoutChoiceFactory.create_batch(40, session=session)
    return session


def test_concurrent_registrations_never_overfill_a_session(nearly_full_session, mailoutbox):
    session = nearly_full_session
    event = session.theme.event
    field = f"round_{session.agenda_item_id}"
    requests = [
        post_registration(event, registration(number, **{field: str(session.pk)}))
        for number in range(THREADS)
    ]

    statuses, errors = all_at_once(requests)

    assert errors == []
    assert sorted(statuses) == [302] * THREADS
    new = BreakoutChoice.objects.filter(delegate__email__startswith="concurrent")
    assert new.filter(status=ChoiceStatus.CONFIRMED).count() == 5
    assert new.filter(status=ChoiceStatus.WAITLISTED).count() == 35
    confirmed = BreakoutChoice.objects.filter(session=session, status=ChoiceStatus.CONFIRMED)
    assert confirmed.count() == session.capacity
    assert queue_positions(session) == list(range(1, 36))
    assert len(mailoutbox) == THREADS


def test_concurrent_registrations_never_overfill_the_event():
    event = EventFactory(delegate_capacity=45)
    DelegateFactory.create_batch(40, event=event)
    requests = [post_registration(event, registration(number)) for number in range(THREADS)]

    statuses, errors = all_at_once(requests)

    assert errors == []
    assert sorted(statuses) == [302] * THREADS
    new = Delegate.objects.filter(email__startswith="concurrent")
    assert new.filter(status=RegistrationStatus.CONFIRMED).count() == 5
    assert new.filter(status=RegistrationStatus.WAITLISTED).count() == 35
    assert Delegate.objects.confirmed().count() == event.delegate_capacity


def test_concurrent_changes_from_manage_links_never_overfill_a_session(nearly_full_session):
    session = nearly_full_session
    event = session.theme.event
    movers = DelegateFactory.create_batch(THREADS, event=event)
    field = f"round_{session.agenda_item_id}"

    def change(delegate):
        url = reverse(
            "registration:manage",
            kwargs={"event_slug": event.slug, "token": make_manage_token(delegate)},
        )
        data = {
            "first_name": delegate.first_name,
            "last_name": delegate.last_name,
            "email": delegate.email,
            "organisation": delegate.organisation,
            "sector": delegate.sector,
            field: str(session.pk),
        }
        client = browser()
        return lambda: client.post(url, data).status_code

    statuses, errors = all_at_once([change(delegate) for delegate in movers])

    assert errors == []
    assert sorted(statuses) == [302] * THREADS
    moved = BreakoutChoice.objects.filter(delegate__in=movers)
    assert moved.filter(status=ChoiceStatus.CONFIRMED).count() == 5
    assert moved.filter(status=ChoiceStatus.WAITLISTED).count() == 35
    assert queue_positions(session) == list(range(1, 36))


def test_concurrent_registrations_with_one_email_make_one_registration(settings):
    # The per-email rate limit would refuse most of these first; this is about the
    # database's own rule, so the limiter is off.
    settings.RATELIMIT_ENABLE = False
    event = EventFactory()
    requests = [
        post_registration(event, registration(number, email=f"Same.Person{'@'}EXAMPLE.org"))
        if number % 2
        else post_registration(event, registration(number, email="same.person@example.org"))
        for number in range(10)
    ]

    statuses, errors = all_at_once(requests)

    assert errors == []
    assert sorted(statuses) == [302] * 10
    assert Delegate.objects.filter(event=event).count() == 1


def test_concurrent_swaps_and_cancellations_in_one_round_complete_without_deadlock():
    """Three full sessions; four delegates in each move on round the ring (A to B, B to
    C, C to A) keeping their places, while one in each cancels. Every swap cascades
    through the round; whatever the order, all complete, and no place is lost."""
    event = EventFactory(delegate_capacity=500)
    round_sessions = [BreakoutSessionFactory(theme=ThemeFactory(event=event), capacity=5)]
    round_ = round_sessions[0].agenda_item
    round_sessions += [
        BreakoutSessionFactory(theme=ThemeFactory(event=event), agenda_item=round_, capacity=5)
        for _ in range(2)
    ]
    movers, leavers = {}, []
    for index, session in enumerate(round_sessions):
        choices = BreakoutChoiceFactory.create_batch(5, session=session)
        leavers.append(choices[0].delegate)
        movers |= {choice.delegate: round_sessions[(index + 1) % 3] for choice in choices[1:]}

    def move(delegate, session):
        details = delegate_details(delegate)
        return lambda: (
            services.update_registration(delegate=delegate, **details, sessions=[session]).pk
        )

    requests = [move(delegate, session) for delegate, session in movers.items()]
    requests += [
        lambda leaver=leaver: services.cancel_registration(delegate=leaver).pk for leaver in leavers
    ]

    _, errors = all_at_once(requests)

    assert errors == []
    for delegate, session in movers.items():
        assert [
            (choice.session, choice.status, choice.replaces_id)
            for choice in delegate.breakout_choices.all()
        ] == [(session, ChoiceStatus.CONFIRMED, None)]
    for session in round_sessions:
        assert BreakoutChoice.objects.filter(session=session).count() == 4


RUSH = 200
RUSH_CONNECTIONS = 40


def test_a_rush_of_200_for_the_last_5_places_confirms_exactly_5_and_queues_the_rest_in_order():
    """200 registrations at once through the form, 40 at a time on their own database
    connections (PostgreSQL's default allows 100): nobody who came later holds a place
    while someone who came earlier waits, and the waitlist has no gap or tie."""
    event = EventFactory(delegate_capacity=45)
    DelegateFactory.create_batch(40, event=event)
    data = [registration(number) for number in range(RUSH)]
    batches = [data[start::RUSH_CONNECTIONS] for start in range(RUSH_CONNECTIONS)]
    requests = [
        lambda batch=batch: [post_registration(event, fields)() for fields in batch]
        for batch in batches
    ]

    statuses, errors = all_at_once(requests)

    assert errors == []
    assert sorted(itertools.chain(*statuses)) == [302] * RUSH
    rush = Delegate.objects.filter(event=event, email__startswith="concurrent")
    confirmed = rush.filter(status=RegistrationStatus.CONFIRMED)
    waitlisted = rush.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "pk")
    assert confirmed.count() == 5
    assert waitlisted.count() == RUSH - 5
    assert Delegate.objects.filter(event=event).confirmed().count() == event.delegate_capacity
    last_confirmed = max(confirmed.values_list("created_at", flat=True))
    assert waitlisted.first().created_at > last_confirmed
    assert len(set(waitlisted.values_list("created_at", flat=True))) == RUSH - 5


def test_registrations_racing_cancellations_and_promotions_stay_exact():
    """A registration writes its delegate row before it takes the event's lock, and
    decides place or waitlist under it (registration.services._register_new). Racing
    cancellations, each giving its place to the front of the event's waitlist: the
    event and its breakout hold exactly their capacity, the two who were waiting get
    the first places freed, and among the newcomers nobody who decided later holds a
    place while someone who decided earlier waits."""
    event = EventFactory(delegate_capacity=20)
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event), capacity=20)
    field = f"round_{session.agenda_item_id}"
    holders = [
        choice.delegate for choice in BreakoutChoiceFactory.create_batch(20, session=session)
    ]
    waiting = DelegateFactory.create_batch(2, event=event, status=RegistrationStatus.WAITLISTED)
    for delegate in waiting:
        BreakoutChoiceFactory(delegate=delegate, session=session, status=ChoiceStatus.WAITLISTED)
    leavers = holders[:6]
    requests = [
        post_registration(event, registration(number, **{field: str(session.pk)}))
        for number in range(THREADS - len(leavers))
    ]
    requests += [
        lambda leaver=leaver: services.cancel_registration(delegate=leaver).status
        for leaver in leavers
    ]

    statuses, errors = all_at_once(requests)

    assert errors == []
    assert sorted(map(str, statuses)) == sorted(
        ["302"] * (THREADS - len(leavers)) + [RegistrationStatus.CANCELLED] * len(leavers)
    )
    assert Delegate.objects.filter(event=event).confirmed().count() == 20
    confirmed_places = BreakoutChoice.objects.filter(session=session, status=ChoiceStatus.CONFIRMED)
    assert confirmed_places.count() == 20
    assert set(
        Delegate.objects.filter(pk__in=[d.pk for d in waiting]).values_list("status", flat=True)
    ) == {RegistrationStatus.CONFIRMED}
    new = Delegate.objects.filter(event=event, email__startswith="concurrent")
    confirmed = new.filter(status=RegistrationStatus.CONFIRMED)
    waitlisted = new.filter(status=RegistrationStatus.WAITLISTED)
    assert confirmed.count() == 4
    assert waitlisted.count() == THREADS - len(leavers) - 4
    assert max(confirmed.values_list("created_at", flat=True)) < min(
        waitlisted.values_list("created_at", flat=True)
    )
    # Each newcomer's breakout choice follows their place at the event: a place in the
    # session with one, held on the waitlist without.
    assert set(
        BreakoutChoice.objects.filter(delegate__in=confirmed).values_list("status", flat=True)
    ) == {ChoiceStatus.CONFIRMED}
    assert set(
        BreakoutChoice.objects.filter(delegate__in=waitlisted).values_list("status", flat=True)
    ) == {ChoiceStatus.WAITLISTED}


def test_a_registration_deadlocked_with_an_organiser_adding_the_same_address_is_run_again():
    """The new-address registration writes its row before the event's lock. An organiser's
    transaction that holds the event's lock and then writes the same address waits on
    that row while the registration waits on the lock: PostgreSQL ends one of them (the
    registration, which waited first) and the registration is run again in the lock
    order, finding the address registered. Nobody sees an error."""
    event = EventFactory()
    locked, outcome, errors = threading.Event(), {}, []

    def organiser():
        try:
            with transaction.atomic():
                services._lock_event(event)
                locked.set()
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and not registration_waits_for_a_lock():
                    time.sleep(0.05)
                DelegateFactory(event=event, email="same.person@example.org")
        except Exception as error:  # Reported by the assertions, not lost in a thread.
            errors.append(error)
        finally:
            connection.close()

    def delegate():
        try:
            locked.wait(timeout=10)
            outcome["registration"] = services.register_delegate(
                event=event, **delegate_fields("same.person@example.org")
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=organiser), threading.Thread(target=delegate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert outcome["registration"].created is False
    assert Delegate.objects.filter(event=event).count() == 1


def registration_waits_for_a_lock():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # Kept per transaction otherwise.
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def delegate_fields(email):
    return {
        "first_name": "Same",
        "last_name": "Person",
        "email": email,
        "organisation": "Kent County Council",
        "sector": "council",
    }
