"""Read helpers for the public site: events, the agenda and the breakout themes.

Each returns everything its page shows in a fixed number of queries, however many
items, speakers, sessions or delegates the event has.
"""

import datetime as dt

from django.db.models import Max, Min, Prefetch, QuerySet
from django.utils import timezone

from breakouts.models import BreakoutSession, Theme
from breakouts.selectors import (
    FEW_PLACES_LEFT,
    availability_label,
    sessions_with_places,
)
from speakers.models import Presentation, PresentationSpeaker
from symposium.models import AgendaItem, Event


def published_events() -> QuerySet[Event]:
    return Event.objects.published()


def upcoming_events(*, today: dt.date | None = None) -> QuerySet[Event]:
    """Published events that have not ended yet, soonest first."""
    today = today or timezone.localdate()
    return published_events().filter(ends_on__gte=today).order_by("starts_on", "name")


def event_hours(*, event: Event) -> dict[str, dt.datetime | None]:
    """When the agenda starts and ends (`starts_at`, `ends_at`; None without an agenda)."""
    return AgendaItem.objects.filter(event=event).aggregate(
        starts_at=Min("starts_at"), ends_at=Max("ends_at")
    )


def label_places(sessions):
    """Give each session (annotated by `sessions_with_places`) `places_left`, the plain
    `places_label` delegates read, and `places_status` ("available", "few" or "full")
    for styling; returns the sessions as a list."""
    sessions = list(sessions)
    for session in sessions:
        left = max(session.capacity - session.places_taken, 0)
        session.places_left = left
        session.places_label = availability_label(session.capacity, session.places_taken)
        session.places_status = (
            "full" if left == 0 else "few" if left <= FEW_PLACES_LEFT else "available"
        )
    return sessions


def _labelled_sessions(instances, attr):
    for instance in instances:
        label_places(getattr(instance, attr))
    return instances


def agenda(*, event: Event) -> list[AgendaItem]:
    """The agenda in time order, with rooms, presentations (in order) and their speakers
    (in billing order) and, for breakout rounds, the sessions with their places.

    Presentations are in `item.presentations.all`, their speakers' bookings in
    `presentation.speaker_bookings.all`; sessions are in `item.sessions` (a list);
    `item.day` is the local date, to group a multi-day agenda by day.
    """
    bookings = PresentationSpeaker.objects.select_related("speaker").order_by("order", "pk")
    presentations = Presentation.objects.order_by("order", "pk").prefetch_related(
        Prefetch("speaker_bookings", queryset=bookings)
    )
    sessions = sessions_with_places(
        BreakoutSession.objects.select_related("theme", "room").order_by("theme__number", "pk")
    )
    items = (
        AgendaItem.objects.filter(event=event)
        .select_related("room")
        .order_by("starts_at", "room__name", "pk")
        .prefetch_related(
            Prefetch("presentations", queryset=presentations),
            Prefetch("breakout_sessions", queryset=sessions, to_attr="sessions"),
        )
    )
    items = _labelled_sessions(list(items), "sessions")
    for item in items:
        # The UK date, not the UTC one: they differ for an item starting before 01:00 BST.
        item.day = timezone.localdate(item.starts_at)
    return items


def calendar_items(*, event: Event) -> QuerySet[AgendaItem]:
    """The agenda items the .ics file needs: times, titles and rooms."""
    return (
        AgendaItem.objects.filter(event=event)
        .select_related("room")
        .order_by("starts_at", "room__name", "pk")
    )


def breakout_themes(*, event: Event) -> list[Theme]:
    """The event's themes in number order, each with `theme.round_sessions`: its sessions
    in round order with the round, room and places left."""
    sessions = sessions_with_places(
        BreakoutSession.objects.select_related("agenda_item", "room").order_by(
            "agenda_item__starts_at", "room__name", "pk"
        )
    )
    themes = (
        Theme.objects.filter(event=event)
        .order_by("number")
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="round_sessions"))
    )
    return _labelled_sessions(list(themes), "round_sessions")
