"""The load benchmark's data: a large event and a small one for the registration rush.

Run inside Django (bench/load.py starts it in a child process). Both events are deleted
and rebuilt with bulk_create each run; the demo data stays as `loaddemo` made it.
"""

import datetime as dt
import random
import time

from django.db import transaction
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from speakers.models import Presentation, PresentationSpeaker, Speaker
from symposium.enums import AgendaKind, RegistrationStatus, Sector
from symposium.models import AgendaItem, Delegate, Event, Room
from symposium.tokens import make_manage_token

BIG_SLUG = "bench-large"
RUSH_SLUG = "bench-rush"
SPEAKERS = 200
AGENDA_ITEMS = 60
ROUNDS = 3
THEMES = 10  # 3 rounds × 10 themes = 30 breakout sessions
DELEGATES = 5_000
RUSH_CAPACITY = 40
MANAGE_TOKENS = 200


def delete_event(slug):
    """The event and everything of it (rooms are protected: their users go first)."""
    BreakoutSession.objects.filter(theme__event__slug=slug).delete()
    AgendaItem.objects.filter(event__slug=slug).delete()
    Speaker.objects.filter(slug__startswith=f"{slug}-speaker-").delete()
    Event.objects.filter(slug=slug).delete()


def _event(slug, name, *, capacity, days=1):
    now = timezone.now()
    starts_on = now.date() + dt.timedelta(days=60)
    return Event.objects.create(
        name=name,
        slug=slug,
        summary="Benchmark data: partners from health, councils, police and the VCSE.",
        audience="Everyone working on the benchmark.",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days - 1),
        venue_name="Bench conference centre",
        venue_address="1 Bench Street, Canterbury",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
        delegate_capacity=capacity,
        privacy_notice="We keep your details until the event is over.",
        is_published=True,
    )


def _agenda(event, rooms):
    """60 back-to-back items over two days, three of them breakout rounds."""
    items = []
    per_day = AGENDA_ITEMS // 2
    for n in range(AGENDA_ITEMS):
        day = event.starts_on + dt.timedelta(days=n // per_day)
        start = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(
            minutes=20 * (n % per_day)
        )
        is_round = n in (10, 25, 40)
        items.append(
            AgendaItem(
                event=event,
                kind=AgendaKind.BREAKOUT_ROUND if is_round else AgendaKind.PRESENTATION,
                title=f"Breakout round {n}" if is_round else f"Working together, part {n}",
                description="Partners share what worked and what did not.",
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=20),
                room=None if is_round else rooms[0],
            )
        )
    return AgendaItem.objects.bulk_create(items)


def _speakers_and_presentations(event, items, rng):
    """Every speaker presents at least once: two talks per item, two speakers each."""
    speakers = Speaker.objects.bulk_create(
        Speaker(
            name=f"Speaker {n:03d} {rng.choice(['Okafor', 'Wójcik', 'Jones', 'Nuñez'])}",
            slug=f"{event.slug}-speaker-{n}",
            role="Director of partnerships",
            organisation=f"Organisation {n % 40}",
            biography="Works across health and care in Kent and Medway. " * 4,
        )
        for n in range(SPEAKERS)
    )
    talks = [item for item in items if item.kind != AgendaKind.BREAKOUT_ROUND]
    presentations = Presentation.objects.bulk_create(
        Presentation(agenda_item=item, title=f"{item.title}: view {order + 1}", order=order)
        for item in talks
        for order in range(2)
    )
    bookings = []
    for n, presentation in enumerate(presentations):
        item = presentation.agenda_item
        for order in range(2):
            bookings.append(
                PresentationSpeaker(
                    presentation=presentation,
                    speaker=speakers[(2 * n + order) % SPEAKERS],
                    order=order,
                    agenda_item=item,
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                )
            )
    PresentationSpeaker.objects.bulk_create(bookings)


def _breakouts(event, items, rooms, *, capacity):
    rounds = [item for item in items if item.kind == AgendaKind.BREAKOUT_ROUND]
    themes = Theme.objects.bulk_create(
        Theme(event=event, number=n + 1, title=f"Theme {n + 1}: prevention together")
        for n in range(THEMES)
    )
    return BreakoutSession.objects.bulk_create(
        BreakoutSession(
            theme=theme, agenda_item=item, room=rooms[1 + t], capacity=capacity, facilitator="Sam"
        )
        for item in rounds
        for t, theme in enumerate(themes)
    )


def _delegates(event, sessions, rng):
    now = timezone.now()
    delegates = Delegate.objects.bulk_create(
        (
            Delegate(
                event=event,
                first_name="Delegate",
                last_name=f"Number {n}",
                email=f"delegate{n}@example.org",
                organisation=f"Organisation {n % 250}",
                sector=rng.choice(Sector.values),
                status=RegistrationStatus.CONFIRMED,
                privacy_consent_at=now,
            )
            for n in range(DELEGATES)
        ),
        batch_size=2000,
    )
    by_round = {}
    for session in sessions:
        by_round.setdefault(session.agenda_item_id, []).append(session)
    BreakoutChoice.objects.bulk_create(
        (
            BreakoutChoice(
                delegate=delegate,
                session=(session := rng.choice(choices)),
                agenda_item_id=session.agenda_item_id,
                status=ChoiceStatus.CONFIRMED,
            )
            for delegate in delegates
            for choices in by_round.values()
        ),
        batch_size=5000,
    )
    return delegates


def build_large_event():
    """The large event; returns manage tokens for some of its delegates."""
    rng = random.Random(7)
    started = time.perf_counter()
    with transaction.atomic():
        delete_event(BIG_SLUG)
        event = _event(BIG_SLUG, "Bench partnership symposium", capacity=100_000, days=2)
        rooms = Room.objects.bulk_create(
            Room(event=event, name=f"Room {n}", capacity=800) for n in range(THEMES + 1)
        )
        items = _agenda(event, rooms)
        _speakers_and_presentations(event, items, rng)
        # Roomy sessions: the throughput run's registrations get places, not queues.
        sessions = _breakouts(event, items, rooms, capacity=100_000)
        delegates = _delegates(event, sessions, rng)
    print(
        f"Built {BIG_SLUG}: {SPEAKERS} speakers, {AGENDA_ITEMS} agenda items, "
        f"{len(sessions)} breakout sessions, {len(delegates)} delegates "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return [make_manage_token(delegate) for delegate in delegates[:MANAGE_TOKENS]]


def build_rush_event(*, slug=RUSH_SLUG, capacity=RUSH_CAPACITY):
    """One breakout round with one session of `capacity` places; the event itself has
    room for everyone. Returns the session's pk and its form field name."""
    delete_event(slug)
    event = _event(slug, "Rush symposium", capacity=100_000)
    start = dt.datetime.combine(event.starts_on, dt.time(13), tzinfo=dt.UTC)
    item = AgendaItem.objects.create(
        event=event,
        kind=AgendaKind.BREAKOUT_ROUND,
        title="Breakout round",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    theme = Theme.objects.create(event=event, number=1, title="Popular theme")
    session = BreakoutSession.objects.create(theme=theme, agenda_item=item, capacity=capacity)
    return {"session": session.pk, "field": f"round_{item.pk}"}
